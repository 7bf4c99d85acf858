//! What reminders need from storage: each person's choices, their devices, their calendar
//! feed, the outbox every node claims reminders from, and the instance's shared secrets.

use super::{StoreResult, User};
use crate::ids::{CoupleId, PushSubscriptionId, ReminderId, UserId};
use crate::reminder::{Channel, Choices};
use crate::rhythm::{Practice, Slot};
use crate::secret::SecretHash;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;

/// A device that receives Web Push, as its browser described it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushSubscription {
    pub id: PushSubscriptionId,
    pub user_id: UserId,
    /// The push service's https URL for this device.
    pub endpoint: String,
    /// The browser's P-256 public key, base64url.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret, base64url.
    pub auth: String,
    /// "Chrome on Android": what the person sees in Settings.
    pub label: String,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPushSubscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub label: String,
}

/// One person's agreed slot with their wish to be reminded of it: what the scheduler plans from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: UserId,
    pub couple_id: CoupleId,
    pub practice: Practice,
    pub channel: Channel,
    pub slot: Slot,
}

/// A reminder due to one person on one channel, identified by what it is about: the same
/// (person, practice, occurrence, channel) is queued once, however many nodes plan it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReminder {
    pub user_id: UserId,
    pub couple_id: CoupleId,
    pub practice: Practice,
    /// Which time of the practice: the slot's start (`2026-12-03T19:30`), or `nudge-2026-12-03`.
    pub occurrence: String,
    pub channel: Channel,
    /// Sent by the partner ("Sam would love a check-in tonight"), for a nudge.
    pub nudged_by: Option<UserId>,
    pub due_at: Timestamp,
    /// Past this it is no longer useful and is dropped unsent.
    pub expires_at: Timestamp,
}

/// A reminder one node has claimed to send until `lease_until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedReminder {
    pub id: ReminderId,
    pub reminder: NewReminder,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

/// How a claimed reminder ended, or when to try it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    Sent,
    /// Not sent, and never will be: done already, too late, over the day's limit, no device.
    Dropped(String),
    /// Try again at this time (a channel that failed, quiet hours, a tech-free evening).
    Later {
        at: Timestamp,
        error: Option<String>,
    },
}

/// A reminder as the person's Settings lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReminder {
    pub practice: Practice,
    pub channel: Channel,
    pub nudged_by: Option<UserId>,
    pub sent_at: Timestamp,
}

/// Reminders: choices, devices, calendar feeds, the shared outbox and the instance's secrets.
#[async_trait]
pub trait Reminders: Send + Sync {
    /// The person's choices; everything off, with the default quiet hours, until they choose.
    async fn reminder_choices(&self, user: UserId) -> StoreResult<Choices>;
    /// Replaces the person's choices in one transaction.
    async fn save_reminder_choices(&self, user: UserId, choices: &Choices, now: Timestamp) -> StoreResult<()>;
    /// Turns email off for every practice (the one-click unsubscribe).
    async fn stop_email(&self, user: UserId, now: Timestamp) -> StoreResult<()>;

    /// Adds a device, or moves an endpoint already known (a browser re-subscribing, or a
    /// shared device changing hands) to this person with its new keys.
    async fn save_push_subscription(
        &self,
        user: UserId,
        sub: &NewPushSubscription,
        now: Timestamp,
    ) -> StoreResult<PushSubscriptionId>;
    /// The person's devices, oldest first.
    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>>;
    /// Removes one of the person's devices; false when it is not theirs.
    async fn delete_push_subscription(&self, user: UserId, id: PushSubscriptionId) -> StoreResult<bool>;
    /// Forgets an endpoint the push service says is gone (404 or 410), whoever it belonged to.
    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()>;

    /// Sets (replacing any old one) or, with `None`, revokes the person's calendar feed token.
    async fn set_calendar_token(&self, user: UserId, hash: Option<&SecretHash>, now: Timestamp) -> StoreResult<()>;
    /// When the person's current feed address was made, if they have one.
    async fn calendar_token_made(&self, user: UserId) -> StoreResult<Option<Timestamp>>;
    /// Whose feed a token opens.
    async fn calendar_owner(&self, hash: &SecretHash) -> StoreResult<Option<User>>;

    /// Every agreed slot of a paired person who chose to be reminded of it, per channel.
    async fn reminder_candidates(&self) -> StoreResult<Vec<Candidate>>;
    /// Queues a reminder unless the same one (person, practice, occurrence, channel) is queued
    /// or was sent already; true when this call queued it.
    async fn queue_reminder(&self, reminder: &NewReminder) -> StoreResult<bool>;
    /// Claims up to `limit` queued reminders due at `now` that no other node holds, for this
    /// node until `lease_until`. Two nodes claiming at once never get the same reminder.
    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<QueuedReminder>>;
    /// Records how a claimed reminder ended.
    async fn settle_reminder(&self, id: ReminderId, settled: &Settled, now: Timestamp) -> StoreResult<()>;
    /// Counts `reminder` among the person's reminders of their local `day` if fewer than `max`
    /// are counted; true also when it was counted already (a retry), false (and nothing
    /// counted) when the day is full. Safe against other nodes counting at the same time.
    async fn take_reminder_slot(&self, user: UserId, day: Date, max: u32, reminder: ReminderId) -> StoreResult<bool>;
    /// Reminders sent to the person since `since`, newest first.
    async fn reminders_sent(&self, user: UserId, since: Timestamp) -> StoreResult<Vec<SentReminder>>;
    /// Records a nudge from one partner to the other for the sender's local `day`; false when
    /// they already sent one that day.
    async fn record_nudge(
        &self,
        couple: CoupleId,
        from: UserId,
        practice: Practice,
        day: Date,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Nudges to the couple since `since`: (from, practice, at), newest first.
    async fn nudges_since(&self, couple: CoupleId, since: Timestamp)
    -> StoreResult<Vec<(UserId, Practice, Timestamp)>>;
    /// Drops sent and dropped reminders settled before `before`, and budgets of older days.
    async fn prune_reminders(&self, before: Timestamp, day_before: Date) -> StoreResult<u64>;

    /// Claims the named periodic job for this node if it is due at `now`, moving its next run
    /// to `next`; true for exactly one caller per period, across nodes.
    async fn claim_job(&self, name: &str, now: Timestamp, next: Timestamp) -> StoreResult<bool>;
    /// The instance-wide secret called `name`; the first caller's `fresh` value wins and every
    /// node reads the same one afterwards.
    async fn instance_secret(&self, name: &str, fresh: &str) -> StoreResult<String>;
}
