//! Ways in: browser sessions, API tokens, and the attempts that throttle guessing.

use crate::SqliteStore;
use crate::decode::{db, ms, opt_ts, ts, user_row};
use async_trait::async_trait;
use jiff::Timestamp;
use tend_domain::auth::{ApiTokenSummary, SessionSummary};
use tend_domain::secret::SecretHash;
use tend_domain::store::{Access, Attempts, LiveSession, NewApiToken, NewSession, StoreError, StoreResult, TokenOwner};
use tend_domain::{ApiTokenId, SessionId, UserId};

#[async_trait]
impl Access for SqliteStore {
    async fn create_session(&self, new: &NewSession) -> StoreResult<SessionId> {
        let (now, expires_at) = (ms(new.now), ms(new.expires_at));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at)
               values ($1, $2, $3, $4, $5, $6, $6, $7) returning id as "id!: i64""#,
            new.user_id.0,
            new.token_hash.0,
            new.csrf_token,
            new.user_agent,
            new.ip,
            now,
            expires_at
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(SessionId(id))
    }

    async fn session_by_token(&self, hash: &SecretHash, now: Timestamp) -> StoreResult<Option<LiveSession>> {
        let now = ms(now);
        let row = sqlx::query!(
            r#"select s.id as "s_id!: i64", s.created_at as s_created_at, s.last_seen_at as s_last_seen_at,
                      s.expires_at as s_expires_at, s.user_agent as s_user_agent, s.ip as s_ip, s.csrf_token,
                      u.id as "u_id!: i64", u.email as u_email, u.display_name as u_display_name,
                      u.time_zone as u_time_zone, u.couple_id as u_couple_id, u.created_at as u_created_at,
                      u.hide_counts as "u_hide_counts: bool"
               from sessions s join users u on u.id = s.user_id
               where s.token_hash = $1 and s.expires_at > $2 and u.deleted_at is null and u.disabled_at is null"#,
            hash.0,
            now
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let session = SessionSummary {
            id: SessionId(r.s_id),
            created_at: ts(r.s_created_at)?,
            last_seen_at: ts(r.s_last_seen_at)?,
            expires_at: ts(r.s_expires_at)?,
            user_agent: r.s_user_agent,
            ip: r.s_ip,
        };
        let csrf_token = r.csrf_token;
        let user = user_row!(r).into_user()?;
        Ok(Some(LiveSession { session, csrf_token, user }))
    }

    async fn touch_session(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> StoreResult<()> {
        let (now, expires_at) = (ms(now), ms(expires_at));
        sqlx::query!("update sessions set last_seen_at = $1, expires_at = $2 where id = $3", now, expires_at, id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<SessionSummary>> {
        let now = ms(now);
        let rows = sqlx::query!(
            r#"select id as "id!: i64", created_at, last_seen_at, expires_at, user_agent, ip from sessions
               where user_id = $1 and expires_at > $2 order by last_seen_at desc, id desc"#,
            user.0,
            now
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(SessionSummary {
                    id: SessionId(r.id),
                    created_at: ts(r.created_at)?,
                    last_seen_at: ts(r.last_seen_at)?,
                    expires_at: ts(r.expires_at)?,
                    user_agent: r.user_agent,
                    ip: r.ip,
                })
            })
            .collect()
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        let done = sqlx::query!("delete from sessions where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_sessions_except(&self, user: UserId, keep: Option<SessionId>) -> StoreResult<u64> {
        let keep = keep.map(|s| s.0);
        let done = sqlx::query!("delete from sessions where user_id = $1 and ($2 is null or id <> $2)", user.0, keep)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &SecretHash,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        let (now, expires_at) = (ms(now), ms(expires_at));
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!("delete from password_resets where user_id = $1 and used_at is null", user.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!(
            "insert into password_resets (user_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4)",
            user.0,
            token_hash.0,
            now,
            expires_at
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn password_reset_user(&self, token_hash: &SecretHash, now: Timestamp) -> StoreResult<Option<UserId>> {
        let now = ms(now);
        let user = sqlx::query_scalar!(
            r#"select user_id as "user_id!: i64" from password_resets
               where token_hash = $1 and used_at is null and expires_at > $2
                 and user_id in (select id from users where disabled_at is null)"#,
            token_hash.0,
            now
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
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Claimed by the update itself: of two uses at once, only one finds it unused.
        let Some(user) = sqlx::query_scalar!(
            r#"update password_resets set used_at = $1
               where token_hash = $2 and used_at is null and expires_at > $1
                 and user_id in (select id from users where disabled_at is null)
               returning user_id as "user_id!: i64""#,
            now,
            token_hash.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        else {
            return Ok(None);
        };
        sqlx::query!("update users set password_hash = $1, updated_at = $2 where id = $3", password_hash, now, user)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!("delete from sessions where user_id = $1", user).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from api_tokens where user_id = $1", user).execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(Some(UserId(user)))
    }

    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiTokenId> {
        let now = ms(new.now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into api_tokens (user_id, name, token_hash, hint, created_at) values ($1, $2, $3, $4, $5)
               returning id as "id!: i64""#,
            new.user_id.0,
            new.name,
            new.token_hash.0,
            new.hint,
            now
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(ApiTokenId(id))
    }

    async fn api_token_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<TokenOwner>> {
        let row = sqlx::query!(
            r#"select t.id as "t_id!: i64", t.name as t_name, t.hint as t_hint, t.created_at as t_created_at,
                      t.last_used_at as t_last_used_at,
                      u.id as "u_id!: i64", u.email as u_email, u.display_name as u_display_name,
                      u.time_zone as u_time_zone, u.couple_id as u_couple_id, u.created_at as u_created_at,
                      u.hide_counts as "u_hide_counts: bool"
               from api_tokens t join users u on u.id = t.user_id
               where t.token_hash = $1 and u.deleted_at is null and u.disabled_at is null"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        let token = ApiTokenSummary {
            id: ApiTokenId(r.t_id),
            name: r.t_name,
            hint: r.t_hint,
            created_at: ts(r.t_created_at)?,
            last_used_at: opt_ts(r.t_last_used_at)?,
        };
        let user = user_row!(r).into_user()?;
        Ok(Some(TokenOwner { token, user }))
    }

    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()> {
        let now = ms(now);
        sqlx::query!("update api_tokens set last_used_at = $1 where id = $2", now, id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenSummary>> {
        let rows = sqlx::query!(
            r#"select id as "id!: i64", name, hint, created_at, last_used_at from api_tokens
               where user_id = $1 order by created_at desc, id desc"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(ApiTokenSummary {
                    id: ApiTokenId(r.id),
                    name: r.name,
                    hint: r.hint,
                    created_at: ts(r.created_at)?,
                    last_used_at: opt_ts(r.last_used_at)?,
                })
            })
            .collect()
    }

    async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> StoreResult<bool> {
        let done = sqlx::query!("delete from api_tokens where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn record_attempt(&self, keys: &[String], now: Timestamp, since: Timestamp) -> StoreResult<Vec<Attempts>> {
        let (now, since) = (ms(now), ms(since));
        let mut tx = self.pool.begin().await.map_err(db)?;
        for key in keys {
            sqlx::query!("insert into login_failures (key, at) values ($1, $2)", key, now)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        // Counted only after the commit, so each of a burst of parallel attempts sees itself
        // and every one committed before it.
        let mut counts = Vec::with_capacity(keys.len());
        for key in keys {
            let r = sqlx::query!(
                r#"select count(*) as "n!: i64", min(at) as "oldest: i64" from login_failures
                   where key = $1 and at > $2"#,
                key,
                since
            )
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
            let count = u64::try_from(r.n).map_err(|e| StoreError::Backend(e.to_string()))?;
            counts.push(Attempts { count, oldest: opt_ts(r.oldest)? });
        }
        Ok(counts)
    }

    async fn forget_attempt(&self, key: &str, at: Timestamp) -> StoreResult<()> {
        let at = ms(at);
        // One row only: other attempts at the same millisecond still count.
        sqlx::query!(
            "delete from login_failures where id = (select min(id) from login_failures where key = $1 and at = $2)",
            key,
            at
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
