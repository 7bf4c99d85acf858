//! The `Store` implementation shared by SQLite and PostgreSQL.

use crate::{Backend, backend_error};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use tend_domain::appreciation::{self, Appreciation, AppreciationRecord, Filter, Reaction};
use tend_domain::auth::{ApiTokenSummary, SessionSummary};
use tend_domain::check_in::{CheckIn, CheckInRecord};
use tend_domain::conversation::Conversation;
use tend_domain::couple::InviteRecord;
use tend_domain::exchange::{Exchange, Felt};
use tend_domain::listening::{Listening, Verdict};
use tend_domain::secret::SecretHash;
use tend_domain::store::{
    Attempts, Gate, NewAnswerRecord, NewApiToken, NewInvite, NewSession, NewUserRecord, ProfileChange, RedeemFailure,
    RegisterOutcome, StoreResult, User,
};
use tend_domain::time::TimeZoneName;
use tend_domain::{ApiTokenId, CoupleId, InviteId, SessionId, Store, StoreError, UserId};

#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Fills in the folded search text of appreciations written before it existed, a batch
    /// per transaction; safe to run from several nodes at once, and a no-op once done.
    pub(crate) async fn fold_old_appreciations(&self) -> StoreResult<()> {
        loop {
            let mut tx = self.pool.begin().await.map_err(db)?;
            let rows = sqlx::query("select id, body, reply from appreciations where body_folded is null limit 500")
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
            if rows.is_empty() {
                return Ok(());
            }
            for row in &rows {
                let (id, body, reply): (i64, String, String) = (
                    row.try_get("id").map_err(db)?,
                    row.try_get("body").map_err(db)?,
                    row.try_get("reply").map_err(db)?,
                );
                sqlx::query("update appreciations set body_folded = $1, reply_folded = $2 where id = $3")
                    .bind(fold(&body))
                    .bind(fold(&reply))
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
        }
    }
}

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn ts(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn db(e: sqlx::Error) -> StoreError {
    backend_error(e)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at, u.hide_counts";

fn user_from(row: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: UserId(row.try_get("id")?),
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        time_zone: TimeZoneName::from_stored(row.try_get("time_zone")?),
        couple_id: row.try_get::<Option<i64>, _>("couple_id")?.map(CoupleId),
        created_at: ts(row.try_get("created_at")?),
        hide_counts: row.try_get::<i64, _>("hide_counts")? != 0,
    })
}

fn session_from(row: &AnyRow) -> Result<SessionSummary, sqlx::Error> {
    Ok(SessionSummary {
        id: SessionId(row.try_get("s_id")?),
        created_at: ts(row.try_get("s_created_at")?),
        last_seen_at: ts(row.try_get("s_last_seen_at")?),
        expires_at: ts(row.try_get("s_expires_at")?),
        user_agent: row.try_get("s_user_agent")?,
        ip: row.try_get("s_ip")?,
    })
}

const SESSION_COLUMNS: &str = "s.id as s_id, s.created_at as s_created_at, s.last_seen_at as s_last_seen_at, \
     s.expires_at as s_expires_at, s.user_agent as s_user_agent, s.ip as s_ip";

fn token_from(row: &AnyRow) -> Result<ApiTokenSummary, sqlx::Error> {
    Ok(ApiTokenSummary {
        id: ApiTokenId(row.try_get("t_id")?),
        name: row.try_get("t_name")?,
        hint: row.try_get("t_hint")?,
        created_at: ts(row.try_get("t_created_at")?),
        last_used_at: row.try_get::<Option<i64>, _>("t_last_used_at")?.map(ts),
    })
}

const TOKEN_COLUMNS: &str =
    "t.id as t_id, t.name as t_name, t.hint as t_hint, t.created_at as t_created_at, t.last_used_at as t_last_used_at";

fn invite_from(row: &AnyRow) -> Result<InviteRecord, sqlx::Error> {
    Ok(InviteRecord {
        id: InviteId(row.try_get("i_id")?),
        inviter: user_from(row)?,
        created_at: ts(row.try_get("i_created_at")?),
        expires_at: ts(row.try_get("i_expires_at")?),
        used_at: row.try_get::<Option<i64>, _>("i_used_at")?.map(ts),
    })
}

