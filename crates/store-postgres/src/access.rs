//! Ways in: browser sessions, API tokens, and the attempts that throttle guessing.

use crate::{PgStore, Ts, db, ts, user_row};
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::auth::{ApiTokenSummary, SessionSummary};
use tend_domain::secret::SecretHash;
use tend_domain::store::{Access, Attempts, LiveSession, NewApiToken, NewSession, StoreResult, TokenOwner};
use tend_domain::{ApiTokenId, SessionId, UserId};

/// A session as its owner sees it, from a record with `s_`-prefixed session columns.
macro_rules! session_summary {
    ($r:expr) => {
        SessionSummary {
            id: SessionId($r.s_id),
            created_at: $r.s_created_at.to_jiff(),
            last_seen_at: $r.s_last_seen_at.to_jiff(),
            expires_at: $r.s_expires_at.to_jiff(),
            user_agent: $r.s_user_agent,
            ip: $r.s_ip,
        }
    };
}

/// A token as its owner sees it, from a record with `t_`-prefixed token columns.
macro_rules! token_summary {
    ($r:expr) => {
        ApiTokenSummary {
            id: ApiTokenId($r.t_id),
            name: $r.t_name,
            hint: $r.t_hint,
            created_at: $r.t_created_at.to_jiff(),
            last_used_at: $r.t_last_used_at.map(Ts::to_jiff),
        }
    };
}

