//! Turning what SQLite holds into the domain's types, and back. Everything here either reads
//! a value exactly or says what was wrong with it: a stored value is never swapped for a
//! default.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use tend_domain::store::{StoreError, StoreResult, User};
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, UserId};

/// Any error from the driver, as the domain sees it.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A stored value that cannot be what the column means.
pub(crate) fn bad(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("unreadable stored value: {what}"))
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A time as stored: Unix milliseconds.
pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn ts(ms: i64) -> StoreResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| bad(format_args!("time {ms} ms: {e}")))
}

pub(crate) fn opt_ts(ms: Option<i64>) -> StoreResult<Option<Timestamp>> {
    ms.map(ts).transpose()
}

/// A length of time as stored: milliseconds.
pub(crate) fn millis(d: SignedDuration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(if d.is_negative() { i64::MIN } else { i64::MAX })
}

/// A local day as stored: `YYYY-MM-DD`.
pub(crate) fn day_text(day: Date) -> String {
    day.to_string()
}

pub(crate) fn day(text: &str) -> StoreResult<Date> {
    text.parse().map_err(|e| bad(format_args!("day {text:?}: {e}")))
}

/// A small number (a depth, a round, a closeness) that must lie in `range`.
pub(crate) fn small(n: i64, range: std::ops::RangeInclusive<u8>, what: &str) -> StoreResult<u8> {
    u8::try_from(n)
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| bad(format_args!("{what} {n}, expected {} to {}", range.start(), range.end())))
}

/// A person as every query that reads one selects them.
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub couple_id: Option<i64>,
    pub created_at: i64,
    pub hide_counts: bool,
}

impl UserRow {
    pub(crate) fn into_user(self) -> StoreResult<User> {
        let time_zone = TimeZoneName::parse(&self.time_zone)
            .map_err(|e| bad(format_args!("time zone {:?} of user {}: {e}", self.time_zone, self.id)))?;
        Ok(User {
            id: UserId(self.id),
            email: self.email,
            display_name: self.display_name,
            time_zone,
            couple_id: self.couple_id.map(CoupleId),
            created_at: ts(self.created_at)?,
            hide_counts: self.hide_counts,
        })
    }
}

/// A [`UserRow`] from a query record whose user columns are named `u_id`, `u_email`, …, as
/// in a query that joins users to something else.
macro_rules! user_row {
    ($r:expr) => {
        $crate::decode::UserRow {
            id: $r.u_id,
            email: $r.u_email,
            display_name: $r.u_display_name,
            time_zone: $r.u_time_zone,
            couple_id: $r.u_couple_id,
            created_at: $r.u_created_at,
            hide_counts: $r.u_hide_counts,
        }
    };
}
pub(crate) use user_row;

/// `Ok` when exactly one row was written, `NotFound` otherwise.
pub(crate) fn one_row(n: u64) -> StoreResult<()> {
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(ts(i64::MAX).is_err());
        assert_eq!(ts(0).ok(), Some(Timestamp::UNIX_EPOCH));
        assert!(day("2026-02-30").is_err());
        assert!(day("yesterday").is_err());
        assert_eq!(day("2026-02-03").ok(), Some(jiff::civil::date(2026, 2, 3)));
        assert!(small(0, 1..=7, "closeness").is_err());
        assert!(small(8, 1..=7, "closeness").is_err());
        assert_eq!(small(7, 1..=7, "closeness").ok(), Some(7));
        let row = |zone: &str| UserRow {
            id: 1,
            email: "a@example.org".into(),
            display_name: "A".into(),
            time_zone: zone.into(),
            couple_id: None,
            created_at: 0,
            hide_counts: false,
        };
        assert!(row("Mars/Olympus").into_user().is_err());
        assert!(row("Europe/Berlin").into_user().is_ok());
    }
}