const INVITE_SELECT: &str = "select i.id as i_id, i.created_at as i_created_at, i.expires_at as i_expires_at, \
     i.used_at as i_used_at, u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at, u.hide_counts \
     from invites i join users u on u.id = i.inviter_id";

fn check_in_from(row: &AnyRow) -> Result<CheckIn, sqlx::Error> {
    let day: String = row.try_get("day")?;
    Ok(CheckIn {
        author: UserId(row.try_get("author_id")?),
        day: day.parse().map_err(|e: jiff::Error| sqlx::Error::Decode(e.into()))?,
        high: row.try_get("high")?,
        low: row.try_get("low")?,
        closeness: u8::try_from(row.try_get::<i64, _>("closeness")?).unwrap_or(4),
        need: row.try_get("need")?,
        created_at: ts(row.try_get("created_at")?),
        updated_at: ts(row.try_get("updated_at")?),
    })
}

const APPRECIATION_COLUMNS: &str =
    "id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply, reacted_at";

fn appreciation_from(row: &AnyRow) -> Result<Appreciation, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let reaction: Option<String> = row.try_get("reaction")?;
    Ok(Appreciation {
        id: row.try_get("id")?,
        author: UserId(row.try_get("author_id")?),
        recipient: UserId(row.try_get("recipient_id")?),
        kind: appreciation::Kind::parse(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown kind {kind}").into()))?,
        body: row.try_get("body")?,
        starter_id: row.try_get("starter_id")?,
        created_at: ts(row.try_get("created_at")?),
        reaction: reaction.as_deref().and_then(Reaction::parse),
        reply: row.try_get("reply")?,
        reacted_at: row.try_get::<Option<i64>, _>("reacted_at")?.map(ts),
    })
}

