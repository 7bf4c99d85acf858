//! A person's calendar feed: a secret, revocable address that shows the couple's agreed rhythm.

use crate::Ctx;
use crate::couple;
use crate::error::{Error, Result};
use crate::rhythm::{Practice, Slot};
use crate::secret::Secret;
use crate::store::User;
use jiff::Timestamp;

/// Makes a new secret calendar address for the person, revoking the old one.
pub async fn new_calendar_token(ctx: &Ctx, me: &User) -> Result<Secret> {
    let token = Secret::generate("cal_");
    ctx.store.set_calendar_token(me.id, Some(&token.hash()), ctx.now()).await?;
    Ok(token)
}

pub async fn revoke_calendar(ctx: &Ctx, me: &User) -> Result<()> {
    ctx.store.set_calendar_token(me.id, None, ctx.now()).await?;
    Ok(())
}

/// What a calendar feed holds: the couple's agreed rhythm, for the person whose token it is.
#[derive(Clone, Debug)]
pub struct Feed {
    pub owner: User,
    pub partner_name: String,
    /// Each agreed slot with when it was agreed.
    pub slots: Vec<(Practice, Slot, Timestamp)>,
}

pub async fn calendar(ctx: &Ctx, presented: &str) -> Result<Feed> {
    if presented.len() > 100 {
        return Err(Error::NotFound);
    }
    let owner = ctx.store.calendar_owner(&Secret::from_presented(presented).hash()).await?.ok_or(Error::NotFound)?;
    let Some(couple) = owner.couple_id else {
        return Ok(Feed { owner, partner_name: String::new(), slots: Vec::new() });
    };
    let us = couple::us(ctx, &owner).await?;
    let slots = ctx
        .store
        .rhythm_slots(couple)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.practice, s.slot, s.agreed_at?)))
        .collect();
    Ok(Feed { partner_name: us.partner.display_name.clone(), owner: us.me, slots })
}
