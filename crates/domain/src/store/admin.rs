//! What the host's admin page needs from storage: who may administer, the accounts (names,
//! dates and flags, never anything a couple wrote), switching an account off and on, and the
//! instance's counts.
//!
//! Who is an admin is a flag on the account: set for the account that founds the instance
//! (in the same transaction), and by the host with `tend user admin`. It never passes to
//! whoever came next, so deleting the founder leaves the naming of a new admin to the host.

use super::StoreResult;
use crate::ids::UserId;
use async_trait::async_trait;
use jiff::Timestamp;

/// One account as the admin page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountOverview {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub created_at: Timestamp,
    /// The latest of: a session's last use, an API token's last use, a visit to Today that
    /// showed something new. `None` when none of these is known.
    pub last_seen: Option<Timestamp>,
    pub paired: bool,
    /// The founding account, or one the host named admin.
    pub admin: bool,
    pub disabled_at: Option<Timestamp>,
}

/// The instance at a glance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstanceCounts {
    /// Accounts not deleted, disabled ones included.
    pub accounts: u64,
    pub disabled: u64,
    /// Couples now together.
    pub couples: u64,
    /// Accounts seen since the two given times (a week and a month back, as the page asks).
    pub seen_since_week: u64,
    pub seen_since_month: u64,
}

#[async_trait]
pub trait Admin: Send + Sync {
    /// Whether the account may use the admin page: an admin, neither switched off nor deleted.
    async fn is_admin(&self, user: UserId) -> StoreResult<bool>;
    /// Names the account admin, or takes the name back. False when there is no such account.
    async fn set_admin(&self, user: UserId, admin: bool, now: Timestamp) -> StoreResult<bool>;
    /// Up to `limit` accounts after `after` (by id, oldest first), deleted ones left out.
    async fn account_overviews(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<AccountOverview>>;
    /// One account as the admin page shows it; `None` when deleted or unknown.
    async fn account_overview(&self, user: UserId) -> StoreResult<Option<AccountOverview>>;
    async fn instance_counts(&self, week_ago: Timestamp, month_ago: Timestamp) -> StoreResult<InstanceCounts>;
    /// Switches an account off (`Some(when)`) or back on (`None`). Either way, in the same
    /// transaction, every session, API token, unused reset link and unused invite of the account
    /// ends: switching off shuts every way in, and switching on clears whatever a race let in
    /// meanwhile. While off, no session, token, link or invite of the account works. False when
    /// there is no such account (or it is deleted).
    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>, now: Timestamp) -> StoreResult<bool>;
    /// When the account was switched off, if it is.
    async fn disabled_at(&self, user: UserId) -> StoreResult<Option<Timestamp>>;
}
