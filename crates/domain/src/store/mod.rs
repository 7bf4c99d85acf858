//! What the domain needs from storage, one trait per feature: [`Accounts`], [`Access`]
//! (sessions, API tokens, throttling), [`Pairing`], [`Daily`], [`Practices`], [`Questions`],
//! [`Rhythms`] (the couple's agreed rhythm and tech-free evenings), [`Reminders`], [`Admin`] (the host's admin page)
//! and [`Upkeep`]. [`Store`] is all of them together; anything that implements every feature
//! trait is a `Store`. Each database has its own implementation on its native driver
//! (crates `tend-store-sqlite` and `tend-store-postgres`), and one contract suite (in
//! `tend-store`) holds both to the same behaviour.
//!
//! Methods that must be atomic take everything they need and do it in one transaction; the
//! conditions they check (an invite still unused, a person still unpaired) are decided by the
//! use cases in this crate and only *guaranteed* by the store against races.

use crate::appreciation::{Appreciation, AppreciationRecord, Filter, Reaction};
use crate::auth::{ApiTokenSummary, SessionSummary};
use crate::check_in::{CheckIn, CheckInRecord};
use crate::conversation::Conversation;
use crate::couple::InviteRecord;
use crate::ids::{
    ApiTokenId, AppreciationId, ConversationId, CoupleId, EveningId, ExchangeId, ListeningId, SessionId, UserId,
};
use crate::listening::{Listening, Verdict};
use crate::questions::exchange::{Exchange, Felt};
use crate::rhythm::{Practice, Slot};
use crate::secret::SecretHash;
use crate::tech_free::Evening;
use crate::time::TimeZoneName;
use async_trait::async_trait;

pub mod admin;
pub mod bulk;
pub mod goals;
pub mod keys;
pub mod photos;
pub mod play;
pub mod reflections;
pub mod reminders;
pub use admin::Admin;
pub use bulk::Bulk;
pub use goals::Goals;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
pub use keys::Keys;
pub use photos::Photos;
pub use play::Play;
pub use reflections::Reflections;
pub use reminders::Reminders;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or state condition failed; the message is fit for the person.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A person with an account.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub time_zone: TimeZoneName,
    pub couple_id: Option<CoupleId>,
    pub created_at: Timestamp,
    /// Hide counts of days in the rhythm view, for a partner who prefers not to see them.
    pub hide_counts: bool,
}

/// What a new account is made of, already parsed and hashed.
#[derive(Clone, Debug)]
pub struct NewUserRecord {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub time_zone: TimeZoneName,
}

/// Which door a new account comes through; the store checks it in the same transaction.
#[derive(Clone, Debug)]
pub enum Gate {
    /// Only if no account has ever been created here.
    FirstAccount,
    /// Registration is open to anyone.
    Open,
    /// With a partner's invite, redeemed in the same transaction.
    Invite(SecretHash),
}

/// Why redeeming an invite failed, checked atomically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedeemFailure {
    Unknown,
    Expired,
    Used,
    OwnInvite,
    InviterPaired,
    JoinerPaired,
}

#[derive(Debug, PartialEq, Eq)]
pub enum RegisterOutcome {
    Created { user: User, couple: Option<CoupleId> },
    EmailTaken,
    Closed,
    Invite(RedeemFailure),
}

#[derive(Clone, Debug)]
pub struct NewSession {
    pub user_id: UserId,
    pub token_hash: SecretHash,
    pub csrf_token: String,
    pub user_agent: String,
    pub ip: String,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: String,
    pub token_hash: SecretHash,
    pub hint: String,
    pub now: Timestamp,
}

#[derive(Clone, Debug)]
pub struct NewInvite {
    pub inviter: UserId,
    pub token_hash: SecretHash,
    pub code_hash: SecretHash,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

/// One partner's answer or pass, ready to store.
#[derive(Clone, Debug)]
pub struct NewAnswerRecord {
    pub couple: CoupleId,
    pub author: UserId,
    pub body: String,
    pub passed: bool,
    /// The question's depth; the couple's ladder must have reached it.
    pub depth: u8,
    pub now: Timestamp,
}

#[derive(Clone, Debug, Default)]
pub struct ProfileChange {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<TimeZoneName>,
    pub hide_counts: Option<bool>,
}

/// Attempts (or failures) under one throttling key within a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    pub count: u64,
    pub oldest: Option<Timestamp>,
}

