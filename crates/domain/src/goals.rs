//! Each other's goals: each partner keeps personal goals, visible to the partner unless marked
//! private; the partner cheers (a message, "I'll ask you about it on …", "I can help by …"),
//! the owner posts progress the partner can react to, and a goal done is celebrated on both
//! Todays and kept as a memory.
//!
//! Why: a partner's responsive support of one's goals is linked with pursuing them with more
//! confidence and success (Feeney, 2004), and an active, constructive answer to good news with
//! more closeness (Gable et al., 2004). See the Learn page "cheering-each-other".

use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{CheerId, GoalId, ProgressId, UserId};
use crate::store::User;
use crate::store::goals::{GoalChange, NewCheer, NewGoal, NewProgress};
use crate::{Ctx, text};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;

/// One goal, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub owner: UserId,
    pub title: String,
    /// Why it matters to the owner.
    pub why: String,
    pub next_step: String,
    pub due: Option<Date>,
    /// Seen by the owner only.
    pub private: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub done_at: Option<Timestamp>,
}

/// What a cheer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheerKind {
    /// A message of encouragement.
    Message,
    /// "I'll ask you about it on …": a reminder for the one who cheers.
    Ask,
    /// "I can help by …": an offer the owner can accept.
    Help,
}

impl CheerKind {
    pub const ALL: [CheerKind; 3] = [CheerKind::Message, CheerKind::Ask, CheerKind::Help];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Ask => "ask",
            Self::Help => "help",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// One cheer, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cheer {
    pub id: CheerId,
    pub goal: GoalId,
    pub author: UserId,
    pub kind: CheerKind,
    pub words: String,
    pub ask_on: Option<Date>,
    /// When the owner accepted an offer of help.
    pub accepted_at: Option<Timestamp>,
    pub at: Timestamp,
}

/// A reaction to a progress note.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProgressReaction {
    Proud,
    Cheer,
    Hug,
    Wow,
}

impl ProgressReaction {
    pub const ALL: [ProgressReaction; 4] =
        [ProgressReaction::Proud, ProgressReaction::Cheer, ProgressReaction::Hug, ProgressReaction::Wow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proud => "proud",
            Self::Cheer => "cheer",
            Self::Hug => "hug",
            Self::Wow => "wow",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Proud => "So proud of you",
            Self::Cheer => "Go you!",
            Self::Hug => "Sending a hug",
            Self::Wow => "Wow!",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Self::Proud => "🥹",
            Self::Cheer => "🎉",
            Self::Hug => "🤗",
            Self::Wow => "🤩",
        }
    }
}

/// One progress note, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub id: ProgressId,
    pub goal: GoalId,
    pub note: String,
    pub at: Timestamp,
    pub reaction: Option<ProgressReaction>,
    pub reacted_at: Option<Timestamp>,
}

/// A goal with everything around it: cheers oldest first, progress oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalDetail {
    pub goal: Goal,
    pub cheers: Vec<Cheer>,
    pub progress: Vec<Progress>,
}

/// An ask someone promised: the goal and the cheer that holds the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueAsk {
    pub goal: Goal,
    pub cheer: Cheer,
}

pub const TITLE_MAX: usize = 100;
pub const WHY_MAX: usize = 600;
pub const STEP_MAX: usize = 200;
pub const CHEER_MAX: usize = 500;
pub const PROGRESS_MAX: usize = 600;
/// How long a finished goal is celebrated on Today.
pub const CELEBRATE_DAYS: i64 = 3;

/// What a person types for a goal.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct GoalForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub next_step: String,
    /// `2027-03-01`, or empty for none.
    #[serde(default)]
    pub due: String,
    /// "on", "true" or "1" for a private goal.
    #[serde(default)]
    pub private: String,
}

impl GoalForm {
    pub fn parse(&self, today: Date) -> Result<GoalChange> {
        let mut errors = FieldErrors::default();
        let title = match text::one_line(&self.title, TITLE_MAX, "the goal") {
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                errors.add("title", "Please name your goal in a few words.");
                None
            }
            Err(m) => {
                errors.add("title", m);
                None
            }
        };
        let why = errors.take("why", text::clean(&self.why, WHY_MAX, "why it matters"));
        let next_step = errors.take("next_step", text::clean(&self.next_step, STEP_MAX, "the next step"));
        let due = if self.due.trim().is_empty() {
            Some(None)
        } else {
            errors
                .take(
                    "due",
                    crate::history::parse_date(&self.due).and_then(|d| {
                        if d < today {
                            Err("That date has passed. Pick one still to come, or leave it empty.".to_owned())
                        } else {
                            Ok(d)
                        }
                    }),
                )
                .map(Some)
        };
        errors.into_result()?;
        let private = matches!(self.private.trim(), "on" | "true" | "1" | "yes");
        match (title, why, next_step, due) {
            (Some(title), Some(why), Some(next_step), Some(due)) => {
                Ok(GoalChange { title, why, next_step, due, private })
            }
            _ => Err(Error::Internal("a goal field failed without a message".into())),
        }
    }
}

