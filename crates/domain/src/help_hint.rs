//! The private help hint: when a person's *own* entries show distance that persists, Tend
//! gently points them, and only them, to Getting support. It reads nothing of the partner's,
//! is never sent as an event, never appears in anything the partner can see or export, and is
//! off with one tap.

use crate::Ctx;
use crate::error::{Error, Result};
use crate::state_of_us::StateOfUs;
use crate::store::User;
use crate::store::reflections::ClosenessMark;
use jiff::ToSpan;
use jiff::civil::Date;

/// How far back the hint looks at check-ins.
pub const WINDOW_DAYS: i64 = 21;
/// At least this many of one's own check-ins in the window before the hint says anything.
pub const MIN_CHECK_INS: usize = 8;
/// A closeness at or below this counts as feeling distant.
pub const DISTANT: u8 = 3;

/// Whether one's own entries call for the hint: closeness of 3 or less on most of one's
/// check-ins over three weeks (at least eight of them, spread over at least two weeks), or
/// "we keep having the same argument" in two of one's last three States of Us.
pub fn persistent_distance(me: crate::UserId, today: Date, check_ins: &[ClosenessMark], states: &[StateOfUs]) -> bool {
    let recent = |d: Date| today.checked_sub(WINDOW_DAYS.days()).is_ok_and(|from| d > from && d <= today);
    let mine: Vec<&ClosenessMark> = check_ins.iter().filter(|c| c.author == me && recent(c.day)).collect();
    let spread = match (mine.iter().map(|c| c.day).min(), mine.iter().map(|c| c.day).max()) {
        (Some(first), Some(last)) => (last - first).get_days() >= 7,
        _ => false,
    };
    let distant = mine.iter().filter(|c| c.closeness <= DISTANT).count();
    let by_closeness = mine.len() >= MIN_CHECK_INS && spread && distant * 2 > mine.len();
    let mut own: Vec<&StateOfUs> = states.iter().filter(|s| s.author == me).collect();
    own.sort_by_key(|s| std::cmp::Reverse(s.week));
    let stuck = own.iter().take(3).filter(|s| s.stuck).count() >= 2;
    by_closeness || stuck
}

/// Whether to show `me` the hint now.
pub async fn for_me(ctx: &Ctx, me: &User) -> Result<bool> {
    let Some(couple) = me.couple_id else { return Ok(false) };
    if ctx.store.help_hint_off(me.id).await? {
        return Ok(false);
    }
    let today = me.time_zone.today(ctx.now());
    let from = today.checked_sub(WINDOW_DAYS.days()).map_err(|e| Error::Internal(e.to_string()))?;
    let weeks_from = today.checked_sub(4.weeks()).map_err(|e| Error::Internal(e.to_string()))?;
    let check_ins = ctx.store.closeness_between(couple, from, today).await?;
    let states = ctx.store.states_of_us(couple, weeks_from, today).await?;
    Ok(persistent_distance(me.id, today, &check_ins, &states))
}

/// Turns the hint off (or on again) for `me` alone. No event: the partner's pages have
/// nothing to change.
pub async fn set_off(ctx: &Ctx, me: &User, off: bool) -> Result<()> {
    ctx.store.set_help_hint_off(me.id, off, ctx.now()).await?;
    Ok(())
}

pub async fn is_off(ctx: &Ctx, me: &User) -> Result<bool> {
    Ok(ctx.store.help_hint_off(me.id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;
    use jiff::Timestamp;

    fn day(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn marks(author: i64, values: &[u8]) -> Vec<ClosenessMark> {
        let today = day("2026-03-21");
        values
            .iter()
            .enumerate()
            .map(|(i, &closeness)| ClosenessMark {
                author: UserId(author),
                day: today.checked_sub(i64::try_from(i * 2).unwrap_or(0).days()).expect("day"),
                closeness,
            })
            .collect()
    }

    fn state(author: i64, week: &str, stuck: bool) -> StateOfUs {
        StateOfUs {
            author: UserId(author),
            week: day(week),
            went_well: String::new(),
            need_more: String::new(),
            need_less: String::new(),
            feeling: "calm".into(),
            topic: String::new(),
            stuck,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn low_closeness_on_most_of_my_own_check_ins_for_three_weeks() {
        let today = day("2026-03-21");
        let me = UserId(1);
        assert!(persistent_distance(me, today, &marks(1, &[2, 3, 2, 5, 3, 1, 2, 6, 3, 2]), &[]));
        // Too few to say.
        assert!(!persistent_distance(me, today, &marks(1, &[2, 2, 2, 2, 2]), &[]));
        // Mostly close.
        assert!(!persistent_distance(me, today, &marks(1, &[2, 5, 6, 5, 3, 6, 5, 6, 4, 2]), &[]));
        // The partner's check-ins never count, however low.
        assert!(!persistent_distance(me, today, &marks(2, &[1; 10]), &[]));
        // Nor the partner's "same argument".
        let theirs = [state(2, "2026-03-16", true), state(2, "2026-03-09", true)];
        assert!(!persistent_distance(me, today, &[], &theirs));
    }

    #[test]
    fn the_same_argument_in_two_of_my_last_three_weeks() {
        let today = day("2026-03-21");
        let me = UserId(1);
        let two = [state(1, "2026-03-16", true), state(1, "2026-03-09", false), state(1, "2026-03-02", true)];
        assert!(persistent_distance(me, today, &[], &two));
        let once = [state(1, "2026-03-16", true), state(1, "2026-03-09", false), state(1, "2026-03-02", false)];
        assert!(!persistent_distance(me, today, &[], &once));
    }
}
