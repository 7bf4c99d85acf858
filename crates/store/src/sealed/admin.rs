//! The admin page behind the vault: names, emails, dates and flags, none of them sealed, so
//! every method passes straight through.

use super::SealedStore;
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::ids::UserId;
use tend_domain::store::StoreResult;
use tend_domain::store::admin::{AccountOverview, Admin, InstanceCounts};

#[async_trait]
impl Admin for SealedStore {
    async fn is_admin(&self, user: UserId) -> StoreResult<bool> {
        self.inner.is_admin(user).await
    }

    async fn set_admin(&self, user: UserId, admin: bool, now: Timestamp) -> StoreResult<bool> {
        self.inner.set_admin(user, admin, now).await
    }

    async fn account_overviews(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<AccountOverview>> {
        self.inner.account_overviews(after, limit).await
    }

    async fn account_overview(&self, user: UserId) -> StoreResult<Option<AccountOverview>> {
        self.inner.account_overview(user).await
    }

    async fn instance_counts(&self, week_ago: Timestamp, month_ago: Timestamp) -> StoreResult<InstanceCounts> {
        self.inner.instance_counts(week_ago, month_ago).await
    }

    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>, now: Timestamp) -> StoreResult<bool> {
        self.inner.set_disabled(user, at, now).await
    }

    async fn disabled_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        self.inner.disabled_at(user).await
    }
}
