//! Log-in throttling, kept in the database so that it holds across every node.
//!
//! Failures are counted per account (by the email as typed, so unknown emails are throttled
//! alike and nothing is revealed) and per client address, over a sliding window.

use crate::Ctx;
use crate::error::{Error, Result};
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

/// Refuses while either key is over its limit, saying how long to wait.
pub async fn check(ctx: &Ctx, keys: &Keys) -> Result<()> {
    let now = ctx.now();
    let since = now.checked_sub(WINDOW).unwrap_or(now);
    let mut wait = 0u64;
    for (key, limit) in [(&keys.account, ACCOUNT_LIMIT), (&keys.address, ADDRESS_LIMIT)] {
        let (count, oldest) = ctx.store.failures_since(key, since).await?;
        if count >= limit {
            let frees_at = oldest.and_then(|t| t.checked_add(WINDOW).ok()).unwrap_or(now);
            let secs = frees_at.duration_since(now).as_secs().max(1);
            wait = wait.max(u64::try_from(secs).unwrap_or(1));
        }
    }
    if wait > 0 { Err(Error::Throttled { retry_after_secs: wait }) } else { Ok(()) }
}

pub async fn fail(ctx: &Ctx, keys: &Keys) -> Result<()> {
    let now = ctx.now();
    ctx.store.record_failure(&[keys.account.clone(), keys.address.clone()], now).await?;
    Ok(())
}
