//! What play and new things together need from storage: the couple's own ideas, each
//! person's private marks, the matches computed from them, plans, and "how was it?".
//!
//! Privacy by construction: there is no method that returns a partner's marks. `marks_of` is
//! asked only for the caller's own, and `matches` returns ideas both marked yes or maybe,
//! without their marks.

use super::StoreResult;
use crate::ids::{CoupleId, OwnIdeaId, PlanId, UserId};
use crate::photo::PhotoId;
use crate::play::{Cost, Energy, Feeling, Length, Mark, Match, MyMark, OwnIdea, Place, Plan};
use async_trait::async_trait;
use jiff::Timestamp;

#[derive(Clone, Debug)]
pub struct NewOwnIdea {
    pub couple: CoupleId,
    pub author: UserId,
    pub title: String,
    pub detail: String,
    pub place: Place,
    pub cost: Cost,
    pub length: Length,
    pub energy: Energy,
    pub now: Timestamp,
}

/// One person's mark on one idea; `None` clears it.
#[derive(Clone, Debug)]
pub struct MarkRecord {
    pub couple: CoupleId,
    pub author: UserId,
    /// A deck idea's id, or an own idea's key (`own-12`).
    pub idea: String,
    pub mark: Option<Mark>,
    pub now: Timestamp,
}

/// Whether the idea was a match before this mark and is one after it, decided in the same
/// transaction as the write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkChange {
    pub was_match: bool,
    pub is_match: bool,
}

#[derive(Clone, Debug)]
pub struct NewPlan {
    pub couple: CoupleId,
    pub idea: String,
    pub proposed_by: UserId,
    pub at: Timestamp,
    pub now: Timestamp,
}

/// One partner's "how was it?" for a plan.
#[derive(Clone, Debug)]
pub struct AfterwardsRecord {
    pub couple: CoupleId,
    pub plan: PlanId,
    pub author: UserId,
    pub feeling: Feeling,
    pub note: String,
    pub photo: Option<PhotoId>,
    pub now: Timestamp,
}

#[async_trait]
pub trait Play: Send + Sync {
    async fn add_own_idea(&self, idea: &NewOwnIdea) -> StoreResult<OwnIdeaId>;
    /// The couple's own ideas `viewer` may see: their own, and the partner's once shared.
    async fn own_ideas(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<OwnIdea>>;
    /// Shares the author's idea with the partner, once; false when it is not theirs or was
    /// shared already.
    async fn share_own_idea(
        &self,
        couple: CoupleId,
        id: OwnIdeaId,
        author: UserId,
        now: Timestamp,
    ) -> StoreResult<bool>;

    /// Sets (or clears) the author's mark, in one transaction that also tells whether the idea
    /// was a match before and is one after.
    async fn set_mark(&self, record: &MarkRecord) -> StoreResult<MarkChange>;
    /// `author`'s own marks, newest first. Only ever asked for the caller's own.
    async fn marks_of(&self, couple: CoupleId, author: UserId) -> StoreResult<Vec<MyMark>>;
    /// Ideas both partners marked yes or maybe, newest match first, without their marks.
    async fn matches(&self, couple: CoupleId) -> StoreResult<Vec<Match>>;

    /// Inserts a proposed plan if the idea is a match at that moment (checked in the same
    /// statement); `None` when it is not.
    async fn propose_plan(&self, plan: &NewPlan) -> StoreResult<Option<PlanId>>;
    /// The partner who did not propose it accepts it, once, while it is neither cancelled nor
    /// past its time at `now`; false otherwise.
    async fn accept_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Either partner calls it off, once, before its time; false otherwise.
    async fn cancel_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Every plan of the couple with its afterwards, latest time first.
    async fn plans(&self, couple: CoupleId) -> StoreResult<Vec<Plan>>;
    async fn plan(&self, couple: CoupleId, id: PlanId) -> StoreResult<Option<Plan>>;
    /// Saves (or replaces) the author's "how was it?" for an accepted, not cancelled plan whose
    /// time has come at `now`; false otherwise.
    async fn save_afterwards(&self, record: &AfterwardsRecord) -> StoreResult<bool>;
}
