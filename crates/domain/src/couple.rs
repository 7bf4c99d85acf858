//! Pairing: invites, joining, the couple as each partner sees it, and unpairing.
//!
//! A couple has exactly two partners and a person belongs to at most one couple. A couple
//! comes into being when an invite is redeemed, so there is never a half-made couple.

use crate::error::{Error, Result};
use crate::ids::{CoupleId, InviteId, UserId};
use crate::secret::{self, Secret, SecretHash};
use crate::store::{NewInvite, RedeemFailure, User};
use crate::{Ctx, throttle};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use sha2::Sha256;

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

/// An invite as its inviter sees it: the link token and the short code.
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
    let (members, since) = ctx.store.couple_members(couple_id).await?.ok_or(Error::NotFound)?;
    let me = members.iter().find(|u| u.id == me.id).cloned().ok_or(Error::NotFound)?;
    let partner = members.into_iter().find(|u| u.id != me.id).ok_or(Error::NotFound)?;
    Ok(Us { couple_id, me, partner, since })
}

/// The invite key: every node derives the same link and code from it.
async fn invite_key(ctx: &Ctx) -> Result<Vec<u8>> {
    let fresh = Secret::generate("");
    Ok(ctx.store.instance_secret("invite-key", fresh.expose()).await?.into_bytes())
}

/// An invite's link token and code, derived from the instance's invite key, the inviter and
/// the moment it was made. The database keeps only their hashes, as before, and redeeming is
/// unchanged (single use, by hash); deriving them again is what lets the inviter see an open
/// invite as often as they need while it is open, after a reload or on another device.
fn derive(key: &[u8], inviter: UserId, created_at: Timestamp) -> Result<(Secret, String)> {
    let mac = |purpose: &str| -> Result<Vec<u8>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| Error::Internal(e.to_string()))?;
        mac.update(format!("{purpose}:{inviter}:{}", created_at.as_millisecond()).as_bytes());
        Ok(mac.finalize().into_bytes().to_vec())
    };
    let token = Secret::from_presented(&format!("{INVITE_PREFIX}{}", URL_SAFE_NO_PAD.encode(mac("invite-link")?)));
    Ok((token, secret::code_from(&mac("invite-code")?)))
}

/// The caller's open invite, with its link and code; `None` when there is none, or when it
/// was made before invites could be shown again (its link and code were never kept).
pub async fn open_invite(ctx: &Ctx, me: &User) -> Result<Option<CreatedInvite>> {
    let Some(open) = ctx.store.open_invite_of(me.id, ctx.now()).await? else { return Ok(None) };
    let (token, code) = derive(&invite_key(ctx).await?, me.id, open.created_at)?;
    let same = ctx.store.invite_by_hash(&token.hash()).await?.is_some_and(|found| found.id == open.id);
    Ok(same.then_some(CreatedInvite { token, code, expires_at: open.expires_at }))
}

/// The caller's invite: the open one if there is one (a second tap, a retried request or a
/// reload never replaces a link already sent), else a new one. With `fresh`, a new one
/// always, and the old one stops working.
pub async fn create_invite(ctx: &Ctx, me: &User, fresh: bool) -> Result<(CreatedInvite, bool)> {
    if me.couple_id.is_some() {
        return Err(Error::rejected("You are already paired, so there is no one left to invite."));
    }
    if !fresh && let Some(open) = open_invite(ctx, me).await? {
        return Ok((open, false));
    }
    // Kept to whole milliseconds, as every database stores them, so the link can be derived
    // again from the stored time; and later than the invite it replaces, so a new invite
    // never has the old one's link, even within one millisecond.
    let mut now =
        Timestamp::from_millisecond(ctx.now().as_millisecond()).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(open) = ctx.store.open_invite_of(me.id, now).await?
        && open.created_at >= now
    {
        now =
            open.created_at.checked_add(SignedDuration::from_millis(1)).map_err(|e| Error::Internal(e.to_string()))?;
    }
    let (token, code) = derive(&invite_key(ctx).await?, me.id, now)?;
    let expires_at = now.saturating_add(INVITE_LIFETIME).unwrap_or(now);
    let code_hash = invite_hash(&code).ok_or_else(|| Error::Internal("derived code does not parse".into()))?;
    ctx.store
        .create_invite(&NewInvite { inviter: me.id, token_hash: token.hash(), code_hash, now, expires_at })
        .await?;
    Ok((CreatedInvite { token, code, expires_at }, true))
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
    let us = us(ctx, &me).await?;
    joined(ctx, &us).await;
    Ok(us)
}

/// Tells the partner who sent the invite, wherever their pages are open, that they are a
/// couple now: their invite page turns into "Jonas joined you".
pub async fn joined(ctx: &Ctx, us: &Us) {
    let event = crate::events::PersonEvent { person: us.partner.id, kind: crate::events::EventKind::Couple };
    ctx.events.publish_to(event).await;
}

/// Ends the caller's couple for both partners, as `UNPAIR_RULE` says.
pub async fn unpair(ctx: &Ctx, me: &User) -> Result<()> {
    let us = us(ctx, me).await?;
    // The couple's photos go with it (rows in the same transaction, then their files).
    let photos = ctx.store.photo_ids(us.couple_id).await?;
    ctx.store.dissolve_couple(us.couple_id, ctx.now()).await?;
    crate::photo::forget(ctx, &photos).await;
    // Both partners' open pages hear it and re-read; their streams of the couple's space then
    // close, as it is no longer theirs.
    ctx.notify(us.couple_id, crate::events::EventKind::Couple).await;
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
