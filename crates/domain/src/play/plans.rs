//! Plans: pick a match, propose a time, the partner accepts; afterwards each says how it was.

use super::ideas::{find_idea, idea_names, named_matches, visible_idea};
use super::{Afterwards, Idea, Match, Plan};
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{PlanId, UserId};
use crate::photo::PhotoId;
use crate::store::User;
use crate::store::play::{AfterwardsRecord, NewPlan};
use crate::{Ctx, text};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Deserialize;

pub const NOTE_MAX: usize = 500;
/// How far ahead a plan may be made.
pub const AHEAD_DAYS: i64 = 366;

/// How it felt, tapped afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feeling {
    Loved,
    Fun,
    Cosy,
    Okay,
    NotForUs,
}

impl Feeling {
    pub const ALL: [Feeling; 5] = [Feeling::Loved, Feeling::Fun, Feeling::Cosy, Feeling::Okay, Feeling::NotForUs];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loved => "loved",
            Self::Fun => "fun",
            Self::Cosy => "cosy",
            Self::Okay => "okay",
            Self::NotForUs => "not-for-us",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Loved => "Loved it",
            Self::Fun => "Fun",
            Self::Cosy => "Cosy",
            Self::Okay => "It was okay",
            Self::NotForUs => "Not really us",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Self::Loved => "🥰",
            Self::Fun => "😄",
            Self::Cosy => "☺️",
            Self::Okay => "🙂",
            Self::NotForUs => "🤷",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim())
    }
}

/// Where a plan stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanStage {
    /// Proposed by one, waiting for the other's yes.
    Proposed,
    /// Both said yes; its time is still to come.
    Upcoming,
    /// Both said yes and its time has come: "how was it?"
    Happened,
    /// Never accepted before its time.
    Lapsed,
    Cancelled,
}

impl PlanStage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Upcoming => "upcoming",
            Self::Happened => "happened",
            Self::Lapsed => "lapsed",
            Self::Cancelled => "cancelled",
        }
    }
}

impl Plan {
    pub fn stage(&self, now: Timestamp) -> PlanStage {
        match (self.cancelled_at, self.accepted_at) {
            (Some(_), _) => PlanStage::Cancelled,
            (None, Some(_)) if now >= self.at => PlanStage::Happened,
            (None, Some(_)) => PlanStage::Upcoming,
            (None, None) if now >= self.at => PlanStage::Lapsed,
            (None, None) => PlanStage::Proposed,
        }
    }
}

/// A plan as one partner sees it.
#[derive(Clone, Debug)]
pub struct PlanView {
    pub id: PlanId,
    pub idea: Idea,
    pub proposed_by: UserId,
    pub by_me: bool,
    pub at: Timestamp,
    /// "Saturday 12 December, 19:30", in the viewer's zone.
    pub when: String,
    pub stage: PlanStage,
    pub mine: Option<Afterwards>,
    pub theirs: Option<Afterwards>,
}

impl PlanView {
    /// The partner's yes is what it waits for.
    pub fn awaits_me(&self) -> bool {
        self.stage == PlanStage::Proposed && !self.by_me
    }
}

fn view(us: &Us, idea: Idea, plan: Plan, now: Timestamp) -> PlanView {
    let zone = us.me.time_zone.zone();
    let when = plan.at.to_zoned(zone).strftime("%A %-d %B, %H:%M").to_string();
    let stage = plan.stage(now);
    let mut mine = None;
    let mut theirs = None;
    for a in plan.afterwards {
        if a.author == us.me.id {
            mine = Some(a);
        } else {
            theirs = Some(a);
        }
    }
    PlanView {
        id: plan.id,
        idea,
        proposed_by: plan.proposed_by,
        by_me: plan.proposed_by == us.me.id,
        at: plan.at,
        when,
        stage,
        mine,
        theirs,
    }
}

/// The couple's matches with their ideas, newest first.
pub async fn matches(ctx: &Ctx, me: &User) -> Result<(Us, Vec<(Idea, Match)>)> {
    let us = couple::us(ctx, me).await?;
    let matches = named_matches(ctx, &us).await?;
    Ok((us, matches))
}

/// Every plan of the couple, latest time first.
pub async fn plans(ctx: &Ctx, me: &User) -> Result<(Us, Vec<PlanView>)> {
    let us = couple::us(ctx, me).await?;
    let views = plans_in(ctx, &us).await?;
    Ok((us, views))
}