/// A live session, what it is bound to, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveSession {
    pub session: SessionSummary,
    pub csrf_token: String,
    pub user: User,
}

/// An API token and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOwner {
    pub token: ApiTokenSummary,
    pub user: User,
}

/// A couple's ladder as stored: `version` counts saves, so two saves from the same reading
/// cannot both land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredLadder {
    pub depth: u8,
    pub completed: u32,
    /// Who has said "ready", by seat (the partner with the lower id sits first).
    pub ready: [bool; 2],
    pub version: i64,
}

impl Default for StoredLadder {
    fn default() -> Self {
        Self { depth: 1, completed: 0, ready: [false, false], version: 0 }
    }
}

/// A question of the day drawn for a couple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionDraw {
    pub day: Date,
    pub question_id: String,
}

/// A stored conversation with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConversation {
    pub id: ConversationId,
    pub conversation: Conversation,
}

/// Every feature's storage together: what `Ctx` holds.
pub trait Store:
    Accounts
    + Access
    + Pairing
    + Daily
    + Practices
    + Questions
    + Rhythms
    + Reminders
    + Photos
    + Reflections
    + Play
    + Goals
    + Bulk
    + Admin
    + Upkeep
{
}

impl<
    T: Accounts
        + Access
        + Pairing
        + Daily
        + Practices
        + Questions
        + Rhythms
        + Reminders
        + Photos
        + Reflections
        + Play
        + Goals
        + Bulk
        + Admin
        + Upkeep,
> Store for T
{
}

/// A slot as stored: agreed by both, or proposed by one and waiting for the other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSlot {
    pub practice: Practice,
    pub slot: Slot,
    pub proposed_by: UserId,
    pub proposed_at: Timestamp,
    /// When the other partner accepted it; `None` for a proposal still waiting.
    pub agreed_at: Option<Timestamp>,
}

/// A practice one of the couple marked as done (for practices Tend does not run itself, such
/// as the photo show-and-tell).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PracticeMark {
    pub practice: Practice,
    pub by: UserId,
    pub at: Timestamp,
}

/// The health of the database itself, and the housekeeping that keeps it small.
#[async_trait]
pub trait Upkeep: Send + Sync {
    /// Answers when the database does.
    async fn ping(&self) -> StoreResult<()>;
    /// Writes and commits one tiny row: fails when the database cannot take writes (a full
    /// disk, a read-only file), which a read would not show.
    async fn probe_write(&self, now: Timestamp) -> StoreResult<()>;
    /// Deletes sessions that expired before `before`.
    async fn prune_sessions(&self, before: Timestamp) -> StoreResult<u64>;
    /// Drops throttling attempts older than `before`.
    async fn prune_failures(&self, before: Timestamp) -> StoreResult<u64>;
}

/// People and their accounts.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// True once the first account exists.
    async fn is_founded(&self) -> StoreResult<bool>;
    async fn register(&self, new: &NewUserRecord, gate: &Gate, now: Timestamp) -> StoreResult<RegisterOutcome>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>>;
    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()>;
    /// Fails with `Conflict` when the new email belongs to someone else.
    async fn update_profile(&self, id: UserId, change: &ProfileChange, now: Timestamp) -> StoreResult<User>;
    async fn users_in_couple(&self, couple: CoupleId) -> StoreResult<Vec<User>>;
    /// When the user last looked at Today, for "new since your last visit".
    async fn seen_at(&self, user: UserId) -> StoreResult<Option<Timestamp>>;
    async fn set_seen_at(&self, user: UserId, at: Timestamp) -> StoreResult<()>;
    /// Whether the person put the first-week guide away.
    async fn guide_hidden(&self, user: UserId) -> StoreResult<bool>;
    async fn hide_guide(&self, user: UserId, at: Timestamp) -> StoreResult<()>;
    /// Deletes the person's account and everything they wrote, in one transaction: their
    /// words, ratings, sessions, tokens, devices, reminders and data key (which shreds any
    /// copy of their words elsewhere). A couple they are in ends first, as `dissolve_couple`
    /// does; the partner keeps their own words. False when there was no such person.
    async fn delete_user(&self, user: UserId, now: Timestamp) -> StoreResult<bool>;
}

