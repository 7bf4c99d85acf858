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
    /// Plans both said yes to, from a month ago on.
    pub plans: Vec<FeedPlan>,
    /// Days the owner said they would ask the partner about a goal, from a month ago on.
    pub asks: Vec<(crate::ids::CheerId, jiff::civil::Date)>,
}

/// A plan in the feed. Its title is Tend's own words for a deck idea, and a general one for a
/// couple's own idea, so nothing anyone wrote reaches a calendar service.
#[derive(Clone, Debug)]
pub struct FeedPlan {
    pub id: crate::ids::PlanId,
    pub title: String,
    pub at: Timestamp,
    pub length: crate::play::Length,
}

pub async fn calendar(ctx: &Ctx, presented: &str) -> Result<Feed> {
    if presented.len() > 100 {
        return Err(Error::NotFound);
    }
    let owner = ctx.store.calendar_owner(&Secret::from_presented(presented).hash()).await?.ok_or(Error::NotFound)?;
    let Some(couple) = owner.couple_id else {
        return Ok(Feed { owner, partner_name: String::new(), slots: Vec::new(), plans: Vec::new(), asks: Vec::new() });
    };
    let us = couple::us(ctx, &owner).await?;
    let slots = ctx
        .store
        .rhythm_slots(couple)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.practice, s.slot, s.agreed_at?)))
        .collect();
    let now = ctx.now();
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * 31)).unwrap_or(now);
    let plans = crate::play::plans_in(ctx, &us)
        .await?
        .into_iter()
        .filter(|p| p.at >= since)
        .filter(|p| matches!(p.stage, crate::play::PlanStage::Upcoming | crate::play::PlanStage::Happened))
        .map(|p| FeedPlan {
            id: p.id,
            title: if p.idea.added_by.is_some() { "Something new together".to_owned() } else { p.idea.title },
            at: p.at,
            length: p.idea.length,
        })
        .collect();
    let today = us.me.time_zone.today(now);
    let from = today.checked_sub(jiff::ToSpan::days(31)).unwrap_or(today);
    let to = today.checked_add(jiff::ToSpan::days(366)).unwrap_or(today);
    let asks = ctx
        .store
        .asks_between(couple, us.me.id, from, to)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.cheer.id, a.cheer.ask_on?)))
        .collect();
    Ok(Feed { partner_name: us.partner.display_name.clone(), owner: us.me, slots, plans, asks })
}
