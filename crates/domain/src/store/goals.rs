//! What each other's goals need from storage: goals, the partner's cheers, the owner's
//! progress and the partner's reactions to it.
//!
//! Privacy by construction: every read takes the viewer, and a private goal (with its cheers
//! and progress) is returned only to its owner.

use super::StoreResult;
use crate::goals::{CheerKind, DueAsk, Goal, GoalDetail, ProgressReaction};
use crate::ids::{CheerId, CoupleId, GoalId, ProgressId, UserId};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

#[derive(Clone, Debug)]
pub struct NewGoal {
    pub couple: CoupleId,
    pub owner: UserId,
    pub title: String,
    pub why: String,
    pub next_step: String,
    pub due: Option<Date>,
    pub private: bool,
    pub now: Timestamp,
}

/// A goal's words and settings, replaced as a whole by its owner.
#[derive(Clone, Debug)]
pub struct GoalChange {
    pub title: String,
    pub why: String,
    pub next_step: String,
    pub due: Option<Date>,
    pub private: bool,
}

#[derive(Clone, Debug)]
pub struct NewCheer {
    pub couple: CoupleId,
    pub goal: GoalId,
    pub author: UserId,
    pub kind: CheerKind,
    /// The message, or what the help is; for an ask, optional words.
    pub words: String,
    /// For an ask: the day the author will ask.
    pub ask_on: Option<Date>,
    pub now: Timestamp,
}

#[derive(Clone, Debug)]
pub struct NewProgress {
    pub couple: CoupleId,
    pub goal: GoalId,
    pub owner: UserId,
    pub note: String,
    pub now: Timestamp,
}

#[async_trait]
pub trait Goals: Send + Sync {
    async fn create_goal(&self, goal: &NewGoal) -> StoreResult<GoalId>;
    /// The owner changes a goal not yet done; false otherwise.
    async fn update_goal(
        &self,
        couple: CoupleId,
        id: GoalId,
        owner: UserId,
        change: &GoalChange,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The owner marks it done, once; false otherwise.
    async fn finish_goal(&self, couple: CoupleId, id: GoalId, owner: UserId, now: Timestamp) -> StoreResult<bool>;
    /// The owner deletes it with its cheers and progress; false when it was not theirs.
    async fn delete_goal(&self, couple: CoupleId, id: GoalId, owner: UserId) -> StoreResult<bool>;
    /// The goals `viewer` may see, newest first: their own, and the partner's not private.
    async fn goals(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<Goal>>;
    /// One goal with its cheers and progress, if `viewer` may see it.
    async fn goal(&self, couple: CoupleId, id: GoalId, viewer: UserId) -> StoreResult<Option<GoalDetail>>;
    /// Adds a cheer by someone other than the owner, on a goal they may see and that is not
    /// done (checked in the same statement); `None` otherwise.
    async fn add_cheer(&self, cheer: &NewCheer) -> StoreResult<Option<CheerId>>;
    /// The owner accepts an offer of help, once; false otherwise.
    async fn accept_help(
        &self,
        couple: CoupleId,
        goal: GoalId,
        cheer: CheerId,
        owner: UserId,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The owner adds a progress note to a goal not done; `None` otherwise.
    async fn add_progress(&self, progress: &NewProgress) -> StoreResult<Option<ProgressId>>;
    /// Someone other than the owner reacts (or, with `None`, takes the reaction back) to a
    /// progress note on a goal they may see; false otherwise.
    async fn react_to_progress(
        &self,
        couple: CoupleId,
        goal: GoalId,
        progress: ProgressId,
        by: UserId,
        reaction: Option<ProgressReaction>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The asks `asker` promised for days from `from` to `to`, on goals they may still see.
    async fn asks_between(&self, couple: CoupleId, asker: UserId, from: Date, to: Date) -> StoreResult<Vec<DueAsk>>;
}
