//! Who is asking: passwords, log-in with throttling, browser sessions and API tokens.

use crate::error::{Error, Result};
use crate::ids::{ApiTokenId, SessionId};
use crate::secret::{Secret, SecretHash};
use crate::store::{NewApiToken, NewSession, User};
use crate::{Ctx, throttle};
use jiff::{SignedDuration, Timestamp};

/// A browser session lasts this long after its last use.
pub const SESSION_IDLE: SignedDuration = SignedDuration::from_hours(24 * 30);
/// Last-use times are written at most this often, to keep reads cheap.
pub const SESSION_TOUCH_EVERY: SignedDuration = SignedDuration::from_mins(10);
pub const TOKEN_NAME_MAX: usize = 60;
pub const SESSION_PREFIX: &str = "";
pub const API_TOKEN_PREFIX: &str = "tend_";

pub mod password {
    //! argon2id with the crate's recommended parameters, off the async threads.
    use crate::error::{Error, Result};
    use argon2::Argon2;
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

    pub async fn hash(password: String) -> Result<String> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
        .map_err(|e| Error::Internal(e.to_string()))
    }

    /// False for a wrong password and for a stored hash that cannot be read.
    pub async fn verify(password: String, stored: String) -> bool {
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
    }

    /// A hash to verify against when the account does not exist, so that a log-in for an
    /// unknown email takes as long as one with a wrong password.
    pub fn decoy() -> &'static str {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0W8r2cKjZ9gOQKXlbqDqnu7k5c6x0N3Xm4kUqS8cT0Q"
    }
}

/// A browser session as its owner sees it in settings.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SessionSummary {
    pub id: SessionId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub user_agent: String,
    pub ip: String,
}

/// An API token as its owner sees it; the secret itself is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ApiTokenSummary {
    pub id: ApiTokenId,
    pub name: String,
    /// The first characters of the token, to tell tokens apart.
    pub hint: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// Where a request comes from, for throttling and the session list.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct LogIn {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// Checks email and password, throttled per account and per client address. The error never
/// says which of the two was wrong.
pub async fn log_in(ctx: &Ctx, form: LogIn, client: &Client) -> Result<User> {
    let email = form.email.trim().to_lowercase();
    if email.is_empty() || form.password.is_empty() {
        return Err(Error::BadCredentials);
    }
    let keys = throttle::login_keys(&email, &client.ip);
    throttle::check(ctx, &keys).await?;
    let user = ctx.store.user_by_email(&email).await?;
    let stored = match &user {
        Some(u) => ctx.store.password_hash(u.id).await?,
        None => None,
    };
    let ok = password::verify(form.password, stored.unwrap_or_else(|| password::decoy().to_owned())).await;
    match user {
        Some(user) if ok => {
            ctx.store.clear_failures(&keys.account).await?;
            Ok(user)
        }
        _ => {
            throttle::fail(ctx, &keys).await?;
            Err(Error::BadCredentials)
        }
    }
}

/// A new browser session: the cookie value (returned once) and its CSRF token.
#[derive(Debug)]
pub struct StartedSession {
    pub id: SessionId,
    pub token: Secret,
    pub csrf_token: String,
}

pub async fn start_session(ctx: &Ctx, user: &User, client: &Client) -> Result<StartedSession> {
    let token = Secret::generate(SESSION_PREFIX);
    let csrf_token = Secret::generate("").expose().to_owned();
    let now = ctx.now();
    let new = NewSession {
        user_id: user.id,
        token_hash: token.hash(),
        csrf_token: csrf_token.clone(),
        user_agent: truncate(&client.user_agent, 200),
        ip: truncate(&client.ip, 64),
        now,
        expires_at: now.saturating_add(SESSION_IDLE).unwrap_or(now),
    };
    let id = ctx.store.create_session(&new).await?;
    Ok(StartedSession { id, token, csrf_token })
}

/// The signed-in person behind a request, however they proved it.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: User,
    pub via: Via,
}

#[derive(Clone, Debug)]
pub enum Via {
    Session { id: SessionId, csrf_token: String },
    ApiToken { id: ApiTokenId },
}

impl Authenticated {
    pub fn session_id(&self) -> Option<SessionId> {
        match &self.via {
            Via::Session { id, .. } => Some(*id),
            Via::ApiToken { .. } => None,
        }
    }
}

