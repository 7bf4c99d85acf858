//! Many rows of one kind in one transaction, for the host's tools that fill a database with
//! past use (`tend demo --couples N --days D`, which benchmarks read). People never write
//! through these: the use cases write one row at a time, with their rules.
//!
//! Each method writes all of its rows or none, in one transaction, and answers how many rows
//! it wrote. The rows must already make sense (a closeness of 1–7, a conversation that is over,
//! a couple's own people): the checks a use case makes are the caller's here, and the
//! database's own checks refuse the whole batch. Words are sealed on the way in as the
//! single-row method each one mirrors seals them.

use super::StoreResult;
use crate::appreciation::{AppreciationRecord, Reaction};
use crate::check_in::CheckInRecord;
use crate::conversation::Conversation;
use crate::ids::{CoupleId, UserId};
use crate::questions::exchange::Answer;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

/// An appreciation as it stands after the recipient answered it, or not.
#[derive(Clone, Debug)]
pub struct PastAppreciation {
    pub record: AppreciationRecord,
    pub reaction: Option<Reaction>,
    /// The recipient's words back; empty for none.
    pub reply: String,
    /// When the recipient answered; `None` while they have not.
    pub reacted_at: Option<Timestamp>,
}

/// A hug one of the couple logged.
#[derive(Clone, Copy, Debug)]
pub struct PastHug {
    pub couple: CoupleId,
    pub by: UserId,
    pub at: Timestamp,
}

/// A Stress-Reducing Conversation that is over (done, expired or cancelled).
#[derive(Clone, Debug)]
pub struct PastConversation {
    pub couple: CoupleId,
    pub conversation: Conversation,
}

/// A question the couple took up, with each partner's part (at most one each) as
/// [`Exchange`](crate::questions::exchange::Exchange) holds them: answer or pass, response to
/// the other's answer, how they felt, favourite.
#[derive(Clone, Debug)]
pub struct PastExchange {
    pub couple: CoupleId,
    pub question_id: String,
    pub deck: String,
    pub depth: u8,
    pub created_at: Timestamp,
    /// Set when both answered and both responded.
    pub completed_at: Option<Timestamp>,
    pub answers: Vec<Answer>,
}

/// A question of the day drawn for the couple.
#[derive(Clone, Debug)]
pub struct PastDraw {
    pub couple: CoupleId,
    pub day: Date,
    pub question_id: String,
    pub at: Timestamp,
}

/// The check-ins to store of `records`: for each author's day, the last one given.
pub fn latest_per_day(records: &[CheckInRecord]) -> Vec<&CheckInRecord> {
    let mut last = std::collections::HashMap::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        last.insert((r.couple, r.author, r.day), i);
    }
    records
        .iter()
        .enumerate()
        .filter(|(i, r)| last.get(&(r.couple, r.author, r.day)) == Some(i))
        .map(|(_, r)| r)
        .collect()
}

#[async_trait]
pub trait Bulk: Send + Sync {
    /// As [`Daily::upsert_check_in`](super::Daily::upsert_check_in) for each: a check-in for
    /// an author's day that is there already is replaced, and of two in `records` for the same
    /// day the later wins ([`latest_per_day`]). Counts the check-ins stored.
    async fn add_check_ins_bulk(&self, records: &[CheckInRecord]) -> StoreResult<u64>;
    /// Inserts each appreciation with its reaction and reply (the author's words sealed with
    /// the author's key, the reply with the recipient's).
    async fn add_appreciations_bulk(&self, records: &[PastAppreciation]) -> StoreResult<u64>;
    /// Inserts each hug as given (the caller keeps them [`SAME_HUG`](crate::hug::SAME_HUG)
    /// apart), and moves each couple's last hug to its latest one if that is later.
    async fn add_hugs_bulk(&self, hugs: &[PastHug]) -> StoreResult<u64>;
    /// Inserts finished conversations. They never hold the couple's one open place.
    async fn add_conversations_bulk(&self, conversations: &[PastConversation]) -> StoreResult<u64>;
    /// Inserts each exchange with its answers; counts exchanges and answers. Every exchange
    /// must be new: one for a question the couple has already fails the whole batch with
    /// `Conflict`. The couple's ladder is left as it is (save it after, with `save_ladder`).
    async fn add_exchanges_bulk(&self, exchanges: &[PastExchange]) -> StoreResult<u64>;
    /// As [`Questions::add_question_draw`](super::Questions::add_question_draw) for each: a
    /// draw that is there already is kept, and not counted.
    async fn add_question_draws_bulk(&self, draws: &[PastDraw]) -> StoreResult<u64>;
}
