//! The couple's rhythm: the agreed time of each practice, the proposals waiting for the other
//! partner, the practices marked as done, and the tech-free evenings.
//!
//! A practice has at most one agreed slot (`agreed` true) and one proposal (`agreed` false):
//! the primary key is (couple_id, practice, agreed). Accepting removes the agreed row and turns
//! the proposal into it in one transaction; a second accept at the same moment waits for the
//! first one's row locks, then finds no proposal left. A couple has at most one open evening:
//! the row that holds the place has `open_slot` true, every other row NULL, and a unique index
//! on (couple_id, open_slot) lets only one true row in.

use crate::{PgStore, Ts, db, ts, unreadable};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use tend_domain::rhythm::{MINUTES_MAX, MINUTES_MIN, Practice, Slot};
use tend_domain::store::{PracticeMark, Rhythms, StoreError, StoreResult, StoredSlot};
use tend_domain::tech_free::Evening;
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, EveningId, UserId};

pub(crate) fn practice(id: &str) -> StoreResult<Practice> {
    Practice::parse(id).filter(|p| p.as_str() == id).ok_or_else(|| unreadable(format!("unknown practice {id:?}")))
}

/// A slot as its queries read it (and the reminders' candidates, which join it).
pub(crate) struct SlotRow {
    pub practice: String,
    pub weekday: Option<i16>,
    pub nth: Option<i16>,
    pub at_minute: i16,
    pub minutes: i16,
    pub zone: String,
    pub proposed_by: i64,
    pub proposed_at: Ts,
    pub agreed_at: Option<Ts>,
}

impl SlotRow {
    pub(crate) fn into_stored(self) -> StoreResult<StoredSlot> {
        let practice = practice(&self.practice)?;
        let what = |field: &str| format!("the {} slot's {field}", practice.as_str());
        let weekday = match self.weekday {
            None => None,
            Some(n) => Some(
                i8::try_from(n)
                    .ok()
                    .and_then(|n| Weekday::from_monday_one_offset(n).ok())
                    .ok_or_else(|| unreadable(format!("{} {n} is not 1–7", what("weekday"))))?,
            ),
        };
        let nth = match self.nth {
            None => None,
            Some(n) => Some(
                u8::try_from(n)
                    .ok()
                    .filter(|n| (1..=4).contains(n))
                    .ok_or_else(|| unreadable(format!("{} {n} is not 1–4", what("week of the month"))))?,
            ),
        };
        let at = time_of_day(self.at_minute)
            .ok_or_else(|| unreadable(format!("{} {} is not a minute of the day", what("time"), self.at_minute)))?;
        let minutes = u16::try_from(self.minutes)
            .ok()
            .filter(|m| (MINUTES_MIN..=MINUTES_MAX).contains(m))
            .ok_or_else(|| unreadable(format!("{} of {} minutes is out of range", what("length"), self.minutes)))?;
        let zone = TimeZoneName::parse(&self.zone)
            .map_err(|e| unreadable(format!("{} {:?}: {e}", what("time zone"), self.zone)))?;
        Ok(StoredSlot {
            practice,
            slot: Slot { weekday, nth, at, minutes, zone },
            proposed_by: UserId(self.proposed_by),
            proposed_at: self.proposed_at.to_jiff(),
            agreed_at: self.agreed_at.map(Ts::to_jiff),
        })
    }
}

/// A time of day as stored (a slot's, or the edge of quiet hours): whole minutes after
/// midnight. A time with seconds is refused rather than cut short.
pub(crate) fn at_minute(at: Time) -> StoreResult<i16> {
    if at.second() != 0 || at.subsec_nanosecond() != 0 {
        return Err(StoreError::Backend(format!("a time of day must be whole minutes, not {at}")));
    }
    Ok(i16::from(at.hour()) * 60 + i16::from(at.minute()))
}

