//! Housekeeping that any node may run at any time: deleting twice is the same as deleting once.

use crate::error::Result;
use crate::{Ctx, throttle};

/// What one round of housekeeping removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub failures: u64,
    pub sessions: u64,
}

/// Forgets log-in attempts older than the throttling window and deletes expired sessions.
pub async fn prune(ctx: &Ctx) -> Result<Pruned> {
    let now = ctx.now();
    let failures = ctx.store.prune_failures(now.checked_sub(throttle::WINDOW).unwrap_or(now)).await?;
    let sessions = ctx.store.prune_sessions(now).await?;
    Ok(Pruned { failures, sessions })
}
