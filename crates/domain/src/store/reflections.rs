//! What the reflective practices need from storage: Our intimacy map, the weekly State of Us,
//! the lean facts the insights draw, and each person's choice about the private help hint.

use super::StoreResult;
use crate::appreciation::Kind;
use crate::ids::{CoupleId, UserId};
use crate::intimacy_map::{MapRecord, StoredRating};
use crate::state_of_us::{StateOfUs, StateOfUsRecord};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

/// One partner's closeness on one date, without the words around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosenessMark {
    pub author: UserId,
    pub day: Date,
    pub closeness: u8,
}

/// One appreciation, counted: who gave it, what kind, when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppreciationMark {
    pub author: UserId,
    pub kind: Kind,
    pub at: Timestamp,
}

/// Where a felt rating was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeltSource {
    Conversation,
    Question,
}

/// How understood and cared for one person said they felt, 1–7 each: theirs alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeltMark {
    pub source: FeltSource,
    pub at: Timestamp,
    pub understood: u8,
    pub cared_for: u8,
}

#[async_trait]
pub trait Reflections: Send + Sync {
    /// Saves one partner's six ratings in one transaction and returns the round they belong
    /// to: the latest round when the partner alone is in it (the two maps meet) or when the
    /// author alone is (a retake before the partner answered replaces theirs), else a new one.
    async fn save_intimacy_map(&self, record: &MapRecord) -> StoreResult<i64>;
    /// Every rating of the couple, oldest round first.
    async fn intimacy_ratings(&self, couple: CoupleId) -> StoreResult<Vec<StoredRating>>;

    /// Saves (or, within the same week, replaces) one partner's State of Us.
    async fn save_state_of_us(&self, record: &StateOfUsRecord) -> StoreResult<()>;
    /// The couple's State of Us answers for weeks from `from` to `to` (Mondays), newest first.
    async fn states_of_us(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<StateOfUs>>;

    /// Closeness from the couple's check-ins with days from `from` to `to`, inclusive.
    async fn closeness_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<ClosenessMark>>;
    /// The couple's appreciations given from `from` until before `to`.
    async fn appreciation_marks(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<AppreciationMark>>;
    /// `author`'s own felt ratings after conversations and question exchanges in the range.
    async fn felt_marks(
        &self,
        couple: CoupleId,
        author: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<FeltMark>>;

    /// Whether the person turned the private help hint off.
    async fn help_hint_off(&self, user: UserId) -> StoreResult<bool>;
    async fn set_help_hint_off(&self, user: UserId, off: bool, now: Timestamp) -> StoreResult<()>;
}
