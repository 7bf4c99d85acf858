//! Pairing: invites, joining, the couple as each partner sees it, and unpairing.
//!
//! A couple has exactly two partners and a person belongs to at most one couple. A couple
//! comes into being when an invite is redeemed, so there is never a half-made couple.

use crate::error::{Error, Result};
use crate::ids::{CoupleId, InviteId};
use crate::secret::{self, Secret, SecretHash};
use crate::store::{NewInvite, RedeemFailure, User};
use crate::{Ctx, throttle};
use jiff::{SignedDuration, Timestamp};

pub const INVITE_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 7);
pub const INVITE_PREFIX: &str = "inv_";
pub const INVITE_UNKNOWN: &str = "We don’t know that invite. Check the link or code with your partner.";

/// What happens to each partner's words when a couple unpairs. Shown before confirming, in
/// the API description, and carried out by `unpair` exactly.
pub const UNPAIR_RULE: [&str; 4] = [
    "Each of you keeps only your own words. Everything you wrote, private or shared, stays stored with your account, for you alone.",
    "What your partner wrote leaves with them, including what they shared with you. Neither of you can see the other’s entries any more.",
    "Nothing stays shared: your couple space closes, and an open invite is cancelled.",
    "Either of you can pair again later, with a new invite; nothing from this couple carries over.",
];

/// The stored facts of an invite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteRecord {
    pub id: InviteId,
    pub inviter: User,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

/// A fresh invite: the link token and the short code are each shown once.
#[derive(Debug)]
pub struct CreatedInvite {
    pub token: Secret,
    pub code: String,
    pub expires_at: Timestamp,
}

/// The hash under which a presented link token or typed code is stored; `None` when the
/// text can be neither.
pub fn invite_hash(presented: &str) -> Option<SecretHash> {
    let presented = presented.trim();
    // A whole pasted link works too.
    let presented = presented.rsplit('/').next().unwrap_or(presented);
    if presented.starts_with(INVITE_PREFIX) {
        (presented.len() < 100).then(|| SecretHash::of(presented))
    } else {
        secret::normalize_code(presented).map(|c| SecretHash::of(&format!("code:{c}")))
    }
}

pub fn redeem_message(failure: RedeemFailure) -> &'static str {
    match failure {
        RedeemFailure::Unknown => INVITE_UNKNOWN,
        RedeemFailure::Expired => "This invite has expired. Invites last 7 days; ask your partner for a new one.",
        RedeemFailure::Used => "This invite has already been used. Ask your partner for a new one.",
        RedeemFailure::OwnInvite => "This is your own invite. Send it to your partner so they can join you.",
        RedeemFailure::InviterPaired => "The person who sent this invite is already paired with someone.",
        RedeemFailure::JoinerPaired => "You are already paired. To join someone else, unpair first in Settings.",
    }
}

/// The couple as one partner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Us {
    pub couple_id: CoupleId,
    pub me: User,
    pub partner: User,
    pub since: Timestamp,
}

/// Where a person stands: paired, or not yet (perhaps with an open invite).
#[derive(Clone, Debug)]
pub enum Standing {
    Paired(Us),
    Single { open_invite: Option<InviteRecord> },
}

pub async fn standing(ctx: &Ctx, me: &User) -> Result<Standing> {
    match me.couple_id {
        Some(_) => Ok(Standing::Paired(us(ctx, me).await?)),
        None => Ok(Standing::Single { open_invite: ctx.store.open_invite_of(me.id, ctx.now()).await? }),
    }
}

/// The caller's couple; every couple-scoped use case starts here, so nothing can reach
/// another couple's data.
pub async fn us(ctx: &Ctx, me: &User) -> Result<Us> {
    let couple_id = me.couple_id.ok_or_else(|| Error::rejected("You aren’t paired yet. Invite your partner first."))?;
    let members = ctx.store.users_in_couple(couple_id).await?;
    let me = members.iter().find(|u| u.id == me.id).cloned().ok_or(Error::NotFound)?;
    let partner = members.into_iter().find(|u| u.id != me.id).ok_or(Error::NotFound)?;
    let since = ctx.store.couple_since(couple_id).await?.ok_or(Error::NotFound)?;
    Ok(Us { couple_id, me, partner, since })
}

pub async fn create_invite(ctx: &Ctx, me: &User) -> Result<CreatedInvite> {
    if me.couple_id.is_some() {
        return Err(Error::rejected("You are already paired, so there is no one left to invite."));
    }
    let token = Secret::generate(INVITE_PREFIX);
    let code = secret::invite_code();
    let now = ctx.now();
    let expires_at = now.saturating_add(INVITE_LIFETIME).unwrap_or(now);
    let code_hash = invite_hash(&code).ok_or_else(|| Error::Internal("generated code does not parse".into()))?;
    ctx.store
        .create_invite(&NewInvite { inviter: me.id, token_hash: token.hash(), code_hash, now, expires_at })
        .await?;
    Ok(CreatedInvite { token, code, expires_at })
}

pub async fn cancel_invite(ctx: &Ctx, me: &User) -> Result<()> {
    ctx.store.cancel_invites_of(me.id).await?;
    Ok(())
}

/// What someone opening an invite link may learn before joining: who sent it and whether it
/// still works.
#[derive(Clone, Debug)]
pub struct InvitePreview {
    pub inviter_name: String,
    pub expires_at: Timestamp,
    pub problem: Option<&'static str>,
}

