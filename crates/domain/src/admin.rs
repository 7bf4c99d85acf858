//! The host's admin page: how people get in (the registration mode), who has an account and
//! when they were last seen, a link to hand over to someone who forgot their password,
//! switching an account off and on, and the instance's counts. It never shows anything a
//! couple wrote: names, emails, dates and flags only.
//!
//! An admin is the account that founded the instance, or one the host named with
//! `tend user admin EMAIL`. To everyone else the page does not exist. What one admin may do
//! to another is nothing: no link, no switching off. Only the host, at the command line,
//! changes who is an admin, so no admin can take another's account or lock them out.

use crate::store::User;
use crate::store::admin::{AccountOverview, InstanceCounts};
use crate::{Ctx, Error, Registration, Result, UserId, secret};
use jiff::SignedDuration;

/// How many accounts one page lists.
pub const PAGE_SIZE: u32 = 100;

/// How long a link an admin makes for someone works: a day, time to hand it over in person
/// or by message. Single use; a newer link, or one asked for by email, replaces it.
pub const HANDED_LINK_VALID: SignedDuration = SignedDuration::from_hours(24);

/// How many accounts one read looks through when searching.
const SEARCH_BATCH: u32 = 500;

/// The longest search kept: longer than any name or email.
const FIND_MAX: usize = 254;

/// What the admin page shows.
#[derive(Clone, Debug)]
pub struct Overview {
    pub registration: Registration,
    pub counts: InstanceCounts,
    /// This page of accounts, oldest first.
    pub accounts: Vec<AccountOverview>,
    /// Where the next page starts, when there is one.
    pub next_after: Option<UserId>,
    /// What the accounts were searched for, as it was read (empty: every account).
    pub find: String,
}

/// Whether this person may use the admin page.
pub async fn is_admin(ctx: &Ctx, me: &User) -> Result<bool> {
    Ok(ctx.store.is_admin(me.id).await?)
}

/// Anyone else is told the page is not there, as for anything not theirs.
async fn require_admin(ctx: &Ctx, me: &User) -> Result<()> {
    if is_admin(ctx, me).await? { Ok(()) } else { Err(Error::NotFound) }
}

/// The admin page: the registration mode, the counts, and a page of accounts after `after`,
/// of those whose name or email holds `find` (in any case), or of all when it is empty.
pub async fn overview(ctx: &Ctx, me: &User, after: Option<UserId>, find: &str) -> Result<Overview> {
    require_admin(ctx, me).await?;
    let now = ctx.now();
    let back = |days: i64| now.checked_sub(SignedDuration::from_hours(24 * days)).unwrap_or(now);
    let counts = ctx.store.instance_counts(back(7), back(30)).await?;
    // The term is kept as typed (to show it again) and matched in lower case.
    let find: String = find.trim().chars().filter(|c| !c.is_control()).take(FIND_MAX).collect();
    let needle = find.to_lowercase();
    let holds = |a: &AccountOverview| {
        needle.is_empty() || a.email.to_lowercase().contains(&needle) || a.display_name.to_lowercase().contains(&needle)
    };
    // Names and emails are few and short: an instance's accounts are looked through in
    // batches, in order, until one more than a page has been found.
    let batch = if find.is_empty() { PAGE_SIZE + 1 } else { SEARCH_BATCH };
    let (mut accounts, mut cursor) = (Vec::new(), after);
    loop {
        let read = ctx.store.account_overviews(cursor, batch).await?;
        let ended = read.len() < batch as usize;
        cursor = read.last().map(|a| a.id);
        accounts.extend(read.into_iter().filter(|a| holds(a)));
        if ended || accounts.len() > PAGE_SIZE as usize {
            break;
        }
    }
    let next_after = if accounts.len() > PAGE_SIZE as usize {
        accounts.truncate(PAGE_SIZE as usize);
        accounts.last().map(|a| a.id)
    } else {
        None
    };
    Ok(Overview { registration: ctx.policy.registration, counts, accounts, next_after, find })
}

/// The account an admin acts on, which must be someone else's and still here.
async fn other_account(ctx: &Ctx, me: &User, account: UserId) -> Result<AccountOverview> {
    require_admin(ctx, me).await?;
    let found = ctx.store.account_overview(account).await?.ok_or(Error::NotFound)?;
    if found.id == me.id {
        return Err(Error::rejected(
            "That’s your own account: change your password in Settings, and an admin account can’t be switched off here.",
        ));
    }
    Ok(found)
}

/// A single-use link for `account` to set a new password, valid for a day, for the admin to
/// hand over. Returned once; only its hash is kept. The person's sessions stay until the link
/// is used, and then end everywhere, as with "forgot password".
pub async fn make_reset_link(ctx: &Ctx, me: &User, account: UserId) -> Result<(AccountOverview, secret::Secret)> {
    let found = other_account(ctx, me, account).await?;
    if found.admin {
        return Err(Error::rejected(format!(
            "{} is an admin, so only they (in Settings) or the host (with `tend user reset-password {}`) can set their password.",
            found.display_name, found.email
        )));
    }
    if found.disabled_at.is_some() {
        return Err(Error::rejected(format!(
            "{}’s account is switched off. Switch it back on first, then make the link.",
            found.display_name
        )));
    }
    let token = crate::account::new_reset_link(ctx, found.id, HANDED_LINK_VALID).await?;
    Ok((found, token))
}

/// Switches someone's account off: they are signed out everywhere at once (sessions, API
/// tokens, open pages' live updates, unused reset links) and cannot sign in until an admin
/// switches it back on. Nothing of theirs is deleted; their partner, if any, stays paired.
/// Admins cannot be switched off here, so an instance never locks its admins out.
pub async fn disable(ctx: &Ctx, me: &User, account: UserId) -> Result<AccountOverview> {
    let found = other_account(ctx, me, account).await?;
    if found.admin {
        return Err(Error::rejected(format!(
            "{} is an admin, so their account can’t be switched off here. The host can take the admin role back with `tend user admin {} --remove`.",
            found.display_name, found.email
        )));
    }
    if found.disabled_at.is_none() {
        let now = ctx.now();
        if !ctx.store.set_disabled(found.id, Some(now), now).await? {
            return Err(Error::NotFound);
        }
        if let Some(user) = ctx.store.user(found.id).await? {
            ctx.access_changed(&user).await;
        }
    }
    Ok(found)
}

/// Switches an account back on: the person can sign in again with their password.
pub async fn enable(ctx: &Ctx, me: &User, account: UserId) -> Result<AccountOverview> {
    let found = other_account(ctx, me, account).await?;
    if found.disabled_at.is_some() && !ctx.store.set_disabled(found.id, None, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    Ok(found)
}

/// For the host: names the account with this email an admin, or takes the name back (from
/// the founding account too). Returns the account.
pub async fn name_admin(ctx: &Ctx, email: &str, admin: bool) -> Result<User> {
    let user = crate::account::find_by_email(ctx, email).await?;
    if !ctx.store.set_admin(user.id, admin, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    Ok(user)
}