/// A time of day read back from minutes after midnight; `None` when it is not one.
pub(crate) fn time_of_day(minute: i16) -> Option<Time> {
    u16::try_from(minute)
        .ok()
        .filter(|m| *m < 24 * 60)
        .and_then(|m| Time::new(i8::try_from(m / 60).ok()?, i8::try_from(m % 60).ok()?, 0, 0).ok())
}

fn slot_minutes(m: u16) -> StoreResult<i16> {
    i16::try_from(m).map_err(|_| StoreError::Backend(format!("a slot of {m} minutes is too long to store")))
}

/// An evening as its queries read it.
struct EveningRow {
    id: i64,
    started_by: i64,
    started_at: Ts,
    ends_at: Ts,
    joined_at: Option<Ts>,
    ended_at: Option<Ts>,
    ended_by: Option<i64>,
    note: Option<String>,
    noted_by: Option<i64>,
}

impl EveningRow {
    fn into_evening(self) -> Evening {
        Evening {
            id: EveningId(self.id),
            started_by: UserId(self.started_by),
            started_at: self.started_at.to_jiff(),
            ends_at: self.ends_at.to_jiff(),
            joined_at: self.joined_at.map(Ts::to_jiff),
            ended_at: self.ended_at.map(Ts::to_jiff),
            ended_by: self.ended_by.map(UserId),
            note: self.note,
            noted_by: self.noted_by.map(UserId),
        }
    }
}