pub async fn preview_invite(ctx: &Ctx, presented: &str, viewer: Option<&User>) -> Result<InvitePreview> {
    let hash = invite_hash(presented).ok_or(Error::NotFound)?;
    let invite = ctx.store.invite_by_hash(&hash).await?.ok_or(Error::NotFound)?;
    let failure = check_invite(&invite, viewer, ctx.now());
    Ok(InvitePreview {
        inviter_name: invite.inviter.display_name,
        expires_at: invite.expires_at,
        problem: failure.map(redeem_message),
    })
}

fn check_invite(invite: &InviteRecord, joiner: Option<&User>, now: Timestamp) -> Option<RedeemFailure> {
    if invite.used_at.is_some() {
        Some(RedeemFailure::Used)
    } else if invite.expires_at <= now {
        Some(RedeemFailure::Expired)
    } else if invite.inviter.couple_id.is_some() {
        Some(RedeemFailure::InviterPaired)
    } else if joiner.is_some_and(|j| j.id == invite.inviter.id) {
        Some(RedeemFailure::OwnInvite)
    } else if joiner.is_some_and(|j| j.couple_id.is_some()) {
        Some(RedeemFailure::JoinerPaired)
    } else {
        None
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct Join {
    /// The invite link's token, the whole link, or the short code.
    #[serde(default)]
    pub invite: String,
}

/// Joins the partner who sent the invite. Unknown codes count toward the caller's throttle,
/// so codes cannot be guessed.
pub async fn join(ctx: &Ctx, me: &User, form: Join, ip: &str) -> Result<Us> {
    // Recorded before it is decided, so a burst of guesses cannot slip past the count; taken
    // back below once the invite is a real one, so only unknown codes keep counting.
    let attempt = throttle::attempt(ctx, &throttle::invite_keys(me.id, ip)).await?;
    if me.couple_id.is_some() {
        return Err(Error::field("invite", redeem_message(RedeemFailure::JoinerPaired)));
    }
    if form.invite.trim().is_empty() {
        return Err(Error::field("invite", "Please paste the invite link or type the code."));
    }
    let Some(hash) = invite_hash(&form.invite) else {
        return Err(Error::field("invite", INVITE_UNKNOWN));
    };
    let Some(invite) = ctx.store.invite_by_hash(&hash).await? else {
        return Err(Error::field("invite", INVITE_UNKNOWN));
    };
    throttle::succeeded(ctx, attempt).await?;
    if let Some(failure) = check_invite(&invite, Some(me), ctx.now()) {
        return Err(Error::field("invite", redeem_message(failure)));
    }
    // The store re-checks every condition in its transaction, for the race we can't see here.
    let couple_id = ctx
        .store
        .redeem_invite(&hash, me.id, ctx.now())
        .await?
        .map_err(|f| Error::field("invite", redeem_message(f)))?;
    let me = ctx.store.user(me.id).await?.ok_or(Error::NotFound)?;
    debug_assert_eq!(me.couple_id, Some(couple_id));
    us(ctx, &me).await
}

/// Ends the caller's couple for both partners, as `UNPAIR_RULE` says.
pub async fn unpair(ctx: &Ctx, me: &User) -> Result<()> {
    let us = us(ctx, me).await?;
    ctx.store.dissolve_couple(us.couple_id, ctx.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::time::TimeZoneName;

    fn user(id: i64, couple: Option<i64>) -> User {
        User {
            id: UserId(id),
            email: format!("u{id}@example.org"),
            display_name: format!("U{id}"),
            time_zone: TimeZoneName::default(),
            couple_id: couple.map(CoupleId),
            created_at: Timestamp::UNIX_EPOCH,
            hide_counts: false,
        }
    }

    fn invite(inviter: User, expires_in_hours: i64, used: bool) -> InviteRecord {
        let now = Timestamp::UNIX_EPOCH;
        InviteRecord {
            id: InviteId(1),
            inviter,
            created_at: now,
            expires_at: now.saturating_add(SignedDuration::from_hours(expires_in_hours)).expect("in range"),
            used_at: used.then_some(now),
        }
    }

    #[test]
    fn invites_are_checked_in_a_sensible_order() {
        let now = Timestamp::UNIX_EPOCH;
        let joiner = user(2, None);
        assert_eq!(check_invite(&invite(user(1, None), 1, false), Some(&joiner), now), None);
        assert_eq!(check_invite(&invite(user(1, None), 1, true), Some(&joiner), now), Some(RedeemFailure::Used));
        assert_eq!(check_invite(&invite(user(1, None), 0, false), Some(&joiner), now), Some(RedeemFailure::Expired));
        assert_eq!(
            check_invite(&invite(user(1, Some(9)), 1, false), Some(&joiner), now),
            Some(RedeemFailure::InviterPaired)
        );
        assert_eq!(
            check_invite(&invite(user(1, None), 1, false), Some(&user(1, None)), now),
            Some(RedeemFailure::OwnInvite)
        );
        assert_eq!(
            check_invite(&invite(user(1, None), 1, false), Some(&user(3, Some(4))), now),
            Some(RedeemFailure::JoinerPaired)
        );
        assert_eq!(check_invite(&invite(user(1, None), 1, false), None, now), None);
    }

    #[test]
    fn links_codes_and_pasted_urls_hash_alike() {
        let token = Secret::generate(INVITE_PREFIX);
        let url = format!("https://tend.example/join/{}", token.expose());
        assert_eq!(invite_hash(&url), Some(token.hash()));
        assert_eq!(invite_hash(token.expose()), Some(token.hash()));
        let code = secret::invite_code();
        assert_eq!(invite_hash(&code), invite_hash(&code.to_lowercase().replace('-', " ")));
        assert_ne!(invite_hash(&code), None);
        assert_eq!(invite_hash("hello"), None);
    }
}
