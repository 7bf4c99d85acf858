//! The couple's rhythm: the agreed time of each practice, the proposals waiting for the other
//! partner, the practices marked as done, and the tech-free evenings.
//!
//! A practice has at most one agreed slot (`agreed` = 1) and one proposal (`agreed` = 0): the
//! primary key is (couple_id, practice, agreed). Accepting removes the agreed row and turns the
//! proposal into it in one transaction. A couple has at most one open evening: the row that
//! holds the place has `open_slot` = 1, every other row NULL, and a unique index on
//! (couple_id, open_slot) lets only one in.

use crate::SqliteStore;
use crate::decode::{bad, db, ms, opt_ts, small, ts};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use tend_domain::rhythm::{MINUTES_MAX, MINUTES_MIN, Practice, Slot};
use tend_domain::store::{PracticeMark, Rhythms, StoreError, StoreResult, StoredSlot};
use tend_domain::tech_free::Evening;
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, EveningId, UserId};

pub(crate) fn practice(id: &str) -> StoreResult<Practice> {
    Practice::parse(id).filter(|p| p.as_str() == id).ok_or_else(|| bad(format_args!("practice {id:?}")))
}

/// A slot as its queries read it (and the reminders' candidates, which join it).
pub(crate) struct SlotRow {
    pub practice: String,
    pub weekday: Option<i64>,
    pub nth: Option<i64>,
    pub at_minute: i64,
    pub minutes: i64,
    pub zone: String,
    pub proposed_by: i64,
    pub proposed_at: i64,
    pub agreed_at: Option<i64>,
}

impl SlotRow {
    pub(crate) fn into_stored(self) -> StoreResult<StoredSlot> {
        let weekday = match self.weekday {
            None => None,
            Some(n) => Some(
                i8::try_from(n)
                    .ok()
                    .and_then(|n| Weekday::from_monday_one_offset(n).ok())
                    .ok_or_else(|| bad(format_args!("weekday {n}, expected 1 to 7")))?,
            ),
        };
        let nth = self.nth.map(|n| small(n, 1..=4, "week of the month")).transpose()?;
        let at = time_of_day(self.at_minute)?;
        let minutes = u16::try_from(self.minutes)
            .ok()
            .filter(|m| (MINUTES_MIN..=MINUTES_MAX).contains(m))
            .ok_or_else(|| bad(format_args!("slot length of {} minutes", self.minutes)))?;
        let zone = TimeZoneName::parse(&self.zone).map_err(|e| bad(format_args!("time zone {:?}: {e}", self.zone)))?;
        Ok(StoredSlot {
            practice: practice(&self.practice)?,
            slot: Slot { weekday, nth, at, minutes, zone },
            proposed_by: UserId(self.proposed_by),
            proposed_at: ts(self.proposed_at)?,
            agreed_at: opt_ts(self.agreed_at)?,
        })
    }
}

/// A time of day as stored (a slot's, or the edge of quiet hours): whole minutes after
/// midnight. A time with seconds is refused rather than cut short.
pub(crate) fn at_minute(at: Time) -> StoreResult<i64> {
    if at.second() != 0 || at.subsec_nanosecond() != 0 {
        return Err(StoreError::Backend(format!("a time of day must be whole minutes, not {at}")));
    }
    Ok(i64::from(at.hour()) * 60 + i64::from(at.minute()))
}

/// A time of day as read back from minutes after midnight.
pub(crate) fn time_of_day(minute: i64) -> StoreResult<Time> {
    u16::try_from(minute)
        .ok()
        .filter(|m| *m < 24 * 60)
        .and_then(|m| Time::new(i8::try_from(m / 60).ok()?, i8::try_from(m % 60).ok()?, 0, 0).ok())
        .ok_or_else(|| bad(format_args!("time of day {minute} minutes after midnight")))
}

/// An evening as its queries read it.
struct EveningRow {
    id: i64,
    started_by: i64,
    started_at: i64,
    ends_at: i64,
    joined_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<i64>,
    note: Option<String>,
    noted_by: Option<i64>,
}

impl EveningRow {
    fn into_evening(self) -> StoreResult<Evening> {
        Ok(Evening {
            id: EveningId(self.id),
            started_by: UserId(self.started_by),
            started_at: ts(self.started_at)?,
            ends_at: ts(self.ends_at)?,
            joined_at: opt_ts(self.joined_at)?,
            ended_at: opt_ts(self.ended_at)?,
            ended_by: self.ended_by.map(UserId),
            note: self.note,
            noted_by: self.noted_by.map(UserId),
        })
    }
}