/// Finds the live session for a cookie value, sliding its expiry forward now and then.
pub async fn by_session_token(ctx: &Ctx, token: &str) -> Result<Option<Authenticated>> {
    let now = ctx.now();
    let Some((session, csrf_token, user)) = ctx.store.session_by_token(&SecretHash::of(token), now).await? else {
        return Ok(None);
    };
    if now.duration_since(session.last_seen_at) > SESSION_TOUCH_EVERY {
        ctx.store.touch_session(session.id, now, now.saturating_add(SESSION_IDLE).unwrap_or(now)).await?;
    }
    Ok(Some(Authenticated { user, via: Via::Session { id: session.id, csrf_token } }))
}

pub async fn by_api_token(ctx: &Ctx, token: &str) -> Result<Option<Authenticated>> {
    if !token.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((summary, user)) = ctx.store.api_token_by_hash(&SecretHash::of(token)).await? else {
        return Ok(None);
    };
    let now = ctx.now();
    if summary.last_used_at.is_none_or(|t| now.duration_since(t) > SESSION_TOUCH_EVERY) {
        ctx.store.touch_api_token(summary.id, now).await?;
    }
    Ok(Some(Authenticated { user, via: Via::ApiToken { id: summary.id } }))
}

pub async fn end_session(ctx: &Ctx, me: &User, id: SessionId) -> Result<()> {
    ctx.store.delete_session(me.id, id).await?;
    Ok(())
}

pub async fn sessions(ctx: &Ctx, me: &User) -> Result<Vec<SessionSummary>> {
    Ok(ctx.store.sessions_of(me.id, ctx.now()).await?)
}

/// Revokes one of the caller's own sessions; someone else's is "not found".
pub async fn revoke_session(ctx: &Ctx, me: &User, id: SessionId) -> Result<()> {
    if ctx.store.delete_session(me.id, id).await? { Ok(()) } else { Err(Error::NotFound) }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewToken {
    #[serde(default)]
    pub name: String,
}

#[derive(Debug)]
pub struct CreatedToken {
    pub id: ApiTokenId,
    pub token: Secret,
    pub name: String,
}

/// A token's name: one line of showable characters (a NUL would fail in PostgreSQL, other
/// control characters would garble Settings).
pub fn parse_token_name(s: &str) -> Result<String, String> {
    crate::text::one_line(s, TOKEN_NAME_MAX, "the name")?
        .ok_or_else(|| "Please name the token after what will use it, such as “my script”.".into())
}

pub async fn create_api_token(ctx: &Ctx, me: &User, form: NewToken) -> Result<CreatedToken> {
    let name = parse_token_name(&form.name).map_err(|m| Error::field("name", m))?;
    let token = Secret::generate(API_TOKEN_PREFIX);
    let hint = token.expose().chars().take(API_TOKEN_PREFIX.len() + 4).collect();
    let id = ctx
        .store
        .create_api_token(&NewApiToken {
            user_id: me.id,
            name: name.clone(),
            token_hash: token.hash(),
            hint,
            now: ctx.now(),
        })
        .await?;
    Ok(CreatedToken { id, token, name })
}

pub async fn api_tokens(ctx: &Ctx, me: &User) -> Result<Vec<ApiTokenSummary>> {
    Ok(ctx.store.api_tokens_of(me.id).await?)
}

pub async fn revoke_api_token(ctx: &Ctx, me: &User, id: ApiTokenId) -> Result<()> {
    if ctx.store.delete_api_token(me.id, id).await? { Ok(()) } else { Err(Error::NotFound) }
}

pub async fn revoke_all_api_tokens(ctx: &Ctx, me: &User) -> Result<()> {
    for token in ctx.store.api_tokens_of(me.id).await? {
        ctx.store.delete_api_token(me.id, token.id).await?;
    }
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = password::hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password::verify("correct horse battery".into(), hash.clone()).await);
        assert!(!password::verify("correct horse battery!".into(), hash).await);
        assert!(!password::verify("x".into(), "not a hash".into()).await);
        assert!(PasswordHash::new(password::decoy()).is_ok(), "the decoy must parse so it costs a real verification");
    }

    use argon2::password_hash::PasswordHash;

    #[test]
    fn token_names_are_required_and_short() {
        assert!(parse_token_name("  ").is_err());
        assert_eq!(parse_token_name(" my   script "), Ok("my script".into()));
        assert!(parse_token_name(&"n".repeat(TOKEN_NAME_MAX + 1)).is_err());
        assert_eq!(parse_token_name(&"é".repeat(TOKEN_NAME_MAX)).map(|n| n.chars().count()), Ok(TOKEN_NAME_MAX));
        for bad in ["a\u{0}b", "a\u{7}b", "\u{1b}[2J"] {
            assert!(parse_token_name(bad).is_err(), "{bad:?} accepted");
        }
    }
}
