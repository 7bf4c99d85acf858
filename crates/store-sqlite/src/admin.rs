//! The host's admin page: who administers, the accounts at a glance, switching one off.

use crate::SqliteStore;
use crate::decode::{db, ms, opt_ts, ts};
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::UserId;
use tend_domain::store::StoreResult;
use tend_domain::store::admin::{AccountOverview, Admin, InstanceCounts};

#[async_trait]
impl Admin for SqliteStore {
    async fn is_admin(&self, user: UserId) -> StoreResult<bool> {
        let admin = sqlx::query_scalar!(
            r#"select admin as "admin!: bool" from users
               where id = $1 and deleted_at is null and disabled_at is null"#,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(admin.unwrap_or(false))
    }

    async fn set_admin(&self, user: UserId, admin: bool, now: Timestamp) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update users set admin = $1, updated_at = $2 where id = $3 and deleted_at is null",
            admin,
            now,
            user.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn account_overviews(&self, after: Option<UserId>, limit: u32) -> StoreResult<Vec<AccountOverview>> {
        self.overviews(after.map(|u| u.0), None, i64::from(limit)).await
    }

    async fn account_overview(&self, user: UserId) -> StoreResult<Option<AccountOverview>> {
        Ok(self.overviews(None, Some(user.0), 1).await?.pop())
    }

    async fn instance_counts(&self, week_ago: Timestamp, month_ago: Timestamp) -> StoreResult<InstanceCounts> {
        let (week_ago, month_ago) = (ms(week_ago), ms(month_ago));
        let r = sqlx::query!(
            r#"with seen as (
                   select u.disabled_at, u.couple_id,
                          (select max(t) from (select max(last_seen_at) as t from sessions where user_id = u.id
                                               union all select max(last_used_at) from api_tokens where user_id = u.id
                                               union all select u.today_seen_at)) as at
                   from users u where u.deleted_at is null)
               select count(*) as "accounts!: i64",
                      count(disabled_at) as "disabled!: i64",
                      count(distinct couple_id) as "couples!: i64",
                      count(case when at >= $1 then 1 end) as "week!: i64",
                      count(case when at >= $2 then 1 end) as "month!: i64"
               from seen"#,
            week_ago,
            month_ago
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(InstanceCounts {
            accounts: n(r.accounts),
            disabled: n(r.disabled),
            couples: n(r.couples),
            seen_since_week: n(r.week),
            seen_since_month: n(r.month),
        })
    }

    async fn set_disabled(&self, user: UserId, at: Option<Timestamp>, now: Timestamp) -> StoreResult<bool> {
        let (at, now) = (at.map(ms), ms(now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let found = sqlx::query!(
            "update users set disabled_at = $1, updated_at = $2 where id = $3 and deleted_at is null",
            at,
            now,
            user.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        // Switching off ends every way in; switching on clears anything a race let in while
        // it was off (a log-in or link checked just before), so nothing from then revives.
        if found {
            sqlx::query!("delete from sessions where user_id = $1", user.0).execute(&mut *tx).await.map_err(db)?;
            sqlx::query!("delete from api_tokens where user_id = $1", user.0).execute(&mut *tx).await.map_err(db)?;
            sqlx::query!("delete from password_resets where user_id = $1 and used_at is null", user.0)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query!("delete from invites where inviter_id = $1 and used_at is null", user.0)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(found)
    }

    async fn disabled_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        let at = sqlx::query_scalar!("select disabled_at from users where id = $1", user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .flatten();
        opt_ts(at)
    }
}

impl SqliteStore {
    /// Accounts after `after`, or the one with id `only`, as the admin page lists them.
    async fn overviews(&self, after: Option<i64>, only: Option<i64>, limit: i64) -> StoreResult<Vec<AccountOverview>> {
        let rows = sqlx::query!(
            r#"select u.id as "id!: i64", u.email, u.display_name, u.created_at,
                      (select max(t) from (select max(last_seen_at) as t from sessions where user_id = u.id
                                           union all select max(last_used_at) from api_tokens where user_id = u.id
                                           union all select u.today_seen_at)) as "last_seen?: i64",
                      u.couple_id is not null as "paired!: bool",
                      u.admin as "admin!: bool",
                      u.disabled_at
               from users u
               where u.deleted_at is null and ($1 is null or u.id > $1) and ($2 is null or u.id = $2)
               order by u.id limit $3"#,
            after,
            only,
            limit
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(AccountOverview {
                    id: UserId(r.id),
                    email: r.email,
                    display_name: r.display_name,
                    created_at: ts(r.created_at)?,
                    last_seen: opt_ts(r.last_seen)?,
                    paired: r.paired,
                    admin: r.admin,
                    disabled_at: opt_ts(r.disabled_at)?,
                })
            })
            .collect()
    }
}