/// Every plan of the couple as one of them sees it, latest time first.
pub async fn plans_in(ctx: &Ctx, us: &Us) -> Result<Vec<PlanView>> {
    let own = idea_names(ctx, us).await?;
    let now = ctx.now();
    let plans = ctx.store.plans(us.couple_id).await?;
    Ok(plans.into_iter().filter_map(|p| Some(view(us, find_idea(&own, &p.idea)?, p, now))).collect())
}

/// One plan of the couple.
pub async fn plan(ctx: &Ctx, me: &User, id: PlanId) -> Result<(Us, PlanView)> {
    let us = couple::us(ctx, me).await?;
    let plan = ctx.store.plan(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    let idea = visible_idea(ctx, &us, &plan.idea).await?;
    let view = view(&us, idea, plan, ctx.now());
    Ok((us, view))
}

/// What a person picks to propose a plan: a match, a date and a time in their own zone.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct PlanForm {
    #[serde(default)]
    pub idea: String,
    /// `2026-12-12`
    #[serde(default)]
    pub date: String,
    /// `19:30`
    #[serde(default)]
    pub time: String,
}

impl PlanForm {
    pub(super) fn when(&self, zone: &jiff::tz::TimeZone, now: Timestamp) -> Result<Timestamp> {
        let mut errors = FieldErrors::default();
        let date = errors.take("date", crate::history::parse_date(&self.date));
        let time = errors
            .take("time", crate::rhythm::parse_time(&self.time).ok_or_else(|| "Times look like 19:30.".to_owned()));
        errors.into_result()?;
        let (Some(date), Some(time)) = (date, time) else { return Err(Error::Internal("unreachable".into())) };
        let at = date
            .to_datetime(time)
            .to_zoned(zone.clone())
            .map_err(|_| Error::field("time", "That time doesn’t exist on that day; please pick another."))?
            .timestamp();
        if at <= now {
            return Err(Error::field("date", "That time has already passed. Please pick one still to come."));
        }
        let latest = now.checked_add(SignedDuration::from_hours(24 * AHEAD_DAYS)).unwrap_or(now);
        if at > latest {
            return Err(Error::field("date", "Please plan it within the next year."));
        }
        Ok(at)
    }
}

/// Proposes doing a match at a time still to come; the partner accepts it.
pub async fn propose(ctx: &Ctx, me: &User, form: &PlanForm) -> Result<(Us, PlanView)> {
    let us = couple::us(ctx, me).await?;
    let idea = visible_idea(ctx, &us, form.idea.trim()).await?;
    let now = ctx.now();
    let at = form.when(&us.me.time_zone.zone(), now)?;
    let new = NewPlan { couple: us.couple_id, idea: idea.id.clone(), proposed_by: us.me.id, at, now };
    let id = ctx.store.propose_plan(&new).await?.ok_or_else(|| {
        Error::rejected("You can plan an idea once you’ve both said yes or maybe to it. This one isn’t a match yet.")
    })?;
    ctx.notify(us.couple_id, EventKind::Play).await;
    let plan = ctx.store.plan(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    let view = view(&us, idea, plan, now);
    Ok((us, view))
}

/// The partner who did not propose it says yes.
pub async fn accept(ctx: &Ctx, me: &User, id: PlanId) -> Result<(Us, PlanView)> {
    let (us, current) = plan(ctx, me, id).await?;
    if current.by_me {
        return Err(Error::rejected("This is your own proposal: it’s waiting for your partner’s yes."));
    }
    if !ctx.store.accept_plan(us.couple_id, id, us.me.id, ctx.now()).await? {
        let again = plan(ctx, me, id).await?.1;
        return match again.stage {
            PlanStage::Upcoming | PlanStage::Happened => Ok((us, again)),
            PlanStage::Cancelled => Err(Error::rejected("This plan was called off.")),
            _ => Err(Error::rejected("Its time has passed. Pick a new time together.")),
        };
    }
    ctx.notify(us.couple_id, EventKind::Play).await;
    let view = plan(ctx, me, id).await?.1;
    Ok((us, view))
}

/// Either partner calls a plan off before its time.
pub async fn cancel(ctx: &Ctx, me: &User, id: PlanId) -> Result<(Us, PlanView)> {
    let (us, _) = plan(ctx, me, id).await?;
    if !ctx.store.cancel_plan(us.couple_id, id, us.me.id, ctx.now()).await? {
        let again = plan(ctx, me, id).await?.1;
        if again.stage == PlanStage::Cancelled {
            return Ok((us, again));
        }
        return Err(Error::rejected("Its time has come already, so it can’t be called off."));
    }
    ctx.notify(us.couple_id, EventKind::Play).await;
    let view = plan(ctx, me, id).await?.1;
    Ok((us, view))
}

/// "How was it?": a feeling, and optionally a few words and a photo already kept as a memory.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct AfterwardsForm {
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub note: String,
}

