//! Log-in throttling, kept in the database so that it holds across every node.
//!
//! Attempts are counted per account (by the email as typed, so unknown emails are throttled
//! alike and nothing is revealed) and per client address, over a sliding window. Each attempt
//! is written down before it is decided, and one that succeeds is taken back, so what counts is
//! failures, and a parallel burst cannot slip past the count.

use crate::Ctx;
use crate::error::{Error, Result};
use crate::store::Attempts;
use jiff::SignedDuration;

pub const WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Failures per account within the window before log-in pauses for that account.
pub const ACCOUNT_LIMIT: u64 = 5;
/// Failures per client address within the window; higher, since households share addresses.
pub const ADDRESS_LIMIT: u64 = 30;

#[derive(Clone, Debug)]
pub struct Keys {
    pub account: String,
    pub address: String,
}

pub fn login_keys(email: &str, ip: &str) -> Keys {
    Keys { account: format!("login:{email}"), address: format!("addr:{ip}") }
}

/// Wrong invite codes count against the address, like wrong passwords.
pub fn invite_keys(user: crate::UserId, ip: &str) -> Keys {
    Keys { account: format!("invite:{user}"), address: format!("addr:{ip}") }
}

/// An attempt already written down, to take back if it succeeds.
#[must_use = "a successful attempt must be taken back with `succeeded`"]
#[derive(Debug)]
pub struct Attempt {
    keys: Keys,
    at: jiff::Timestamp,
}

/// Records the attempt first, atomically, and then decides: of any number of attempts at
/// once, at most the limit go through, since each counts itself and all before it. An attempt
/// over the limit stays recorded, so hammering keeps the door shut.
pub async fn attempt(ctx: &Ctx, keys: &Keys) -> Result<Attempt> {
    let now = ctx.now();
    let since = now.checked_sub(WINDOW).unwrap_or(now);
    let counts = ctx.store.record_attempt(&[keys.account.clone(), keys.address.clone()], now, since).await?;
    let [account, address] = counts[..] else {
        return Err(Error::Internal("the store counted the wrong number of keys".into()));
    };
    decide(now, [(account, ACCOUNT_LIMIT), (address, ADDRESS_LIMIT)])?;
    Ok(Attempt { keys: keys.clone(), at: now })
}

/// A successful attempt: the account's slate is wiped and the address's attempt taken back,
/// so people who share an address are not held up by each other's successful log-ins.
pub async fn succeeded(ctx: &Ctx, attempt: Attempt) -> Result<()> {
    ctx.store.clear_failures(&attempt.keys.account).await?;
    ctx.store.forget_attempt(&attempt.keys.address, attempt.at).await?;
    Ok(())
}

/// Refuses when a key has more attempts than its limit (this one included), saying how long
/// until the oldest of them leaves the window.
fn decide(now: jiff::Timestamp, counts: [(Attempts, u64); 2]) -> Result<()> {
    let mut wait = 0u64;
    for (attempts, limit) in counts {
        if attempts.count > limit {
            let frees_at = attempts.oldest.and_then(|t| t.checked_add(WINDOW).ok()).unwrap_or(now);
            let secs = frees_at.duration_since(now).as_secs().max(1);
            wait = wait.max(u64::try_from(secs).unwrap_or(1));
        }
    }
    if wait > 0 { Err(Error::Throttled { retry_after_secs: wait }) } else { Ok(()) }
}