#[async_trait]
impl Rhythms for PgStore {
    async fn rhythm_slots(&self, couple: CoupleId) -> StoreResult<Vec<StoredSlot>> {
        let rows = sqlx::query_as!(
            SlotRow,
            r#"select practice, weekday, nth, at_minute, minutes, zone, proposed_by,
                      proposed_at as "proposed_at: Ts", agreed_at as "agreed_at: Ts"
               from rhythm_slots where couple_id = $1 order by practice, agreed"#,
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
        // One proposal per practice: a new one, by either partner, takes the earlier one's place.
        sqlx::query!(
            "insert into rhythm_slots (couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, \
                 proposed_by, proposed_at, agreed_at) \
             values ($1, $2, false, $3, $4, $5, $6, $7, $8, $9, null) \
             on conflict (couple_id, practice, agreed) do update set weekday = excluded.weekday, nth = excluded.nth, \
                 at_minute = excluded.at_minute, minutes = excluded.minutes, zone = excluded.zone, \
                 proposed_by = excluded.proposed_by, proposed_at = excluded.proposed_at",
            couple.0,
            practice.as_str(),
            slot.weekday.map(|w| i16::from(w.to_monday_one_offset())),
            slot.nth.map(i16::from),
            at_minute(slot.at)?,
            slot_minutes(slot.minutes)?,
            slot.zone.as_str(),
            by.0,
            ts(now) as Ts
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The old agreed slot goes, then the other partner's proposal takes its place. Without a
        // proposal to accept nothing is committed and the old slot stays.
        sqlx::query!(
            "delete from rhythm_slots where couple_id = $1 and practice = $2 and agreed \
             and exists (select 1 from rhythm_slots p \
                         where p.couple_id = $1 and p.practice = $2 and not p.agreed and p.proposed_by <> $3 \
                         and ($4::timestamptz is null or p.proposed_at = $4))",
            couple.0,
            practice.as_str(),
            by.0,
            seen.map(ts) as Option<Ts>
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let accepted = sqlx::query!(
            "update rhythm_slots set agreed = true, agreed_at = $1 \
             where couple_id = $2 and practice = $3 and not agreed and proposed_by <> $4 \
             and ($5::timestamptz is null or proposed_at = $5)",
            ts(now) as Ts,
            couple.0,
            practice.as_str(),
            by.0,
            seen.map(ts) as Option<Ts>
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
        let n = sqlx::query!(
            "delete from rhythm_slots where couple_id = $1 and practice = $2 and not agreed",
            couple.0,
            practice.as_str()
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn mark_practice(&self, couple: CoupleId, practice: Practice, by: UserId, now: Timestamp) -> StoreResult<()> {
        sqlx::query!(
            "insert into practice_marks (couple_id, practice, by, at) values ($1, $2, $3, $4)",
            couple.0,
            practice.as_str(),
            by.0,
            ts(now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn practice_marks_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<PracticeMark>> {
        let rows = sqlx::query!(
            r#"select practice, by, at as "at: Ts" from practice_marks
               where couple_id = $1 and at >= $2 order by at, id"#,
            couple.0,
            ts(since) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| Ok(PracticeMark { practice: practice(&r.practice)?, by: UserId(r.by), at: r.at.to_jiff() }))
            .collect()
    }

    async fn open_evening(&self, couple: CoupleId, now: Timestamp) -> StoreResult<Option<Evening>> {
        let row = sqlx::query_as!(
            EveningRow,
            r#"select id, started_by, started_at as "started_at: Ts", ends_at as "ends_at: Ts",
                      joined_at as "joined_at: Ts", ended_at as "ended_at: Ts", ended_by, note, noted_by
               from evenings where couple_id = $1 and open_slot and ended_at is null and ends_at > $2"#,
            couple.0,
            ts(now) as Ts
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(EveningRow::into_evening))
    }

    async fn start_evening(
        &self,
        couple: CoupleId,
        by: UserId,
        now: Timestamp,
        ends_at: Timestamp,
    ) -> StoreResult<Option<EveningId>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // An evening that ran to its end time gives up the open place; it ended by time, so
        // ended_at stays empty.
        sqlx::query!(
            "update evenings set open_slot = null where couple_id = $1 and open_slot and ends_at <= $2",
            couple.0,
            ts(now) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into evenings (couple_id, started_by, started_at, ends_at, open_slot) \
             values ($1, $2, $3, $4, true) on conflict (couple_id, open_slot) do nothing returning id",
            couple.0,
            by.0,
            ts(now) as Ts,
            ts(ends_at) as Ts
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(EveningId))
    }

    async fn join_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query!(
            "update evenings set joined_at = $1 \
             where id = $2 and couple_id = $3 and started_by <> $4 and joined_at is null and ended_at is null \
             and ends_at > $1",
            ts(now) as Ts,
            id.0,
            couple.0,
            by.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn end_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let n = sqlx::query!(
            "update evenings set ended_at = $1, ended_by = $2, open_slot = null \
             where id = $3 and couple_id = $4 and ended_at is null and ends_at > $1",
            ts(now) as Ts,
            by.0,
            id.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn note_evening(
        &self,
        couple: CoupleId,
        id: EveningId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = sqlx::query!(
            "update evenings set note = $1, noted_by = $2, noted_at = $3 \
             where id = $4 and couple_id = $5 and (ended_at is not null or ends_at <= $3)",
            note,
            by.0,
            ts(now) as Ts,
            id.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn evening(&self, couple: CoupleId, id: EveningId) -> StoreResult<Option<Evening>> {
        let row = sqlx::query_as!(
            EveningRow,
            r#"select id, started_by, started_at as "started_at: Ts", ends_at as "ends_at: Ts",
                      joined_at as "joined_at: Ts", ended_at as "ended_at: Ts", ended_by, note, noted_by
               from evenings where id = $1 and couple_id = $2"#,
            id.0,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(EveningRow::into_evening))
    }

    async fn evenings_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Evening>> {
        let rows = sqlx::query_as!(
            EveningRow,
            r#"select id, started_by, started_at as "started_at: Ts", ends_at as "ends_at: Ts",
                      joined_at as "joined_at: Ts", ended_at as "ended_at: Ts", ended_by, note, noted_by
               from evenings where couple_id = $1 and started_at >= $2 order by started_at desc, id desc"#,
            couple.0,
            ts(since) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(EveningRow::into_evening).collect())
    }
}