/// Whose goal, as the viewer sees it.
pub fn is_mine(us: &Us, goal: &Goal) -> bool {
    goal.owner == us.me.id
}

/// The goals the caller may see: theirs, and the partner's not private.
pub async fn list(ctx: &Ctx, me: &User) -> Result<(Us, Vec<Goal>)> {
    let us = couple::us(ctx, me).await?;
    let goals = ctx.store.goals(us.couple_id, us.me.id).await?;
    Ok((us, goals))
}

/// One goal with its cheers and progress, if the caller may see it.
pub async fn detail(ctx: &Ctx, me: &User, id: GoalId) -> Result<(Us, GoalDetail)> {
    let us = couple::us(ctx, me).await?;
    let detail = ctx.store.goal(us.couple_id, id, us.me.id).await?.ok_or(Error::NotFound)?;
    Ok((us, detail))
}

pub async fn create(ctx: &Ctx, me: &User, form: &GoalForm) -> Result<(Us, GoalDetail)> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let change = form.parse(us.me.time_zone.today(now))?;
    let new = NewGoal {
        couple: us.couple_id,
        owner: us.me.id,
        title: change.title,
        why: change.why,
        next_step: change.next_step,
        due: change.due,
        private: change.private,
        now,
    };
    let id = ctx.store.create_goal(&new).await?;
    if !new.private {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// The owner changes their goal (not once it is done).
pub async fn update(ctx: &Ctx, me: &User, id: GoalId, form: &GoalForm) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    if !is_mine(&us, &current.goal) {
        return Err(Error::rejected("Only the one whose goal it is can change it."));
    }
    let now = ctx.now();
    let change = form.parse(us.me.time_zone.today(now))?;
    if !ctx.store.update_goal(us.couple_id, id, us.me.id, &change, now).await? {
        return Err(Error::rejected("This goal is done, so it stays as it was."));
    }
    // The partner hears of a goal they can see, or could see until now; of a goal private
    // before and after, nothing.
    if !(current.goal.private && change.private) {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// The owner marks it done: a celebration on both Todays, and a memory.
pub async fn finish(ctx: &Ctx, me: &User, id: GoalId) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    if !is_mine(&us, &current.goal) {
        return Err(Error::rejected("Only the one whose goal it is can mark it done."));
    }
    if ctx.store.finish_goal(us.couple_id, id, us.me.id, ctx.now()).await? && !current.goal.private {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// The owner deletes it, with its cheers and progress.
pub async fn delete(ctx: &Ctx, me: &User, id: GoalId) -> Result<()> {
    let (us, current) = detail(ctx, me, id).await?;
    if !is_mine(&us, &current.goal) {
        return Err(Error::rejected("Only the one whose goal it is can delete it."));
    }
    if ctx.store.delete_goal(us.couple_id, id, us.me.id).await? && !current.goal.private {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    Ok(())
}

/// What the partner sends to cheer a goal on.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct CheerForm {
    /// "message", "ask" or "help".
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub words: String,
    /// For an ask: `2026-12-12`.
    #[serde(default)]
    pub ask_on: String,
}

/// The partner cheers a goal on: never the owner, never on a goal done.
pub async fn cheer(ctx: &Ctx, me: &User, id: GoalId, form: &CheerForm) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    if is_mine(&us, &current.goal) {
        return Err(Error::rejected(
            "This is your own goal: cheering is for your partner to do. You can post progress instead.",
        ));
    }
    if current.goal.done_at.is_some() {
        return Err(Error::rejected("This goal is done already: celebrate it instead!"));
    }
    let now = ctx.now();
    let today = us.me.time_zone.today(now);
    let mut errors = FieldErrors::default();
    let kind = errors.take(
        "kind",
        CheerKind::parse(&form.kind).ok_or_else(|| "Choose a message, an ask or an offer of help.".to_owned()),
    );
    let words = errors.take("words", text::clean(&form.words, CHEER_MAX, "your words"));
    errors.into_result()?;
    let (Some(kind), Some(words)) = (kind, words) else { return Err(Error::Internal("unreachable".into())) };
    let ask_on = match kind {
        CheerKind::Ask => {
            let day = crate::history::parse_date(&form.ask_on).map_err(|m| Error::field("ask_on", m))?;
            if day < today {
                return Err(Error::field("ask_on", "That day has passed. Pick today or a day still to come."));
            }
            if day > today.checked_add(jiff::ToSpan::days(366)).unwrap_or(today) {
                return Err(Error::field("ask_on", "Please pick a day within the next year."));
            }
            Some(day)
        }
        CheerKind::Message | CheerKind::Help => {
            if words.is_empty() {
                let msg = match kind {
                    CheerKind::Help => "Say how you could help.",
                    _ => "Write a few words of encouragement.",
                };
                return Err(Error::field("words", msg));
            }
            None
        }
    };
    let new = NewCheer { couple: us.couple_id, goal: id, author: us.me.id, kind, words, ask_on, now };
    if ctx.store.add_cheer(&new).await?.is_none() {
        return Err(Error::rejected("This goal can’t be cheered on right now."));
    }
    ctx.notify(us.couple_id, EventKind::Goals).await;
    detail(ctx, me, id).await
}

/// The owner accepts an offer of help.
pub async fn accept_help(ctx: &Ctx, me: &User, id: GoalId, cheer: CheerId) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    let offer = current.cheers.iter().find(|c| c.id == cheer && c.kind == CheerKind::Help).ok_or(Error::NotFound)?;
    if !is_mine(&us, &current.goal) {
        return Err(Error::rejected("Only the one whose goal it is can accept help with it."));
    }
    if offer.accepted_at.is_none() && ctx.store.accept_help(us.couple_id, id, cheer, us.me.id, ctx.now()).await? {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// The owner posts progress.
pub async fn progress(ctx: &Ctx, me: &User, id: GoalId, note: &str) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    if !is_mine(&us, &current.goal) {
        return Err(Error::rejected("Only the one whose goal it is can post progress. You can cheer instead."));
    }
    let note = match text::clean(note, PROGRESS_MAX, "your note") {
        Ok(n) if n.is_empty() => return Err(Error::field("note", "Write a line about how it’s going.")),
        Ok(n) => n,
        Err(m) => return Err(Error::field("note", m)),
    };
    let new = NewProgress { couple: us.couple_id, goal: id, owner: us.me.id, note, now: ctx.now() };
    if ctx.store.add_progress(&new).await?.is_none() {
        return Err(Error::rejected("This goal is done, so it takes no more progress notes."));
    }
    if !current.goal.private {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// The partner reacts to a progress note (or takes the reaction back with `None`).
pub async fn react(
    ctx: &Ctx,
    me: &User,
    id: GoalId,
    progress: ProgressId,
    reaction: Option<ProgressReaction>,
) -> Result<(Us, GoalDetail)> {
    let (us, current) = detail(ctx, me, id).await?;
    if !current.progress.iter().any(|p| p.id == progress) {
        return Err(Error::NotFound);
    }
    if is_mine(&us, &current.goal) {
        return Err(Error::rejected("Reactions are for your partner to give."));
    }
    if ctx.store.react_to_progress(us.couple_id, id, progress, us.me.id, reaction, ctx.now()).await? {
        ctx.notify(us.couple_id, EventKind::Goals).await;
    }
    detail(ctx, me, id).await
}

/// Goals done in the last [`CELEBRATE_DAYS`] days that the caller may see: for Today.
pub fn to_celebrate(goals: &[Goal], now: Timestamp) -> Vec<&Goal> {
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * CELEBRATE_DAYS)).unwrap_or(now);
    goals.iter().filter(|g| g.done_at.is_some_and(|d| d >= since)).collect()
}

/// The asks the caller promised for today.
pub async fn asks_today(ctx: &Ctx, us: &Us) -> Result<Vec<DueAsk>> {
    let today = us.me.time_zone.today(ctx.now());
    Ok(ctx.store.asks_between(us.couple_id, us.me.id, today, today).await?)
}

/// The goals the caller may see, each with its cheers and progress: what the Goals page and
/// the API's list count and show.
pub async fn overview(ctx: &Ctx, me: &User) -> Result<(Us, Vec<GoalDetail>)> {
    let (us, goals) = list(ctx, me).await?;
    let mut details = Vec::with_capacity(goals.len());
    for goal in goals {
        // Gone between the two reads (deleted by its owner): simply not listed.
        if let Some(detail) = ctx.store.goal(us.couple_id, goal.id, us.me.id).await? {
            details.push(detail);
        }
    }
    Ok((us, details))
}
