//! The daily practices: check-ins, appreciations and hugs.

use crate::{Day, PgStore, Ts, day, db, score, ts, ts_opt, unreadable};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use tend_domain::appreciation::{Appreciation, AppreciationRecord, Filter, Kind, Reaction};
use tend_domain::check_in::{CheckIn, CheckInRecord};
use tend_domain::store::{Daily, StoreResult};
use tend_domain::{AppreciationId, CoupleId, UserId};

/// An appreciation as its queries read it.
struct AppreciationRow {
    id: i64,
    author_id: i64,
    recipient_id: i64,
    kind: String,
    body: String,
    starter_id: Option<String>,
    created_at: Ts,
    reaction: Option<String>,
    reply: String,
    reacted_at: Option<Ts>,
}

impl AppreciationRow {
    fn into_appreciation(self) -> StoreResult<Appreciation> {
        let kind = Kind::parse(&self.kind)
            .ok_or_else(|| unreadable(format!("appreciation {} has the unknown kind {:?}", self.id, self.kind)))?;
        let reaction = match self.reaction.as_deref() {
            None => None,
            Some(r) => Some(
                Reaction::parse(r)
                    .ok_or_else(|| unreadable(format!("appreciation {} has the unknown reaction {r:?}", self.id)))?,
            ),
        };
        Ok(Appreciation {
            id: AppreciationId(self.id),
            author: UserId(self.author_id),
            recipient: UserId(self.recipient_id),
            kind,
            body: self.body,
            starter_id: self.starter_id,
            created_at: self.created_at.to_jiff(),
            reaction,
            reply: self.reply,
            reacted_at: self.reacted_at.map(Ts::to_jiff),
        })
    }
}

#[async_trait]
impl Daily for PgStore {
    async fn upsert_check_in(&self, r: &CheckInRecord) -> StoreResult<()> {
        sqlx::query!(
            "insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             on conflict (couple_id, author_id, day) do update set high = excluded.high, low = excluded.low, \
             closeness = excluded.closeness, need = excluded.need, updated_at = excluded.updated_at",
            r.couple.0,
            r.author.0,
            day(r.day) as Day,
            r.high,
            r.low,
            i64::from(r.closeness),
            r.need,
            ts(r.now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn check_ins_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<CheckIn>> {
        let rows = sqlx::query!(
            r#"select author_id, day as "day: Day", high, low, closeness, need, created_at as "created_at: Ts",
                      updated_at as "updated_at: Ts"
               from check_ins where couple_id = $1 and day >= $2 and day <= $3 order by day desc, author_id"#,
            couple.0,
            day(from) as Day,
            day(to) as Day
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(CheckIn {
                    author: UserId(r.author_id),
                    day: r.day.to_jiff(),
                    high: r.high,
                    low: r.low,
                    closeness: score(r.closeness, "a check-in's closeness")?,
                    need: r.need,
                    created_at: r.created_at.to_jiff(),
                    updated_at: r.updated_at.to_jiff(),
                })
            })
            .collect()
    }

    async fn create_appreciation(&self, r: &AppreciationRecord) -> StoreResult<Appreciation> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query_as!(
            AppreciationRow,
            r#"insert into appreciations (couple_id, author_id, recipient_id, kind, body, starter_id, created_at,
                                          reply)
               values ($1, $2, $3, $4, $5, $6, $7, '')
               returning id, author_id, recipient_id, kind, body, starter_id, created_at as "created_at: Ts",
                         reaction, reply, reacted_at as "reacted_at: Ts""#,
            r.couple.0,
            r.author.0,
            r.recipient.0,
            r.kind.as_str(),
            r.body,
            r.starter_id.as_deref(),
            ts(r.now) as Ts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        row.into_appreciation()
    }

    async fn appreciation(&self, couple: CoupleId, id: AppreciationId) -> StoreResult<Option<Appreciation>> {
        let row = sqlx::query_as!(
            AppreciationRow,
            r#"select id, author_id, recipient_id, kind, body, starter_id, created_at as "created_at: Ts",
                      reaction, reply, reacted_at as "reacted_at: Ts"
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
        let n = sqlx::query!(
            "update appreciations set reaction = coalesce($1::text, reaction), \
                 reply = case when $2::text = '' then reply else $2 end, reacted_at = $3 \
             where couple_id = $4 and id = $5 and recipient_id = $6",
            reaction.map(Reaction::as_str),
            reply,
            ts(now) as Ts,
            couple.0,
            id.0,
            recipient.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn appreciations(&self, couple: CoupleId, f: &Filter) -> StoreResult<Vec<Appreciation>> {
        // Each optional filter is "($n is null or …)", so one query serves every combination.
        // Words are sealed, so `f.query` cannot be matched here: the vault in `tend-store`
        // searches the opened words.
        let rows = sqlx::query_as!(
            AppreciationRow,
            r#"select id, author_id, recipient_id, kind, body, starter_id, created_at as "created_at: Ts",
                      reaction, reply, reacted_at as "reacted_at: Ts"
               from appreciations where couple_id = $1
               and ($2::bigint is null or author_id = $2)
               and ($3::timestamptz is null or created_at >= $3)
               and ($4::timestamptz is null or created_at < $4)
               order by created_at desc, id desc limit $5 offset $6"#,
            couple.0,
            f.author.map(|a| a.0),
            ts_opt(f.since) as Option<Ts>,
            ts_opt(f.until) as Option<Ts>,
            i64::from(f.limit.max(1)),
            i64::from(f.offset)
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
        let at = ts(at);
        let after = at
            .to_jiff()
            .checked_sub(same_hug)
            .map_err(|e| tend_domain::StoreError::Backend(format!("a hug window of {same_hug:?}: {e}")))?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A compare-and-set on the couple's row: a second tap at the same moment waits for the
        // first one's row lock, then finds the condition no longer true.
        let claimed = sqlx::query!(
            "update couples set last_hug_at = $1 where id = $2 and (last_hug_at is null or last_hug_at <= $3)",
            at as Ts,
            couple.0,
            ts(after) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(false);
        }
        sqlx::query!(
            "insert into hugs (couple_id, logged_by, created_at) values ($1, $2, $3)",
            couple.0,
            by.0,
            at as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn hugs_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Timestamp>> {
        let times = sqlx::query_scalar!(
            r#"select created_at as "created_at: Ts" from hugs where couple_id = $1 and created_at >= $2
               order by created_at"#,
            couple.0,
            ts(since) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(times.into_iter().map(Ts::to_jiff).collect())
    }
}
