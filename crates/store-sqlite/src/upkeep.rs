//! The health of the database, and the housekeeping that keeps it small.

use crate::SqliteStore;
use crate::decode::{db, ms};
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::store::{StoreResult, Upkeep};

#[async_trait]
impl Upkeep for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query_scalar!(r#"select 1 as "one!: i64""#).fetch_one(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn probe_write(&self, now: Timestamp) -> StoreResult<()> {
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!(
            "insert into health (id, checked_at) values (1, $1) \
             on conflict (id) do update set checked_at = excluded.checked_at",
            now
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn prune_sessions(&self, before: Timestamp) -> StoreResult<u64> {
        let before = ms(before);
        let done = sqlx::query!("delete from sessions where expires_at <= $1", before)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn prune_failures(&self, before: Timestamp) -> StoreResult<u64> {
        let before = ms(before);
        let done =
            sqlx::query!("delete from login_failures where at <= $1", before).execute(&self.pool).await.map_err(db)?;
        Ok(done.rows_affected())
    }
}