const NOT_YET: &str = "You can say how it was once you’ve both said yes and its time has come.";

impl AfterwardsForm {
    fn parse(&self) -> Result<(Feeling, String)> {
        let mut errors = FieldErrors::default();
        let feeling =
            errors.take("feeling", Feeling::parse(&self.feeling).ok_or_else(|| "Tap how it felt.".to_owned()));
        let note = errors.take("note", text::clean(&self.note, NOTE_MAX, "your note"));
        errors.into_result()?;
        match (feeling, note) {
            (Some(feeling), Some(note)) => Ok((feeling, note)),
            _ => Err(Error::Internal("unreachable".into())),
        }
    }
}

/// Whether [`afterwards`] would take this form now, without saving it: a page checks first,
/// so a photo that comes with it is kept only for a "how was it?" that will be saved.
pub async fn check_afterwards(ctx: &Ctx, me: &User, id: PlanId, form: &AfterwardsForm) -> Result<()> {
    form.parse()?;
    let (_, current) = plan(ctx, me, id).await?;
    if current.stage != PlanStage::Happened {
        return Err(Error::rejected(NOT_YET));
    }
    Ok(())
}

/// Saves (or changes) the caller's "how was it?" once the plan's time has come. A photo must be
/// one the caller kept as a memory (so both may already see it); anything else is refused.
pub async fn afterwards(
    ctx: &Ctx,
    me: &User,
    id: PlanId,
    form: &AfterwardsForm,
    photo: Option<PhotoId>,
) -> Result<(Us, PlanView)> {
    let (feeling, note) = form.parse()?;
    let (us, current) = plan(ctx, me, id).await?;
    if current.stage != PlanStage::Happened {
        return Err(Error::rejected(NOT_YET));
    }
    if let Some(photo) = &photo {
        let theirs_or_hidden = || Error::field("photo", "Choose a photo you kept yourself in Our memories.");
        let view = crate::photo::get(ctx, me, photo).await.map_err(|e| match e {
            Error::NotFound => theirs_or_hidden(),
            other => other,
        })?;
        if !view.mine || view.kind != crate::store::photos::PhotoKind::Memory {
            return Err(theirs_or_hidden());
        }
    }
    let record = AfterwardsRecord {
        couple: us.couple_id,
        plan: id,
        author: us.me.id,
        feeling,
        note,
        photo: photo.or_else(|| current.mine.as_ref().and_then(|m| m.photo.clone())),
        now: ctx.now(),
    };
    if !ctx.store.save_afterwards(&record).await? {
        return Err(Error::rejected(NOT_YET));
    }
    ctx.notify(us.couple_id, EventKind::Play).await;
    let view = plan(ctx, me, id).await?.1;
    Ok((us, view))
}

/// How many things the couple tried together in one month.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MonthCount {
    /// "2026-12"
    pub month: String,
    pub tried: u32,
}

/// Plans both said yes to whose time came, counted by month in the viewer's zone: this month
/// and the `months - 1` before it, newest first.
pub fn tried_by_month(us: &Us, plans: &[Plan], now: Timestamp, months: u32) -> Vec<MonthCount> {
    let zone = us.me.time_zone.zone();
    let first = now.to_zoned(zone.clone()).date().first_of_month();
    (0..months)
        .filter_map(|back| first.checked_sub(i64::from(back).months()).ok())
        .map(|start: Date| {
            let tried = plans
                .iter()
                .filter(|p| p.stage(now) == PlanStage::Happened)
                .filter(|p| p.at.to_zoned(zone.clone()).date().first_of_month() == start)
                .count();
            MonthCount { month: start.strftime("%Y-%m").to_string(), tried: u32::try_from(tried).unwrap_or(u32::MAX) }
        })
        .collect()
}

/// "We tried something new": this month's count and the months before, for the rhythm.
pub async fn tried_this_month(ctx: &Ctx, us: &Us) -> Result<Vec<MonthCount>> {
    let plans = ctx.store.plans(us.couple_id).await?;
    Ok(tried_by_month(us, &plans, ctx.now(), 3))
}
