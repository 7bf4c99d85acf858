//! The daily practices: check-ins, appreciations and hugs.

use crate::SqliteStore;
use crate::decode::{bad, day, day_text, db, millis, ms, opt_ts, small, ts};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use tend_domain::appreciation::{Appreciation, AppreciationRecord, Filter, Kind, Reaction};
use tend_domain::check_in::{CheckIn, CheckInRecord};
use tend_domain::store::{Daily, StoreResult};
use tend_domain::{AppreciationId, CoupleId, UserId};

/// An appreciation as every query that reads one selects it.
struct AppreciationRow {
    id: i64,
    author_id: i64,
    recipient_id: i64,
    kind: String,
    body: String,
    starter_id: Option<String>,
    created_at: i64,
    reaction: Option<String>,
    reply: String,
    reacted_at: Option<i64>,
}

impl AppreciationRow {
    fn into_appreciation(self) -> StoreResult<Appreciation> {
        let kind = Kind::parse(&self.kind).ok_or_else(|| bad(format_args!("appreciation kind {:?}", self.kind)))?;
        let reaction = match self.reaction.as_deref() {
            None => None,
            Some(r) => Some(Reaction::parse(r).ok_or_else(|| bad(format_args!("reaction {r:?}")))?),
        };
        Ok(Appreciation {
            id: AppreciationId(self.id),
            author: UserId(self.author_id),
            recipient: UserId(self.recipient_id),
            kind,
            body: self.body,
            starter_id: self.starter_id,
            created_at: ts(self.created_at)?,
            reaction,
            reply: self.reply,
            reacted_at: opt_ts(self.reacted_at)?,
        })
    }
}

#[async_trait]
impl Daily for SqliteStore {
    async fn upsert_check_in(&self, r: &CheckInRecord) -> StoreResult<()> {
        let (day, now) = (day_text(r.day), ms(r.now));
        sqlx::query!(
            "insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             on conflict (couple_id, author_id, day) do update set high = excluded.high, low = excluded.low, \
             closeness = excluded.closeness, need = excluded.need, updated_at = excluded.updated_at",
            r.couple.0,
            r.author.0,
            day,
            r.high,
            r.low,
            r.closeness,
            r.need,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn check_ins_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<CheckIn>> {
        let (from, to) = (day_text(from), day_text(to));
        let rows = sqlx::query!(
            "select author_id, day, high, low, closeness, need, created_at, updated_at from check_ins \
             where couple_id = $1 and day >= $2 and day <= $3 order by day desc, author_id",
            couple.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(CheckIn {
                    author: UserId(r.author_id),
                    day: day(&r.day)?,
                    high: r.high,
                    low: r.low,
                    closeness: small(r.closeness, 1..=7, "closeness")?,
                    need: r.need,
                    created_at: ts(r.created_at)?,
                    updated_at: ts(r.updated_at)?,
                })
            })
            .collect()
    }

    async fn create_appreciation(&self, r: &AppreciationRecord) -> StoreResult<Appreciation> {
        let (kind, now) = (r.kind.as_str(), ms(r.now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query_as!(
            AppreciationRow,
            r#"insert into appreciations
                   (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reply)
               values ($1, $2, $3, $4, $5, $6, $7, '')
               returning id as "id!: i64", author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply,
                         reacted_at"#,
            r.couple.0,
            r.author.0,
            r.recipient.0,
            kind,
            r.body,
            r.starter_id,
            now
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        // Read before the commit, so that a row we could not read is not stored either.
        let created = row.into_appreciation()?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn appreciation(&self, couple: CoupleId, id: AppreciationId) -> StoreResult<Option<Appreciation>> {
        let row = sqlx::query_as!(
            AppreciationRow,
            r#"select id as "id!: i64", author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply,
                      reacted_at
               from appreciations where couple_id = $1 and id = $2"#,
            couple.0,
            id.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(AppreciationRow::into_appreciation).transpose()
    }

    async fn react_to_appreciation(
        &self,
        couple: CoupleId,
        id: AppreciationId,
        recipient: UserId,
        reaction: Option<Reaction>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (reaction, now) = (reaction.map(Reaction::as_str), ms(now));
        let done = sqlx::query!(
            "update appreciations set reaction = coalesce($1, reaction), \
                 reply = case when $2 = '' then reply else $2 end, reacted_at = $3 \
             where couple_id = $4 and id = $5 and recipient_id = $6",
            reaction,
            reply,
            now,
            couple.0,
            id.0,
            recipient.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn appreciations(&self, couple: CoupleId, f: &Filter) -> StoreResult<Vec<Appreciation>> {
        let author = f.author.map(|a| a.0);
        // Words are sealed, so `f.query` cannot be matched here: the vault in `tend-store`
        // searches the opened words.
        let (since, until) = (f.since.map(ms), f.until.map(ms));
        let (limit, offset) = (i64::from(f.limit.max(1)), i64::from(f.offset));
        // Each optional filter is "($n is null or …)", so one query serves every combination.
        let rows = sqlx::query_as!(
            AppreciationRow,
            r#"select id as "id!: i64", author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply,
                      reacted_at
               from appreciations
               where couple_id = $1
                 and ($2 is null or author_id = $2)
                 and ($3 is null or created_at >= $3)
                 and ($4 is null or created_at < $4)
               order by created_at desc, id desc limit $5 offset $6"#,
            couple.0,
            author,
            since,
            until,
            limit,
            offset
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(AppreciationRow::into_appreciation).collect()
    }

    async fn log_hug(
        &self,
        couple: CoupleId,
        by: UserId,
        at: Timestamp,
        same_hug: SignedDuration,
    ) -> StoreResult<bool> {
        let at = ms(at);
        let after = at.saturating_sub(millis(same_hug));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A compare-and-set on the couple's row: a second tap at the same moment waits for the
        // first one's write, then finds the condition no longer true.
        let claimed = sqlx::query!(
            "update couples set last_hug_at = $1 where id = $2 and (last_hug_at is null or last_hug_at <= $3)",
            at,
            couple.0,
            after
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(false);
        }
        sqlx::query!("insert into hugs (couple_id, logged_by, created_at) values ($1, $2, $3)", couple.0, by.0, at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn hugs_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Timestamp>> {
        let since = ms(since);
        let times = sqlx::query_scalar!(
            "select created_at from hugs where couple_id = $1 and created_at >= $2 order by created_at",
            couple.0,
            since
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        times.into_iter().map(ts).collect()
    }
}