/// Text as search compares it: lower-cased by Rust, which knows every alphabet (SQLite's
/// `lower()` knows only ASCII).
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// `%text%` for LIKE, with the wildcards in `text` itself taken literally.
fn like_pattern(text: &str) -> String {
    let escaped = fold(text).replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

async fn attempts_since(pool: &AnyPool, key: &str, since: Timestamp) -> StoreResult<Attempts> {
    let row = sqlx::query("select count(*) as n, min(at) as oldest from login_failures where key = $1 and at > $2")
        .bind(key)
        .bind(ms(since))
        .fetch_one(pool)
        .await
        .map_err(db)?;
    let n: i64 = row.try_get("n").map_err(db)?;
    let oldest: Option<i64> = row.try_get("oldest").map_err(db)?;
    Ok(Attempts { count: u64::try_from(n).map_err(backend_error)?, oldest: oldest.map(ts) })
}

impl SqlStore {
    async fn user_in(tx: &mut Tx<'_>, id: i64) -> Result<Option<User>, sqlx::Error> {
        let row = sqlx::query(&format!("select {USER_COLUMNS} from users u where u.id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// Redeems an invite inside `tx`: marks it used, makes the couple and sets both partners'
    /// couple. Every condition is part of a write, so two racing redemptions cannot both win.
    async fn redeem_in(
        tx: &mut Tx<'_>,
        hash: &SecretHash,
        joiner: i64,
        now: i64,
    ) -> Result<Result<CoupleId, RedeemFailure>, sqlx::Error> {
        let claimed = sqlx::query(
            "update invites set used_at = $1, used_by = $2 \
             where (token_hash = $3 or code_hash = $3) and used_at is null and expires_at > $1 and inviter_id <> $2 \
             returning inviter_id",
        )
        .bind(now)
        .bind(joiner)
        .bind(&hash.0)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(claimed) = claimed else {
            let row = sqlx::query(
                "select inviter_id, used_at, expires_at from invites where token_hash = $1 or code_hash = $1",
            )
            .bind(&hash.0)
            .fetch_optional(&mut **tx)
            .await?;
            let failure = match row {
                None => RedeemFailure::Unknown,
                Some(r) if r.try_get::<Option<i64>, _>("used_at")?.is_some() => RedeemFailure::Used,
                Some(r) if r.try_get::<i64, _>("inviter_id")? == joiner => RedeemFailure::OwnInvite,
                Some(_) => RedeemFailure::Expired,
            };
            return Ok(Err(failure));
        };
        let inviter: i64 = claimed.try_get("inviter_id")?;
        let couple: i64 = sqlx::query("insert into couples (created_at) values ($1) returning id")
            .bind(now)
            .fetch_one(&mut **tx)
            .await?
            .try_get("id")?;
        let joined =
            sqlx::query("update users set couple_id = $1, updated_at = $2 where id in ($3, $4) and couple_id is null")
                .bind(couple)
                .bind(now)
                .bind(inviter)
                .bind(joiner)
                .execute(&mut **tx)
                .await?
                .rows_affected();
        if joined != 2 {
            // Whoever was not moved into the new couple was already in another one.
            let joiner_moved = Self::user_in(tx, joiner).await?.is_some_and(|u| u.couple_id == Some(CoupleId(couple)));
            return Ok(Err(if joiner_moved { RedeemFailure::InviterPaired } else { RedeemFailure::JoinerPaired }));
        }
        // The joiner's own invite, if any, has nobody left to invite.
        sqlx::query("delete from invites where inviter_id in ($1, $2) and used_at is null")
            .bind(inviter)
            .bind(joiner)
            .execute(&mut **tx)
            .await?;
        Ok(Ok(CoupleId(couple)))
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("select 1").fetch_one(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn probe_write(&self, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(
            "insert into health (id, checked_at) values (1, $1) \
             on conflict (id) do update set checked_at = excluded.checked_at",
        )
        .bind(ms(now))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn register(&self, new: &NewUserRecord, gate: &Gate, now: Timestamp) -> StoreResult<RegisterOutcome> {
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Writing first takes SQLite's write lock at once, so this transaction never has to
        // upgrade a read lock (which can fail under contention).
        let founded = sqlx::query("insert into instance (id, founded_at) values (1, $1) on conflict (id) do nothing")
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected()
            == 1;
        if matches!(gate, Gate::FirstAccount) && !founded {
            return Ok(RegisterOutcome::Closed);
        }
        let inserted = sqlx::query(
            "insert into users (email, display_name, password_hash, time_zone, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5) returning id",
        )
        .bind(&new.email)
        .bind(&new.display_name)
        .bind(&new.password_hash)
        .bind(new.time_zone.as_str())
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get("id").map_err(db)?,
            Err(e) if is_unique_violation(&e) => return Ok(RegisterOutcome::EmailTaken),
            Err(e) => return Err(db(e)),
        };
        let couple = match gate {
            Gate::Invite(hash) => match Self::redeem_in(&mut tx, hash, id, now).await.map_err(db)? {
                Ok(couple) => Some(couple),
                Err(failure) => return Ok(RegisterOutcome::Invite(failure)),
            },
            Gate::FirstAccount | Gate::Open => None,
        };
        let user = Self::user_in(&mut tx, id).await.map_err(db)?.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db)?;
        Ok(RegisterOutcome::Created { user, couple })
    }

    async fn is_founded(&self) -> StoreResult<bool> {
        let row = sqlx::query("select count(*) as n from instance").fetch_one(&self.pool).await.map_err(db)?;
        Ok(row.try_get::<i64, _>("n").map_err(db)? > 0)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("select {USER_COLUMNS} from users u where u.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(user_from).transpose().map_err(db)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query(&format!("select {USER_COLUMNS} from users u where u.email = $1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(user_from).transpose().map_err(db)
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        let row = sqlx::query("select password_hash from users where id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get("password_hash")).transpose().map_err(db)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()> {
        let n = sqlx::query("update users set password_hash = $1, updated_at = $2 where id = $3")
            .bind(hash)
            .bind(ms(now))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected();
        if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
    }

    async fn update_profile(&self, id: UserId, change: &ProfileChange, now: Timestamp) -> StoreResult<User> {
        let result = sqlx::query(
            "update users set display_name = coalesce($1, display_name), email = coalesce($2, email), \
             time_zone = coalesce($3, time_zone), hide_counts = coalesce($4, hide_counts), updated_at = $5 where id = $6",
        )
        .bind(change.display_name.as_deref())
        .bind(change.email.as_deref())
        .bind(change.time_zone.as_ref().map(|z| z.as_str()))
        .bind(change.hide_counts.map(i64::from))
        .bind(ms(now))
        .bind(id.0)
        .execute(&self.pool)
        .await;
        match result {
            Ok(r) if r.rows_affected() == 1 => {}
            Ok(_) => return Err(StoreError::NotFound),
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict("That email is taken.".into()));
            }
            Err(e) => return Err(db(e)),
        }
        self.user(id).await?.ok_or(StoreError::NotFound)
    }

    async fn users_in_couple(&self, couple: CoupleId) -> StoreResult<Vec<User>> {
        let rows = sqlx::query(&format!("select {USER_COLUMNS} from users u where u.couple_id = $1 order by u.id"))
            .bind(couple.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(user_from).collect::<Result<_, _>>().map_err(db)
    }

    async fn create_session(&self, new: &NewSession) -> StoreResult<SessionId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query(
            "insert into sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $6, $7) returning id",
        )
        .bind(new.user_id.0)
        .bind(&new.token_hash.0)
        .bind(&new.csrf_token)
        .bind(&new.user_agent)
        .bind(&new.ip)
        .bind(ms(new.now))
        .bind(ms(new.expires_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let id = SessionId(row.try_get("id").map_err(db)?);
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn session_by_token(
        &self,
        hash: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Option<(SessionSummary, String, User)>> {
        let row = sqlx::query(&format!(
            "select {SESSION_COLUMNS}, s.csrf_token, {USER_COLUMNS} from sessions s join users u on u.id = s.user_id \
             where s.token_hash = $1 and s.expires_at > $2"
        ))
        .bind(&hash.0)
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| Ok((session_from(&r)?, r.try_get("csrf_token")?, user_from(&r)?))).transpose().map_err(db)
    }

    async fn touch_session(&self, id: SessionId, now: Timestamp, expires_at: Timestamp) -> StoreResult<()> {
        sqlx::query("update sessions set last_seen_at = $1, expires_at = $2 where id = $3")
            .bind(ms(now))
            .bind(ms(expires_at))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn sessions_of(&self, user: UserId, now: Timestamp) -> StoreResult<Vec<SessionSummary>> {
        let rows = sqlx::query(&format!(
            "select {SESSION_COLUMNS} from sessions s where s.user_id = $1 and s.expires_at > $2 order by s.last_seen_at desc, s.id desc"
        ))
        .bind(user.0)
        .bind(ms(now))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(session_from).collect::<Result<_, _>>().map_err(db)
    }

    async fn delete_session(&self, user: UserId, id: SessionId) -> StoreResult<bool> {
        let n = sqlx::query("delete from sessions where id = $1 and user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn delete_sessions_except(&self, user: UserId, keep: Option<SessionId>) -> StoreResult<u64> {
        let n = sqlx::query("delete from sessions where user_id = $1 and id <> $2")
            .bind(user.0)
            .bind(keep.map_or(-1, |s| s.0))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn prune_sessions(&self, before: Timestamp) -> StoreResult<u64> {
        let n = sqlx::query("delete from sessions where expires_at <= $1")
            .bind(ms(before))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn create_api_token(&self, new: &NewApiToken) -> StoreResult<ApiTokenId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query("insert into api_tokens (user_id, name, token_hash, hint, created_at) values ($1, $2, $3, $4, $5) returning id")
            .bind(new.user_id.0)
            .bind(&new.name)
            .bind(&new.token_hash.0)
            .bind(&new.hint)
            .bind(ms(new.now))
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let id = ApiTokenId(row.try_get("id").map_err(db)?);
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn api_token_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<(ApiTokenSummary, User)>> {
        let row = sqlx::query(&format!("select {TOKEN_COLUMNS}, {USER_COLUMNS} from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1"))
            .bind(&hash.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| Ok((token_from(&r)?, user_from(&r)?))).transpose().map_err(db)
    }

    async fn touch_api_token(&self, id: ApiTokenId, now: Timestamp) -> StoreResult<()> {
        sqlx::query("update api_tokens set last_used_at = $1 where id = $2")
            .bind(ms(now))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn api_tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiTokenSummary>> {
        let rows = sqlx::query(&format!(
            "select {TOKEN_COLUMNS} from api_tokens t where t.user_id = $1 order by t.created_at desc, t.id desc"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(token_from).collect::<Result<_, _>>().map_err(db)
    }

    async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> StoreResult<bool> {
        let n = sqlx::query("delete from api_tokens where id = $1 and user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn record_failure(&self, keys: &[String], now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        for key in keys {
            sqlx::query("insert into login_failures (key, at) values ($1, $2)")
                .bind(key)
                .bind(ms(now))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn failures_since(&self, key: &str, since: Timestamp) -> StoreResult<Attempts> {
        attempts_since(&self.pool, key, since).await
    }

    async fn record_attempt(&self, keys: &[String], now: Timestamp, since: Timestamp) -> StoreResult<Vec<Attempts>> {
        self.record_failure(keys, now).await?;
        let mut counts = Vec::with_capacity(keys.len());
        for key in keys {
            counts.push(attempts_since(&self.pool, key, since).await?);
        }
        Ok(counts)
    }

    async fn forget_attempt(&self, key: &str, at: Timestamp) -> StoreResult<()> {
        // One row only: other attempts at the same millisecond still count.
        sqlx::query(
            "delete from login_failures where id = (select min(id) from login_failures where key = $1 and at = $2)",
        )
        .bind(key)
        .bind(ms(at))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn clear_failures(&self, key: &str) -> StoreResult<()> {
        sqlx::query("delete from login_failures where key = $1").bind(key).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    async fn prune_failures(&self, before: Timestamp) -> StoreResult<u64> {
        let n = sqlx::query("delete from login_failures where at <= $1")
            .bind(ms(before))
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn create_invite(&self, new: &NewInvite) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("delete from invites where inviter_id = $1 and used_at is null")
            .bind(new.inviter.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("insert into invites (inviter_id, token_hash, code_hash, created_at, expires_at) values ($1, $2, $3, $4, $5)")
            .bind(new.inviter.0)
            .bind(&new.token_hash.0)
            .bind(&new.code_hash.0)
            .bind(ms(new.now))
            .bind(ms(new.expires_at))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn open_invite_of(&self, inviter: UserId, now: Timestamp) -> StoreResult<Option<InviteRecord>> {
        let row = sqlx::query(&format!("{INVITE_SELECT} where i.inviter_id = $1 and i.used_at is null and i.expires_at > $2 order by i.id desc limit 1"))
            .bind(inviter.0)
            .bind(ms(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(invite_from).transpose().map_err(db)
    }

    async fn invite_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<InviteRecord>> {
        let row = sqlx::query(&format!("{INVITE_SELECT} where i.token_hash = $1 or i.code_hash = $1"))
            .bind(&hash.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(invite_from).transpose().map_err(db)
    }

    async fn cancel_invites_of(&self, inviter: UserId) -> StoreResult<u64> {
        let n = sqlx::query("delete from invites where inviter_id = $1 and used_at is null")
            .bind(inviter.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn redeem_invite(
        &self,
        hash: &SecretHash,
        joiner: UserId,
        now: Timestamp,
    ) -> StoreResult<Result<CoupleId, RedeemFailure>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let outcome = Self::redeem_in(&mut tx, hash, joiner.0, ms(now)).await.map_err(db)?;
        if outcome.is_ok() {
            tx.commit().await.map_err(db)?;
        } else {
            tx.rollback().await.map_err(db)?;
        }
        Ok(outcome)
    }

    async fn dissolve_couple(&self, couple: CoupleId, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let ended = sqlx::query("update couples set ended_at = $1 where id = $2 and ended_at is null")
            .bind(ms(now))
            .bind(couple.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if ended != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("update users set couple_id = null, updated_at = $1 where couple_id = $2")
            .bind(ms(now))
            .bind(couple.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn couple_since(&self, couple: CoupleId) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query("select created_at from couples where id = $1 and ended_at is null")
            .bind(couple.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(|r| r.try_get::<i64, _>("created_at").map(ts)).transpose().map_err(db)
    }

    async fn upsert_check_in(&self, r: &CheckInRecord) -> StoreResult<()> {
        sqlx::query(
            "insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             on conflict (couple_id, author_id, day) do update set \
             high = excluded.high, low = excluded.low, closeness = excluded.closeness, need = excluded.need, updated_at = excluded.updated_at",
        )
        .bind(r.couple.0)
        .bind(r.author.0)
        .bind(r.day.to_string())
        .bind(&r.high)
        .bind(&r.low)
        .bind(i64::from(r.closeness))
        .bind(&r.need)
        .bind(ms(r.now))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn check_ins_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<CheckIn>> {
        let rows = sqlx::query(
            "select author_id, day, high, low, closeness, need, created_at, updated_at from check_ins \
             where couple_id = $1 and day >= $2 and day <= $3 order by day desc, author_id",
        )
        .bind(couple.0)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(check_in_from).collect::<Result<_, _>>().map_err(db)
    }

    async fn create_appreciation(&self, r: &AppreciationRecord) -> StoreResult<Appreciation> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row = sqlx::query(&format!(
            "insert into appreciations \
             (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reply, body_folded, reply_folded) \
             values ($1, $2, $3, $4, $5, $6, $7, '', $8, '') returning {APPRECIATION_COLUMNS}"
        ))
        .bind(r.couple.0)
        .bind(r.author.0)
        .bind(r.recipient.0)
        .bind(r.kind.as_str())
        .bind(&r.body)
        .bind(r.starter_id.as_deref())
        .bind(ms(r.now))
        .bind(fold(&r.body))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let created = appreciation_from(&row).map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn appreciation(&self, couple: CoupleId, id: i64) -> StoreResult<Option<Appreciation>> {
        let row =
            sqlx::query(&format!("select {APPRECIATION_COLUMNS} from appreciations where couple_id = $1 and id = $2"))
                .bind(couple.0)
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.as_ref().map(appreciation_from).transpose().map_err(db)
    }

    async fn react_to_appreciation(
        &self,
        couple: CoupleId,
        id: i64,
        recipient: UserId,
        reaction: Option<Reaction>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "update appreciations set reaction = $1, reply = $2, reacted_at = $3, reply_folded = $7 \
             where couple_id = $4 and id = $5 and recipient_id = $6",
        )
        .bind(reaction.map(Reaction::as_str))
        .bind(reply)
        .bind(ms(now))
        .bind(couple.0)
        .bind(id)
        .bind(recipient.0)
        .bind(fold(reply))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn appreciations(&self, couple: CoupleId, f: &Filter) -> StoreResult<Vec<Appreciation>> {
        // Optional filters as "($n is null or …)" keep this one query for every combination.
        let rows = sqlx::query(&format!(
            "select {APPRECIATION_COLUMNS} from appreciations where couple_id = $1 \
             and ($2 is null or author_id = $2) \
             and ($3 is null or body_folded like $3 escape '\\' or reply_folded like $3 escape '\\') \
             and ($4 is null or created_at >= $4) \
             and ($5 is null or created_at < $5) \
             order by created_at desc, id desc limit $6 offset $7"
        ))
        .bind(couple.0)
        .bind(f.author.map(|a| a.0))
        .bind(f.query.as_deref().map(like_pattern))
        .bind(f.since.map(ms))
        .bind(f.until.map(ms))
        .bind(i64::from(f.limit.max(1)))
        .bind(i64::from(f.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(appreciation_from).collect::<Result<_, _>>().map_err(db)
    }

    async fn seen_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query("select today_seen_at from users where id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(row.and_then(|r| r.try_get::<Option<i64>, _>("today_seen_at").ok().flatten()).map(ts))
    }

    async fn set_seen_at(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        sqlx::query("update users set today_seen_at = $1 where id = $2")
            .bind(ms(at))
            .bind(user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn log_hug(
        &self,
        couple: CoupleId,
        by: UserId,
        at: Timestamp,
        same_hug: SignedDuration,
    ) -> StoreResult<bool> {
        let at = ms(at);
        let after = at.saturating_sub(i64::try_from(same_hug.as_millis()).unwrap_or(i64::MAX));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A compare-and-set on the couple's row: a second tap at the same moment waits for the
        // first one's row lock, then finds the condition no longer true.
        let claimed = sqlx::query(
            "update couples set last_hug_at = $1 where id = $2 and (last_hug_at is null or last_hug_at <= $3)",
        )
        .bind(at)
        .bind(couple.0)
        .bind(after)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(false);
        }
        sqlx::query("insert into hugs (couple_id, logged_by, created_at) values ($1, $2, $3)")
            .bind(couple.0)
            .bind(by.0)
            .bind(at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn hugs_since(&self, couple: CoupleId, since: Timestamp) -> StoreResult<Vec<Timestamp>> {
        let rows =
            sqlx::query("select created_at from hugs where couple_id = $1 and created_at >= $2 order by created_at")
                .bind(couple.0)
                .bind(ms(since))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.iter().map(|r| r.try_get::<i64, _>("created_at").map(ts)).collect::<Result<_, _>>().map_err(db)
    }

    async fn open_conversation(&self, couple: CoupleId) -> StoreResult<Option<(i64, Conversation)>> {
        self.open_conversation_row(couple).await
    }

    async fn insert_conversation(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<i64>> {
        self.insert_conversation_row(couple, c).await
    }

    async fn update_conversation(
        &self,
        couple: CoupleId,
        id: i64,
        c: &Conversation,
        open: bool,
    ) -> StoreResult<Conversation> {
        self.update_conversation_row(couple, id, c, open).await
    }

    async fn conversation(&self, couple: CoupleId, id: i64) -> StoreResult<Option<Conversation>> {
        self.conversation_row(couple, id).await
    }

    async fn conversations(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<(i64, Conversation)>> {
        self.conversation_rows(couple, limit).await
    }

    async fn open_listening(&self, couple: CoupleId) -> StoreResult<Option<Listening>> {
        self.open_listening_row(couple).await
    }

    async fn insert_listening(
        &self,
        couple: CoupleId,
        speaker: UserId,
        listener: UserId,
        share: &str,
        now: Timestamp,
    ) -> StoreResult<Option<i64>> {
        self.insert_listening_row(couple, speaker, listener, share, now).await
    }

    async fn listening(&self, couple: CoupleId, id: i64) -> StoreResult<Option<Listening>> {
        self.listening_row(couple, id).await
    }

    async fn listenings(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<Listening>> {
        self.listening_list(couple, limit).await
    }

    async fn reflect_listening(
        &self,
        couple: CoupleId,
        id: i64,
        round: u8,
        reflection: &str,
        feeling: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.reflect_listening_row(couple, id, round, reflection, feeling, now).await
    }

    async fn answer_listening(
        &self,
        couple: CoupleId,
        id: i64,
        round: u8,
        verdict: Verdict,
        next: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.answer_listening_row(couple, id, round, verdict, next, now).await
    }

    async fn close_listening(&self, couple: CoupleId, id: i64, now: Timestamp) -> StoreResult<()> {
        self.close_listening_row(couple, id, now).await
    }

    async fn ladder(&self, couple: CoupleId) -> StoreResult<(u8, u32, [bool; 2], i64)> {
        self.ladder_row(couple).await
    }

    async fn save_ladder(
        &self,
        couple: CoupleId,
        version: i64,
        depth: u8,
        completed: u32,
        ready: [bool; 2],
    ) -> StoreResult<bool> {
        self.save_ladder_row(couple, version, depth, completed, ready).await
    }

    async fn exchange(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>> {
        self.exchange_row(couple, question_id).await
    }

    async fn exchanges(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>> {
        self.exchange_list(couple).await
    }

    async fn ensure_exchange(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<i64> {
        self.ensure_exchange_row(couple, question_id, deck, depth, now).await
    }

    async fn save_answer(&self, exchange: i64, answer: &NewAnswerRecord) -> StoreResult<bool> {
        self.save_answer_row(exchange, answer).await
    }

    async fn save_response(
        &self,
        couple: CoupleId,
        exchange: i64,
        responder: UserId,
        reply_id: Option<&str>,
        words: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.save_response_row(couple, exchange, responder, reply_id, words, now).await
    }

    async fn complete_exchange(&self, couple: CoupleId, exchange: i64, depth: u8, now: Timestamp) -> StoreResult<bool> {
        self.complete_exchange_row(couple, exchange, depth, now).await
    }

    async fn save_felt(&self, couple: CoupleId, exchange: i64, author: UserId, felt: Felt) -> StoreResult<()> {
        self.save_felt_row(couple, exchange, author, felt).await
    }

    async fn save_favorite(&self, couple: CoupleId, exchange: i64, author: UserId, on: bool) -> StoreResult<()> {
        self.save_favorite_row(couple, exchange, author, on).await
    }

    async fn question_draws(&self, couple: CoupleId) -> StoreResult<Vec<(Date, String)>> {
        self.question_draw_rows(couple).await
    }

    async fn add_question_draw(
        &self,
        couple: CoupleId,
        day: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.add_question_draw_row(couple, day, question_id, now).await
    }
}
