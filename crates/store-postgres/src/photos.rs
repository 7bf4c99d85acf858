//! Photos and the show-and-tell on PostgreSQL (see `Photos` in the domain for the rules).

use crate::{PgStore, Ts, db, is_unique_violation, ts, unreadable as bad};
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::photo::PhotoId;
use tend_domain::store::StoreResult;
use tend_domain::store::photos::{PhotoKind, PhotoRecord, Photos, StoredShowAndTell};
use tend_domain::{CoupleId, ShowAndTellId, UserId};

struct PhotoRow {
    id: String,
    couple_id: i64,
    owner_id: i64,
    kind: String,
    caption: String,
    width: i32,
    height: i32,
    created_at: Ts,
    position: i64,
    show_and_tell_id: Option<i64>,
    shown_at: Option<Ts>,
    reaction: Option<String>,
    reply: String,
    replied_by: Option<i64>,
    replied_at: Option<Ts>,
}

impl PhotoRow {
    fn into_record(self) -> StoreResult<PhotoRecord> {
        let dim = |n: i32| u32::try_from(n).map_err(|_| bad(format_args!("photo dimension {n}")));
        Ok(PhotoRecord {
            kind: PhotoKind::parse(&self.kind).ok_or_else(|| bad(format_args!("photo kind {:?}", self.kind)))?,
            id: PhotoId::from_stored(self.id),
            couple: CoupleId(self.couple_id),
            owner: UserId(self.owner_id),
            caption: self.caption,
            width: dim(self.width)?,
            height: dim(self.height)?,
            created_at: self.created_at.to_jiff(),
            position: self.position,
            show_and_tell: self.show_and_tell_id.map(ShowAndTellId),
            shown_at: self.shown_at.map(Ts::to_jiff),
            reaction: self.reaction,
            reply: self.reply,
            replied_by: self.replied_by.map(UserId),
            replied_at: self.replied_at.map(Ts::to_jiff),
        })
    }
}

struct ShowRow {
    id: i64,
    couple_id: i64,
    started_by: i64,
    first_teller: i64,
    started_at: Ts,
    step: i64,
    total: i64,
    finished_at: Option<Ts>,
}

impl ShowRow {
    fn into_stored(self) -> StoreResult<StoredShowAndTell> {
        Ok(StoredShowAndTell {
            id: ShowAndTellId(self.id),
            couple: CoupleId(self.couple_id),
            started_by: UserId(self.started_by),
            first_teller: UserId(self.first_teller),
            started_at: self.started_at.to_jiff(),
            step: self.step,
            total: self.total,
            finished_at: self.finished_at.map(Ts::to_jiff),
        })
    }
}

fn records(rows: Vec<PhotoRow>) -> StoreResult<Vec<PhotoRecord>> {
    rows.into_iter().map(PhotoRow::into_record).collect()
}

