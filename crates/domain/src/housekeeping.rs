//! Housekeeping: dropping what is no longer needed (old log-in attempts, expired sessions,
//! settled reminders, photo files that belong to no photo). It runs through the same claim as everything periodic: on many nodes
//! at once, one node does each round (and deleting twice would be harmless anyway).

use crate::error::Result;
use crate::{Ctx, reminder, throttle};
use jiff::SignedDuration;

/// How often a round runs, across all nodes together.
pub const EVERY: SignedDuration = SignedDuration::from_hours(1);

/// What one round of housekeeping removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub failures: u64,
    pub sessions: u64,
    pub reminders: u64,
    /// Photo objects left with no photo (an upload or a deletion cut off half-way).
    pub orphans: u64,
}

/// Runs a round if no node has run one in the last [`EVERY`]; `None` when another node has.
pub async fn run_if_due(ctx: &Ctx) -> Result<Option<Pruned>> {
    let now = ctx.now();
    let next = now.checked_add(EVERY).unwrap_or(now);
    if !ctx.store.claim_job("housekeeping", now, next).await? {
        return Ok(None);
    }
    prune(ctx).await.map(Some)
}

/// Forgets log-in attempts older than the throttling window, deletes expired sessions and
/// reminders settled long ago (with the daily counts and nudges of days long past).
pub async fn prune(ctx: &Ctx) -> Result<Pruned> {
    let now = ctx.now();
    let failures = ctx.store.prune_failures(now.checked_sub(throttle::WINDOW).unwrap_or(now)).await?;
    let sessions = ctx.store.prune_sessions(now).await?;
    let before = now.checked_sub(reminder::KEEP).unwrap_or(now);
    // Days are local: two days' margin covers every zone.
    let day_before =
        before.to_zoned(jiff::tz::TimeZone::UTC).date().checked_sub(jiff::Span::new().days(2)).unwrap_or_default();
    let reminders = ctx.store.prune_reminders(before, day_before).await?;
    let orphans = crate::photo::sweep(ctx).await?;
    Ok(Pruned { failures, sessions, reminders, orphans })
}