#[async_trait]
impl Access for PgStore {
    async fn create_session(&self, new: &NewSession) -> StoreResult<SessionId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, \
             expires_at) values ($1, $2, $3, $4, $5, $6, $6, $7) returning id",
            new.user_id.0,
            new.token_hash.0,
            new.csrf_token,
            new.user_agent,
            new.ip,
            ts(new.now) as Ts,
            ts(new.expires_at) as Ts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(SessionId(id))
    }

    async fn session_by_token(&self, hash: &SecretHash, now: Timestamp) -> StoreResult<Option<LiveSession>> {
        let row = sqlx::query!(
            r#"select s.id as s_id, s.created_at as "s_created_at: Ts", s.last_seen_at as "s_last_seen_at: Ts",
                      s.expires_at as "s_expires_at: Ts", s.user_agent as s_user_agent, s.ip as s_ip, s.csrf_token,
                      u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts
               from sessions s join users u on u.id = s.user_id
               where s.token_hash = $1 and s.expires_at > $2 and u.deleted_at is null and u.disabled_at is null"#,
            hash.0,
            ts(now) as Ts
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let session = session_summary!(r);
        let csrf_token = r.csrf_token;
        let user = user_row!(r).into_user()?;
        Ok(Some(LiveSession { session, csrf_token, user }))
    }

    async fn touch_session(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> StoreResult<()> {
        sqlx::query!(
            "update sessions set last_seen_at = $1, expires_at = $2 where id = $3",
            ts(now) as Ts,
            ts(expires_at) as Ts,
            id.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<SessionSummary>> {
        let rows = sqlx::query!(
            r#"select id as s_id, created_at as "s_created_at: Ts", last_seen_at as "s_last_seen_at: Ts",
                      expires_at as "s_expires_at: Ts", user_agent as s_user_agent, ip as s_ip
               from sessions where user_id = $1 and expires_at > $2 order by last_seen_at desc, id desc"#,
            user.0,
            ts(now) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| session_summary!(r)).collect())
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        let n = sqlx::query!("delete from sessions where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn delete_sessions_except(&self, user: UserId, keep: Option<SessionId>) -> StoreResult<u64> {
        let n = sqlx::query!(
            "delete from sessions where user_id = $1 and ($2::bigint is null or id <> $2)",
            user.0,
            keep.map(|s| s.0)
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        let (now, expires_at) = (ts(now), ts(expires_at));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One at a time per person, so that of two requests at once only the later link stays.
        sqlx::query!("select id from users where id = $1 for update", user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!("delete from password_resets where user_id = $1 and used_at is null", user.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!(
            "insert into password_resets (user_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4)",
            user.0,
            token_hash.0,
            now as Ts,
            expires_at as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn password_reset_user(&self, token_hash: &SecretHash, now: Timestamp) -> StoreResult<Option<UserId>> {
        let now = ts(now);
        let user = sqlx::query_scalar!(
            r#"select user_id as "user_id!: i64" from password_resets
               where token_hash = $1 and used_at is null and expires_at > $2
                 and user_id in (select id from users where disabled_at is null)"#,
            token_hash.0,
            now as Ts
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(user.map(UserId))
    }

    async fn redeem_password_reset(
        &self,
        token_hash: &SecretHash,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UserId>> {
        let now = ts(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Claimed by the update itself: of two uses at once, only one finds it unused.
        let Some(user) = sqlx::query_scalar!(
            r#"update password_resets set used_at = $1
               where token_hash = $2 and used_at is null and expires_at > $1
                 and user_id in (select id from users where disabled_at is null)
               returning user_id as "user_id!: i64""#,
            now as Ts,
            token_hash.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        else {
            return Ok(None);
        };
        sqlx::query!(
            "update users set password_hash = $1, updated_at = $2 where id = $3",
            password_hash,
            now as Ts,
            user
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("delete from sessions where user_id = $1", user).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from api_tokens where user_id = $1", user).execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(UserId(user)))
    }

    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiTokenId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into api_tokens (user_id, name, token_hash, hint, created_at) values ($1, $2, $3, $4, $5) \
             returning id",
            new.user_id.0,
            new.name,
            new.token_hash.0,
            new.hint,
            ts(new.now) as Ts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(ApiTokenId(id))
    }

    async fn api_token_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<TokenOwner>> {
        let row = sqlx::query!(
            r#"select t.id as t_id, t.name as t_name, t.hint as t_hint, t.created_at as "t_created_at: Ts",
                      t.last_used_at as "t_last_used_at: Ts",
                      u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts
               from api_tokens t join users u on u.id = t.user_id
               where t.token_hash = $1 and u.deleted_at is null and u.disabled_at is null"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let token = token_summary!(r);
        let user = user_row!(r).into_user()?;
        Ok(Some(TokenOwner { token, user }))
    }

    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()> {
        sqlx::query!("update api_tokens set last_used_at = $1 where id = $2", ts(now) as Ts, id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenSummary>> {
        let rows = sqlx::query!(
            r#"select id as t_id, name as t_name, hint as t_hint, created_at as "t_created_at: Ts",
                      last_used_at as "t_last_used_at: Ts"
               from api_tokens where user_id = $1 order by created_at desc, id desc"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| token_summary!(r)).collect())
    }

    async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> StoreResult<bool> {
        let n = sqlx::query!("delete from api_tokens where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn record_attempt(&self, keys: &[String], now: Timestamp, since: Timestamp) -> StoreResult<Vec<Attempts>> {
        // Recorded and committed first, so that of a burst in parallel the n-th counts at least n.
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!(
            "insert into login_failures (key, at) select key, $2 from unnest($1::text[]) as k (key)",
            keys,
            ts(now) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // Then each key's attempts since `since`, in the order of `keys`.
        let rows = sqlx::query!(
            r#"select count(f.id) as "count!", min(f.at) as "oldest: Ts"
               from unnest($1::text[]) with ordinality as k (key, place)
               left join login_failures f on f.key = k.key and f.at > $2
               group by k.place order by k.place"#,
            keys,
            ts(since) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                let count =
                    u64::try_from(r.count).map_err(|e| crate::unreadable(format!("a count of {}: {e}", r.count)))?;
                Ok(Attempts { count, oldest: r.oldest.map(Ts::to_jiff) })
            })
            .collect()
    }

    async fn forget_attempt(&self, key: &str, at: Timestamp) -> StoreResult<()> {
        // One row only: other attempts at the same millisecond still count.
        sqlx::query!(
            "delete from login_failures where id = (select min(id) from login_failures where key = $1 and at = $2)",
            key,
            ts(at) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query!("delete from login_failures where key = $1", key).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }
}