/// Ways in: browser sessions, API tokens, and the attempts that throttle guessing.
#[async_trait]
pub trait Access: Send + Sync {
    async fn create_session(&self, new: &NewSession) -> StoreResult<SessionId>;
    /// The live session with this token hash and its user; expired ones, and those of an
    /// account switched off or deleted, are not returned.
    async fn session_by_token(&self, hash: &SecretHash, now: Timestamp) -> StoreResult<Option<LiveSession>>;
    async fn touch_session(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> StoreResult<()>;
    async fn sessions_of(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<SessionSummary>>;
    /// Deletes the user's session `id`; false when there was none of theirs.
    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<bool>;
    /// Deletes every session of the user except `keep`.
    async fn delete_sessions_except(&self, user: UserId, keep: Option<SessionId>) -> StoreResult<u64>;

    /// Keeps a password reset for `user`, usable once until `expires_at`; the person's
    /// earlier unused resets are dropped, so only the newest link works.
    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The person a reset belongs to, while it is unused and unexpired and the account is on.
    async fn password_reset_user(&self, token_hash: &SecretHash, now: Timestamp) -> StoreResult<Option<UserId>>;
    /// Uses a reset, in one transaction: marks it used, sets the new password hash, and ends
    /// every session and API token of the person. `None`, changing nothing, when the reset is
    /// unknown, used or expired; of two uses at once, one wins.
    async fn redeem_password_reset(
        &self,
        token_hash: &SecretHash,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UserId>>;

    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiTokenId>;
    /// The token and its owner; `None` for an account switched off or deleted.
    async fn api_token_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<TokenOwner>>;
    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()>;
    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenSummary>>;
    async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> StoreResult<bool>;

    /// Records an attempt under each key, commits, and only then counts each key's attempts
    /// since `since` (this one included), in the order of `keys`. Recording before counting
    /// is what stops a parallel burst: the n-th of them counts at least n.
    async fn record_attempt(&self, keys: &[String], now: Timestamp, since: Timestamp) -> StoreResult<Vec<Attempts>>;
    /// Takes back one attempt recorded under `key` at `at` (a log-in that succeeded).
    async fn forget_attempt(&self, key: &str, at: Timestamp) -> StoreResult<()>;
    async fn clear_failures(&self, key: &str) -> StoreResult<()>;
}

/// Invites, and the couples they make.
#[async_trait]
pub trait Pairing: Send + Sync {
    /// Creates an invite, replacing any unused one of the same inviter.
    async fn create_invite(&self, new: &NewInvite) -> StoreResult<()>;
    async fn open_invite_of(&self, inviter: UserId, now: Timestamp) -> StoreResult<Option<InviteRecord>>;
    async fn invite_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<InviteRecord>>;
    async fn cancel_invites_of(&self, inviter: UserId) -> StoreResult<u64>;
    /// Redeems the invite for `joiner` and creates the couple, atomically.
    async fn redeem_invite(
        &self,
        hash: &SecretHash,
        joiner: UserId,
        now: Timestamp,
    ) -> StoreResult<Result<CoupleId, RedeemFailure>>;
    /// Ends the couple: both partners leave it; see `couple::UNPAIR_RULE`.
    async fn dissolve_couple(&self, couple: CoupleId, now: Timestamp) -> StoreResult<()>;
    /// A couple that has not ended: its members (by id) and when it began, in one read, as
    /// every page of the couple's space needs them. `None` for an ended or unknown couple.
    async fn couple_members(&self, couple: CoupleId) -> StoreResult<Option<(Vec<User>, Timestamp)>>;
    /// Every couple the person has been in, ended ones too, oldest first: ids and dates only,
    /// so "Your past words" and the export can read the person's own words from each.
    async fn couples_of(&self, user: UserId) -> StoreResult<Vec<PastCouple>>;
}

/// A couple a person has been in: when it began and, once unpaired, when it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastCouple {
    pub id: CoupleId,
    pub since: Timestamp,
    /// `None` while the couple still is one.
    pub ended: Option<Timestamp>,
}

/// The daily practices: check-ins, appreciations and hugs.
#[async_trait]
pub trait Daily: Send + Sync {
    /// Inserts or replaces the author's check-in for its day.
    async fn upsert_check_in(&self, record: &CheckInRecord) -> StoreResult<()>;
    /// The couple's check-ins with days from `from` to `to`, inclusive.
    async fn check_ins_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<CheckIn>>;
    async fn create_appreciation(&self, record: &AppreciationRecord) -> StoreResult<Appreciation>;
    async fn appreciation(&self, couple: CoupleId, id: AppreciationId) -> StoreResult<Option<Appreciation>>;
    /// Answers for the recipient only, in one write that keeps both parts of an answer: a
    /// reaction given replaces the reaction (`None` keeps it), a reply that is not empty
    /// replaces the reply (empty keeps it). False when nothing matched.
    async fn react_to_appreciation(
        &self,
        couple: CoupleId,
        id: AppreciationId,
        recipient: UserId,
        reaction: Option<Reaction>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Newest first.
    async fn appreciations(&self, couple: CoupleId, filter: &Filter) -> StoreResult<Vec<Appreciation>>;
    /// Logs a hug unless the couple logged one after `at - same_hug`, as one conditional
    /// write, so two phones tapping at once log one hug. True when this call logged it.
    async fn log_hug(&self, couple: CoupleId, by: UserId, at: Timestamp, same_hug: SignedDuration)
    -> StoreResult<bool>;
    /// When the couple's hugs since `since` were logged.
    async fn hugs_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Timestamp>>;
}

/// The guided practices: the Stress-Reducing Conversation and reflective listening.
#[async_trait]
pub trait Practices: Send + Sync {
    /// The couple's conversation that holds the one open place, if any.
    async fn open_conversation(&self, couple: CoupleId) -> StoreResult<Option<StoredConversation>>;
    /// Inserts an open conversation; `None` when the couple already has one open.
    async fn insert_conversation(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<ConversationId>>;
    /// Merges a step into the stored conversation: a time already set stays as it was and a
    /// rating replaces the earlier one, so steps from both phones cannot undo each other.
    /// With `open` false the conversation gives up the couple's open place. Returns the result.
    async fn update_conversation(
        &self,
        couple: CoupleId,
        id: ConversationId,
        c: &Conversation,
        open: bool,
    ) -> StoreResult<Conversation>;
    async fn conversation(&self, couple: CoupleId, id: ConversationId) -> StoreResult<Option<Conversation>>;
    /// Newest first.
    async fn conversations(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<StoredConversation>>;

    async fn open_listening(&self, couple: CoupleId) -> StoreResult<Option<Listening>>;
    /// Starts an exchange with its first share; `None` when the couple already has one open.
    async fn insert_listening(
        &self,
        couple: CoupleId,
        speaker: UserId,
        listener: UserId,
        share: &str,
        now: Timestamp,
    ) -> StoreResult<Option<ListeningId>>;
    async fn listening(&self, couple: CoupleId, id: ListeningId) -> StoreResult<Option<Listening>>;
    /// Newest first, with their rounds.
    async fn listenings(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<Listening>>;
    /// Sets the round's reflection unless it has one; false when it had.
    async fn reflect_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        reflection: &str,
        feeling: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Answers a reflected round once; with `next` it opens the next round with that share,
    /// otherwise it closes the exchange. False when the round was already answered.
    async fn answer_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        verdict: Verdict,
        next: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Closes the exchange and frees the couple's open place.
    async fn close_listening(&self, couple: CoupleId, id: ListeningId, now: Timestamp) -> StoreResult<()>;
}

/// Question decks: the ladder, the exchanges of answers, and the question of the day.
#[async_trait]
pub trait Questions: Send + Sync {
    /// The couple's ladder; a new couple's ladder starts at depth 1, version 0.
    async fn ladder(&self, couple: CoupleId) -> StoreResult<StoredLadder>;
    /// Saves the ladder only if it is still at `ladder.version` (and bumps the version); false
    /// when someone changed it first.
    async fn save_ladder(&self, couple: CoupleId, ladder: &StoredLadder) -> StoreResult<bool>;
    async fn exchange(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>>;
    /// All of the couple's exchanges, newest first, with both parts.
    async fn exchanges(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>>;
    /// The exchange for this question, made if it isn't there yet.
    async fn ensure_exchange(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<ExchangeId>;
    /// Saves an answer or a pass, only while the couple's ladder is at `depth` or deeper (checked
    /// in the same statement, so a step back at the same moment cannot let it through); an
    /// earlier pass may become an answer, an earlier answer stays. False when nothing was saved.
    async fn save_answer(&self, exchange: ExchangeId, answer: &NewAnswerRecord) -> StoreResult<bool>;
    async fn save_response(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        responder: UserId,
        reply_id: Option<&str>,
        words: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Marks the exchange complete once and, in the same transaction, counts it on the
    /// couple's ladder if the ladder is still at `depth`. False when it was complete already.
    async fn complete_exchange(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The three fail with `NotFound` unless the exchange is the couple's and the author has
    /// an answer in it.
    async fn save_felt(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, felt: Felt) -> StoreResult<()>;
    async fn save_favorite(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, on: bool) -> StoreResult<()>;
    /// Every question of the day drawn for the couple, oldest first; drawing the same question
    /// for the same day twice keeps one.
    async fn question_draws(&self, couple: CoupleId) -> StoreResult<Vec<QuestionDraw>>;
    /// The questions drawn for the couple on one day, oldest first (what a page view needs,
    /// however long the couple's history).
    async fn question_draws_on(&self, couple: CoupleId, day: Date) -> StoreResult<Vec<QuestionDraw>>;
    async fn add_question_draw(
        &self,
        couple: CoupleId,
        day: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// The couple's rhythm: when each practice happens, as agreed by both, and the tech-free
/// evenings they keep.
#[async_trait]
pub trait Rhythms: Send + Sync {
    /// Every agreed slot and every proposal of the couple.
    async fn rhythm_slots(&self, couple: CoupleId) -> StoreResult<Vec<StoredSlot>>;
    /// Proposes a slot for the practice, replacing an earlier proposal (by either partner).
    async fn propose_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        slot: &Slot,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Makes the waiting proposal the agreed slot, in one step, only when it was proposed by
    /// someone other than `by` and, with `seen`, only when it is the proposal made at `seen`
    /// (the one the person said yes to, not a newer one); false when there was no such proposal.
    async fn accept_slot(
        &self,
        couple: CoupleId,
        practice: Practice,
        by: UserId,
        seen: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Drops the waiting proposal (withdrawn by its author, or declined); false when none.
    async fn drop_slot_proposal(&self, couple: CoupleId, practice: Practice) -> StoreResult<bool>;
    async fn mark_practice(&self, couple: CoupleId, practice: Practice, by: UserId, now: Timestamp) -> StoreResult<()>;
    /// Marks since `since`, oldest first.
    async fn practice_marks_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<PracticeMark>>;

    /// The couple's evening that holds the one open place (not ended, and not past its end
    /// at `now`), if any.
    async fn open_evening(&self, couple: CoupleId, now: Timestamp) -> StoreResult<Option<Evening>>;
    /// Starts an evening unless one is open at `now` (one past its end time gives up its place
    /// first); `None` when one is open.
    async fn start_evening(
        &self,
        couple: CoupleId,
        by: UserId,
        now: Timestamp,
        ends_at: Timestamp,
    ) -> StoreResult<Option<EveningId>>;
    /// The partner who did not start it joins, once, while it is open; false otherwise.
    async fn join_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Ends it early ("We're back"), once, while it is open; false otherwise.
    async fn end_evening(&self, couple: CoupleId, id: EveningId, by: UserId, now: Timestamp) -> StoreResult<bool>;
    /// Sets the shared "what we did" line once the evening is over (ended, or past its end at
    /// `now`); the latest word counts. False when the evening is not theirs or not over.
    async fn note_evening(
        &self,
        couple: CoupleId,
        id: EveningId,
        by: UserId,
        note: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn evening(&self, couple: CoupleId, id: EveningId) -> StoreResult<Option<Evening>>;
    /// Evenings started since `since`, newest first.
    async fn evenings_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Evening>>;
}