#[async_trait]
impl Rhythms for SqliteStore {
    async fn rhythm_slots(&self, couple: CoupleId) -> StoreResult<Vec<StoredSlot>> {
        let rows = sqlx::query_as!(
            SlotRow,
            "select practice, weekday, nth, at_minute, minutes, zone, proposed_by, proposed_at, agreed_at \
             from rhythm_slots where couple_id = $1 order by practice, agreed",
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(SlotRow::into_stored).collect()
    }

    async fn propose_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        slot: &Slot,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (practice, weekday, nth) =
            (practice.as_str(), slot.weekday.map(|w| i64::from(w.to_monday_one_offset())), slot.nth.map(i64::from));
        let (at, minutes, zone, now) = (at_minute(slot.at)?, i64::from(slot.minutes), slot.zone.as_str(), ms(now));
        // One proposal per practice: a new one, by either partner, takes the earlier one's place.
        sqlx::query!(
            "insert into rhythm_slots (couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, \
                 proposed_by, proposed_at, agreed_at) \
             values ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, null) \
             on conflict (couple_id, practice, agreed) do update set weekday = excluded.weekday, nth = excluded.nth, \
                 at_minute = excluded.at_minute, minutes = excluded.minutes, zone = excluded.zone, \
                 proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at",
            couple.0,
            practice,
            weekday,
            nth,
            at,
            minutes,
            zone,
            by.0,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn accept_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        by: UserId,
        seen: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (practice, now, seen) = (practice.as_str(), ms(now), seen.map(ms));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The old agreed slot goes, then the other partner's proposal takes its place. Without a
        // proposal to accept nothing is committed and the old slot stays.
        sqlx::query!(
            "delete from rhythm_slots where couple_id = $1 and practice = $2 and agreed = 1 \
             and exists (select 1 from rhythm_slots p \
                         where p.couple_id = $1 and p.practice = $2 and p.agreed = 0 and p.proposed_by <> $3 \
                         and ($4 is null or p.proposed_at = $4))",
            couple.0,
            practice,
            by.0,
            seen
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let accepted = sqlx::query!(
            "update rhythm_slots set agreed = 1, agreed_at = $1 \
             where couple_id = $2 and practice = $3 and agreed = 0 and proposed_by <> $4 \
             and ($5 is null or proposed_at = $5)",
            now,
            couple.0,
            practice,
            by.0,
            seen
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !accepted {
            return Ok(false);
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn drop_slot_proposal(&self, couple: CoupleId, practice: Practice) -> StoreResult<bool> {
        let practice = practice.as_str();
        let done = sqlx::query!(
            "delete from rhythm_slots where couple_id = $1 and practice = $2 and agreed = 0",
            couple.0,
            practice
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_practice(&self, couple: CoupleId, practice: Practice, by: UserId, now: Timestamp) -> StoreResult<()> {
        let (practice, now) = (practice.as_str(), ms(now));
        sqlx::query!(
            "insert into practice_marks (couple_id, practice, by, at) values ($1, $2, $3, $4)",
            couple.0,
            practice,
            by.0,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn practice_marks_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<PracticeMark>> {
        let since = ms(since);
        let rows = sqlx::query!(
            "select practice, by, at from practice_marks where couple_id = $1 and at >= $2 order by at, id",
            couple.0,
            since
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| Ok(PracticeMark { practice: practice(&r.practice)?, by: UserId(r.by), at: ts(r.at)? }))
            .collect()
    }

    async fn open_evening(&self, couple: CoupleId, now: Timestamp) -> StoreResult<Option<Evening>> {
        let now = ms(now);
        let row = sqlx::query_as!(
            EveningRow,
            r#"select id as "id!: i64", started_by, started_at, ends_at, joined_at, ended_at, ended_by, note, noted_by
               from evenings where couple_id = $1 and open_slot = 1 and ended_at is null and ends_at > $2"#,
            couple.0,
            now
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(EveningRow::into_evening).transpose()
    }

    async fn start_evening(
        &self,
        couple: CoupleId,
        by: UserId,
        now: Timestamp,
        ends_at: Timestamp,
    ) -> StoreResult<Option<EveningId>> {
        let (now, ends_at) = (ms(now), ms(ends_at));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // An evening that ran to its end time gives up the open place; it ended by time, so
        // ended_at stays empty.
        sqlx::query!(
            "update evenings set open_slot = null where couple_id = $1 and open_slot = 1 and ends_at <= $2",
            couple.0,
            now
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into evenings (couple_id, started_by, started_at, ends_at, open_slot)
               values ($1, $2, $3, $4, 1) on conflict (couple_id, open_slot) do nothing
               returning id as "id!: i64""#,
            couple.0,
            by.0,
            now,
            ends_at
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(EveningId))
    }

    async fn join_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update evenings set joined_at = $1 \
             where id = $2 and couple_id = $3 and started_by <> $4 and joined_at is null and ended_at is null \
             and ends_at > $1",
            now,
            id.0,
            couple.0,
            by.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn end_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update evenings set ended_at = $1, ended_by = $2, open_slot = null \
             where id = $3 and couple_id = $4 and ended_at is null and ends_at > $1",
            now,
            by.0,
            id.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn note_evening(
        &self,
        couple: CoupleId,
        id: EveningId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update evenings set note = $1, noted_by = $2, noted_at = $3 \
             where id = $4 and couple_id = $5 and (ended_at is not null or ends_at <= $3)",
            note,
            by.0,
            now,
            id.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn evening(&self, couple: CoupleId, id: EveningId) -> StoreResult<Option<Evening>> {
        let row = sqlx::query_as!(
            EveningRow,
            r#"select id as "id!: i64", started_by, started_at, ends_at, joined_at, ended_at, ended_by, note, noted_by
               from evenings where id = $1 and couple_id = $2"#,
            id.0,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(EveningRow::into_evening).transpose()
    }

    async fn evenings_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Evening>> {
        let since = ms(since);
        let rows = sqlx::query_as!(
            EveningRow,
            r#"select id as "id!: i64", started_by, started_at, ends_at, joined_at, ended_at, ended_by, note, noted_by
               from evenings where couple_id = $1 and started_at >= $2 order by started_at desc, id desc"#,
            couple.0,
            since
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(EveningRow::into_evening).collect()
    }
}