#[async_trait]
impl Photos for PgStore {
    async fn add_photo(&self, p: &PhotoRecord, max_picks: i64) -> StoreResult<bool> {
        let dim = |n: u32| i32::try_from(n).map_err(|_| bad(format_args!("photo dimension {n}")));
        let (width, height) = (dim(p.width)?, dim(p.height)?);
        let (created, shown) = (ts(p.created_at), p.shown_at.map(ts));
        // A pick takes its owner's first free place; the unique index on waiting places turns
        // two uploads racing for the same place into one insert and one retry.
        for _ in 0..=max_picks {
            let position = if p.kind == PhotoKind::Pick {
                let taken = sqlx::query_scalar!(
                    "select position from photos \
                     where couple_id = $1 and owner_id = $2 and kind = 'pick' and show_and_tell_id is null",
                    p.couple.0,
                    p.owner.0
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                match (1..=max_picks).find(|n| !taken.contains(n)) {
                    Some(free) => free,
                    None => return Ok(false),
                }
            } else {
                0
            };
            let done = sqlx::query!(
                "insert into photos (id, couple_id, owner_id, kind, caption, width, height, created_at, position, shown_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                p.id.as_str(),
                p.couple.0,
                p.owner.0,
                p.kind.as_str(),
                p.caption,
                width,
                height,
                created as Ts,
                position,
                shown as Option<Ts>
            )
            .execute(&self.pool)
            .await;
            match done {
                Ok(_) => return Ok(true),
                Err(e) if is_unique_violation(&e) && p.kind == PhotoKind::Pick => continue,
                Err(e) => return Err(db(e)),
            }
        }
        Ok(false)
    }

    async fn photo(&self, couple: CoupleId, id: &PhotoId) -> StoreResult<Option<PhotoRecord>> {
        let row = sqlx::query_as!(
            PhotoRow,
            r#"select id as "id!", couple_id, owner_id, kind, caption, width, height, created_at as "created_at: Ts", position,
                      show_and_tell_id, shown_at as "shown_at: Ts", reaction, reply, replied_by,
                      replied_at as "replied_at: Ts"
               from photos where id = $1 and couple_id = $2"#,
            id.as_str(),
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(PhotoRow::into_record).transpose()
    }

    async fn waiting_picks(&self, couple: CoupleId, owner: UserId) -> StoreResult<Vec<PhotoRecord>> {
        let rows = sqlx::query_as!(
            PhotoRow,
            r#"select id as "id!", couple_id, owner_id, kind, caption, width, height, created_at as "created_at: Ts", position,
                      show_and_tell_id, shown_at as "shown_at: Ts", reaction, reply, replied_by,
                      replied_at as "replied_at: Ts"
               from photos
               where couple_id = $1 and owner_id = $2 and kind = 'pick' and show_and_tell_id is null
               order by position"#,
            couple.0,
            owner.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        records(rows)
    }

    async fn waiting_counts(&self, couple: CoupleId) -> StoreResult<Vec<(UserId, i64)>> {
        let rows = sqlx::query!(
            r#"select owner_id, count(*) as "n!: i64" from photos
               where couple_id = $1 and kind = 'pick' and show_and_tell_id is null group by owner_id"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| (UserId(r.owner_id), r.n)).collect())
    }

    async fn show_and_tell_photos(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Vec<PhotoRecord>> {
        let rows = sqlx::query_as!(
            PhotoRow,
            r#"select p.id as "id!", p.couple_id, p.owner_id, p.kind, p.caption, p.width, p.height,
                      p.created_at as "created_at: Ts", p.position, p.show_and_tell_id, p.shown_at as "shown_at: Ts",
                      p.reaction, p.reply, p.replied_by, p.replied_at as "replied_at: Ts"
               from photos p join show_and_tells s on s.id = p.show_and_tell_id
               where p.couple_id = $1 and s.couple_id = $1 and s.id = $2
               order by case when p.owner_id = s.first_teller then 0 else 1 end, p.position, p.created_at"#,
            couple.0,
            id.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        records(rows)
    }

    async fn shown_photos(&self, couple: CoupleId) -> StoreResult<Vec<PhotoRecord>> {
        let rows = sqlx::query_as!(
            PhotoRow,
            r#"select id as "id!", couple_id, owner_id, kind, caption, width, height, created_at as "created_at: Ts", position,
                      show_and_tell_id, shown_at as "shown_at: Ts", reaction, reply, replied_by,
                      replied_at as "replied_at: Ts"
               from photos where couple_id = $1 and shown_at is not null
               order by shown_at desc, id"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        records(rows)
    }

    async fn photos_shown_between(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PhotoRecord>> {
        let rows = sqlx::query_as!(
            PhotoRow,
            r#"select id as "id!", couple_id, owner_id, kind, caption, width, height, created_at as "created_at: Ts", position,
                      show_and_tell_id, shown_at as "shown_at: Ts", reaction, reply, replied_by,
                      replied_at as "replied_at: Ts"
               from photos where couple_id = $1 and shown_at >= $2 and shown_at < $3
               order by shown_at desc, id"#,
            couple.0,
            ts(from) as Ts,
            ts(to) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        records(rows)
    }

    async fn caption_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId, caption: &str) -> StoreResult<bool> {
        let done = sqlx::query!(
            "update photos set caption = $1 where id = $2 and couple_id = $3 and owner_id = $4",
            caption,
            id.as_str(),
            couple.0,
            owner.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn reply_to_photo(
        &self,
        couple: CoupleId,
        id: &PhotoId,
        by: UserId,
        reaction: Option<&str>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ts(now);
        let done = sqlx::query!(
            "update photos set reaction = $1, reply = $2, replied_by = $3, replied_at = $4 \
             where id = $5 and couple_id = $6 and owner_id <> $3 and shown_at is not null",
            reaction,
            reply,
            by.0,
            now as Ts,
            id.as_str(),
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId) -> StoreResult<bool> {
        let done = sqlx::query!(
            "delete from photos where id = $1 and couple_id = $2 and owner_id = $3 and not exists \
             (select 1 from show_and_tells s where s.id = photos.show_and_tell_id and s.finished_at is null)",
            id.as_str(),
            couple.0,
            owner.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn photo_ids(&self, couple: CoupleId) -> StoreResult<Vec<PhotoId>> {
        let ids = sqlx::query_scalar!(r#"select id as "id!" from photos where couple_id = $1"#, couple.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(ids.into_iter().map(PhotoId::from_stored).collect())
    }

    async fn existing_photos(&self, ids: &[PhotoId]) -> StoreResult<Vec<PhotoId>> {
        let list: Vec<String> = ids.iter().map(|i| i.as_str().to_owned()).collect();
        let found = sqlx::query_scalar!(r#"select id as "id!" from photos where id = any($1)"#, &list)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(found.into_iter().map(PhotoId::from_stored).collect())
    }

    async fn start_show_and_tell(
        &self,
        couple: CoupleId,
        by: UserId,
        first_teller: UserId,
        now: Timestamp,
    ) -> StoreResult<Option<ShowAndTellId>> {
        let now = ts(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into show_and_tells (couple_id, started_by, first_teller, started_at, step, total, open_slot)
               select $1, $2, $3, $4, 0, count(*), true from photos
               where couple_id = $1 and kind = 'pick' and show_and_tell_id is null
               having count(*) > 0
               on conflict (couple_id, open_slot) do nothing
               returning id as "id!: i64""#,
            couple.0,
            by.0,
            first_teller.0,
            now as Ts
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(id) = id else { return Ok(None) };
        // A pick that arrived after the count joins too, and the total follows it.
        let taken = sqlx::query!(
            "update photos set show_and_tell_id = $1 \
             where couple_id = $2 and kind = 'pick' and show_and_tell_id is null",
            id,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        let taken = i64::try_from(taken).map_err(bad)?;
        sqlx::query!("update show_and_tells set total = $1 where id = $2", taken, id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        show_step(&mut tx, id, 0, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(ShowAndTellId(id)))
    }

    async fn open_show_and_tell(&self, couple: CoupleId) -> StoreResult<Option<StoredShowAndTell>> {
        let row = sqlx::query_as!(
            ShowRow,
            r#"select id, couple_id, started_by, first_teller, started_at as "started_at: Ts", step, total,
                      finished_at as "finished_at: Ts"
               from show_and_tells where couple_id = $1 and open_slot"#,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(ShowRow::into_stored).transpose()
    }

    async fn show_and_tell(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Option<StoredShowAndTell>> {
        let row = sqlx::query_as!(
            ShowRow,
            r#"select id, couple_id, started_by, first_teller, started_at as "started_at: Ts", step, total,
                      finished_at as "finished_at: Ts"
               from show_and_tells where id = $1 and couple_id = $2"#,
            id.0,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(ShowRow::into_stored).transpose()
    }

    async fn advance_show_and_tell(
        &self,
        couple: CoupleId,
        id: ShowAndTellId,
        from: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ts(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "update show_and_tells set step = step + 1, \
                 finished_at = case when step + 1 >= total then $1::timestamptz end, \
                 open_slot = case when step + 1 >= total then null else true end \
             where id = $2 and couple_id = $3 and step = $4 and finished_at is null",
            now as Ts,
            id.0,
            couple.0,
            from
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        show_step(&mut tx, id.0, from + 1, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn show_and_tells(&self, couple: CoupleId) -> StoreResult<Vec<StoredShowAndTell>> {
        let rows = sqlx::query_as!(
            ShowRow,
            r#"select id, couple_id, started_by, first_teller, started_at as "started_at: Ts", step, total,
                      finished_at as "finished_at: Ts"
               from show_and_tells where couple_id = $1 order by started_at desc, id desc"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(ShowRow::into_stored).collect()
    }
}

/// Marks the photo at `step` of a show-and-tell as shown (none past the last).
async fn show_step(tx: &mut sqlx::PgConnection, id: i64, step: i64, now: Ts) -> StoreResult<()> {
    sqlx::query!(
        "update photos set shown_at = coalesce(shown_at, $1) where id = \
         (select p.id from photos p join show_and_tells s on s.id = p.show_and_tell_id where s.id = $2 \
          order by case when p.owner_id = s.first_teller then 0 else 1 end, p.position, p.created_at \
          limit 1 offset $3)",
        now as Ts,
        id,
        step
    )
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}

/// Removes a couple's photos and show-and-tells as the couple ends (in the caller's
/// transaction); their files follow (see `tend_domain::photo::forget`).
pub(crate) async fn drop_couple_photos(tx: &mut sqlx::PgConnection, couple: i64) -> StoreResult<()> {
    sqlx::query!("delete from photos where couple_id = $1", couple).execute(&mut *tx).await.map_err(db)?;
    sqlx::query!("delete from show_and_tells where couple_id = $1", couple).execute(&mut *tx).await.map_err(db)?;
    Ok(())
}
