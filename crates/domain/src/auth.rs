//! Who is asking: passwords, log-in with throttling, browser sessions and API tokens.

use crate::error::{Error, Result};
use crate::ids::{ApiTokenId, SessionId};
use crate::secret::{Secret, SecretHash};
use crate::store::{LiveSession, NewApiToken, NewSession, TokenOwner, User};
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
    //! argon2id with the crate's recommended parameters, off the async threads, a few at a time.
    //!
    //! One hash takes 19 MiB and a core for a few dozen milliseconds, and anyone can ask for one
    //! (log-in, and sign-up when registration is open). So every hash and check in the process
    //! shares one [`Limiter`]: as many run at once as the machine has cores (at least two), the
    //! rest wait their turn, and one that waits longer than [`DEFAULT_WAIT`] gets
    //! [`Error::Busy`] instead of piling up. The hashes run on a few threads of their own that
    //! end soon after a burst, which lets the allocator hand their memory back to the system.
    use crate::error::{Error, Result};
    use argon2::Argon2;
    use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::sync::{Arc, Mutex, OnceLock, PoisonError};
    use std::time::Duration;
    use tokio::sync::{OwnedSemaphorePermit, Semaphore};

    /// How long a request waits for its turn before it is told that Tend is busy.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);
    /// A hashing thread with no work for this long ends. Ending is what lets the allocator
    /// (mimalloc, which purges freed memory after about a second) give a thread's hash memory
    /// back while the server is otherwise idle; during a burst the threads are reused.
    pub const THREAD_IDLE: Duration = Duration::from_secs(2);

    static LIMITER: OnceLock<Limiter> = OnceLock::new();

    /// The process-wide limit, set up with [`default_permits`] and [`DEFAULT_WAIT`] on first use
    /// unless [`configure`] came first.
    pub fn limiter() -> &'static Limiter {
        LIMITER.get_or_init(|| Limiter::new(default_permits(), DEFAULT_WAIT))
    }

    /// Sets the process-wide limit. Only before the first hash; false when it is too late.
    pub fn configure(permits: usize, wait: Duration) -> bool {
        LIMITER.set(Limiter::new(permits, wait)).is_ok()
    }

    /// One hash at a time per core, and at least two.
    pub fn default_permits() -> usize {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get).max(2)
    }

    pub async fn hash(password: String) -> Result<String> {
        limiter().hash(password).await
    }

    /// A turn at the process-wide hasher, to take before writing anything down.
    pub async fn turn() -> Result<Turn> {
        limiter().turn().await
    }

    /// `Ok(false)` for a wrong password and for a stored hash that cannot be read; `Busy` when
    /// no turn came in time, which says nothing about the password.
    pub async fn verify(password: String, stored: String) -> Result<bool> {
        limiter().verify(password, stored).await
    }

    /// A hash to verify against when the account does not exist, so that a log-in for an
    /// unknown email takes as long as one with a wrong password.
    pub fn decoy() -> &'static str {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0W8r2cKjZ9gOQKXlbqDqnu7k5c6x0N3Xm4kUqS8cT0Q"
    }

    /// Bounds how many hashes run at once, and how long a request waits for its turn.
    pub struct Limiter {
        semaphore: Arc<Semaphore>,
        permits: usize,
        wait_ms: AtomicU64,
        workers: Arc<Workers>,
    }

    type Job = Box<dyn FnOnce() + Send>;

    /// The threads that run hashes: an idle one is reused, a new one starts when none is idle
    /// (the turns keep them to a few), and each ends after [`THREAD_IDLE`] without work.
    #[derive(Default)]
    struct Workers {
        /// Idle threads, each by its number and the way to hand it a job; the latest last.
        idle: Mutex<Vec<(u64, mpsc::Sender<Job>)>>,
        next_id: AtomicU64,
        running: AtomicUsize,
        peak: AtomicUsize,
    }

    impl Workers {
        fn submit(self: &Arc<Self>, job: Job) -> Result<()> {
            let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            match idle {
                // A thread taken off the idle list waits for its job (see `work`), so this
                // cannot find it gone.
                Some((_, tx)) => tx.send(job).map_err(|_| Error::Internal("a password thread ended early".into())),
                None => {
                    let workers = self.clone();
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    std::thread::Builder::new()
                        .name("tend-password".into())
                        .spawn(move || workers.work(id, job))
                        .map(drop)
                        .map_err(|e| Error::Internal(format!("starting a password thread: {e}")))
                }
            }
        }

        fn work(&self, id: u64, first: Job) {
            let (tx, rx) = mpsc::channel::<Job>();
            let mut job = first;
            loop {
                job();
                self.idle.lock().unwrap_or_else(PoisonError::into_inner).push((id, tx.clone()));
                job = match rx.recv_timeout(THREAD_IDLE) {
                    Ok(next) => next,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(at) = idle.iter().position(|(worker, _)| *worker == id) {
                            idle.swap_remove(at);
                            return;
                        }
                        drop(idle);
                        // Taken off the idle list just now: the job is on its way.
                        match rx.recv() {
                            Ok(next) => next,
                            Err(_) => return,
                        }
                    }
                };
            }
        }
    }

    /// Every turn, taken by [`Limiter::hold_all`]; they come back when this is dropped.
    pub struct HeldTurns {
        _permit: OwnedSemaphorePermit,
    }

    impl Limiter {
        pub fn new(permits: usize, wait: Duration) -> Self {
            let permits = permits.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
            Self {
                semaphore: Arc::new(Semaphore::new(permits)),
                permits,
                wait_ms: AtomicU64::new(millis(wait)),
                workers: Arc::default(),
            }
        }

        pub fn permits(&self) -> usize {
            self.permits
        }

        pub fn wait(&self) -> Duration {
            Duration::from_millis(self.wait_ms.load(Ordering::Relaxed))
        }

        /// Changes how long later requests wait for their turn.
        pub fn set_wait(&self, wait: Duration) {
            self.wait_ms.store(millis(wait), Ordering::Relaxed);
        }

        /// The most hashes that have ever run at the same moment.
        pub fn peak(&self) -> usize {
            self.workers.peak.load(Ordering::Relaxed)
        }

        /// Takes every turn, waiting for running hashes to finish, until the guard is dropped:
        /// meanwhile every hash waits, and gets `Busy` after the wait. For tests, and for
        /// pausing log-ins.
        pub async fn hold_all(&self) -> Result<HeldTurns> {
            let all = u32::try_from(self.permits).unwrap_or(u32::MAX);
            let permit = self.semaphore.clone().acquire_many_owned(all).await.map_err(|_| closed())?;
            Ok(HeldTurns { _permit: permit })
        }

        pub async fn hash(&self, password: String) -> Result<String> {
            self.turn().await?.hash(password).await
        }

        pub async fn verify(&self, password: String, stored: String) -> Result<bool> {
            self.turn().await?.verify(password, stored).await
        }

        /// Waits for a turn at the hasher, or says Tend is busy once the wait runs out.
        pub async fn turn(&self) -> Result<Turn> {
            let wait = self.wait();
            match tokio::time::timeout(wait, self.semaphore.clone().acquire_owned()).await {
                Ok(Ok(permit)) => Ok(Turn { permit, workers: self.workers.clone() }),
                Ok(Err(_)) => Err(closed()),
                Err(_) => Err(Error::Busy { retry_after_secs: wait.as_secs().clamp(1, 60) }),
            }
        }
    }

    /// A turn at the hasher, good for one hash or check. Taken before anything is written, it
    /// lets a use case answer Busy with nothing to undo.
    pub struct Turn {
        permit: OwnedSemaphorePermit,
        workers: Arc<Workers>,
    }

    impl Turn {
        pub async fn hash(self, password: String) -> Result<String> {
            self.run(move || {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
            })
            .await?
            .map_err(|e| Error::Internal(e.to_string()))
        }

        /// `Ok(false)` for a wrong password and for a stored hash that cannot be read.
        pub async fn verify(self, password: String, stored: String) -> Result<bool> {
            self.run(move || {
                PasswordHash::new(&stored)
                    .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await
        }

        /// Runs `work` on a hashing thread. The turn travels with the work, so a request that
        /// gives up mid-hash frees its turn only when the hash is done.
        async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
            let Self { permit, workers } = self;
            let (tx, rx) = tokio::sync::oneshot::channel();
            let counts = workers.clone();
            workers.submit(Box::new(move || {
                let running = counts.running.fetch_add(1, Ordering::Relaxed) + 1;
                counts.peak.fetch_max(running, Ordering::Relaxed);
                let out = work();
                counts.running.fetch_sub(1, Ordering::Relaxed);
                drop(permit);
                // The request may have given up; then nobody is waiting for the answer.
                let _ = tx.send(out);
            }))?;
            rx.await.map_err(|_| Error::Internal("a password thread ended without an answer".into()))
        }
    }

    fn closed() -> Error {
        Error::Internal("the password limiter is closed".into())
    }

    fn millis(d: Duration) -> u64 {
        u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn no_more_hashes_run_at_once_than_there_are_turns() {
            let limiter = Arc::new(Limiter::new(2, Duration::from_secs(60)));
            let tasks: Vec<_> = (0..8)
                .map(|i| {
                    let limiter = limiter.clone();
                    tokio::spawn(async move { limiter.hash(format!("password number {i}")).await })
                })
                .collect();
            for task in tasks {
                let hashed = task.await.expect("task").expect("hash");
                assert!(limiter.verify("password number 0".into(), hashed).await.is_ok());
            }
            assert!((1..=2).contains(&limiter.peak()), "peak {}", limiter.peak());
        }

        #[tokio::test]
        async fn a_wait_that_runs_out_is_busy_and_says_nothing_about_the_password() {
            let limiter = Limiter::new(2, Duration::ZERO);
            let held = limiter.hold_all().await.expect("turns");
            assert!(matches!(limiter.hash("a password!".into()).await, Err(Error::Busy { retry_after_secs: 1 })));
            assert!(matches!(limiter.verify("x".into(), decoy().into()).await, Err(Error::Busy { .. })));
            assert_eq!(limiter.peak(), 0, "nothing was hashed");
            drop(held);
            let hashed = limiter.hash("a password!".into()).await.expect("a turn is free again");
            assert!(limiter.verify("a password!".into(), hashed.clone()).await.expect("verified"));
            assert!(!limiter.verify("another one".into(), hashed).await.expect("verified"));
            assert!(!limiter.verify("x".into(), "not a hash".into()).await.expect("unreadable is false"));
        }
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

/// What someone whose account an admin switched off is told when they sign in.
pub const ACCOUNT_OFF: &str =
    "This account is switched off on this Tend for now. Ask the person who runs it to switch it back on.";

/// Checks email and password, throttled per account and per client address. The error never
/// says which of the two was wrong.
pub async fn log_in(ctx: &Ctx, form: LogIn, client: &Client) -> Result<User> {
    let email = form.email.trim().to_lowercase();
    // No account's email holds control characters, and a NUL would not even reach the store.
    if email.is_empty() || form.password.is_empty() || email.chars().any(char::is_control) {
        return Err(Error::BadCredentials);
    }
    let keys = throttle::login_keys(&email, &client.ip);
    // The turn at the hasher comes first: a busy answer says nothing about the password, so
    // nothing is written down for it and it never counts as an attempt.
    let turn = password::turn().await?;
    // Written down before the password is checked, so a burst cannot slip past the count.
    let attempt = throttle::attempt(ctx, &keys).await?;
    let user = ctx.store.user_by_email(&email).await?;
    let stored = match &user {
        Some(u) => ctx.store.password_hash(u.id).await?,
        None => None,
    };
    let ok = turn.verify(form.password, stored.unwrap_or_else(|| password::decoy().to_owned())).await?;
    match user {
        Some(user) if ok => {
            throttle::succeeded(ctx, attempt).await?;
            // Said only to someone who knows the password, so it tells a stranger nothing.
            if ctx.store.disabled_at(user.id).await?.is_some() {
                return Err(Error::rejected(ACCOUNT_OFF));
            }
            Ok(user)
        }
        _ => Err(Error::BadCredentials),
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
    let Some(LiveSession { session, csrf_token, user }) =
        ctx.store.session_by_token(&SecretHash::of(token), now).await?
    else {
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
    let Some(TokenOwner { token: summary, user }) = ctx.store.api_token_by_hash(&SecretHash::of(token)).await? else {
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
    ctx.access_changed(me).await;
    Ok(())
}

/// Whether an open event stream may go on: its session or token still stands, and the person
/// still belongs to the audience it listens to (a couple that has not ended). Asked when
/// someone's access changed; any doubt (an error) closes the stream, which a page reopens,
/// signing in again if it must.
pub async fn may_still_listen(ctx: &Ctx, who: &Authenticated, audience: crate::events::Audience) -> bool {
    let standing = match who.via {
        Via::Session { id, .. } => {
            ctx.store.sessions_of(who.user.id, ctx.now()).await.map(|s| s.iter().any(|s| s.id == id))
        }
        Via::ApiToken { id } => ctx.store.api_tokens_of(who.user.id).await.map(|t| t.iter().any(|t| t.id == id)),
    };
    if !standing.unwrap_or(false) {
        return false;
    }
    match audience {
        crate::events::Audience::Couple(couple) => {
            ctx.store.user(who.user.id).await.ok().flatten().is_some_and(|u| u.couple_id == Some(couple))
        }
        crate::events::Audience::Person(person) => person == who.user.id,
    }
}

pub async fn sessions(ctx: &Ctx, me: &User) -> Result<Vec<SessionSummary>> {
    Ok(ctx.store.sessions_of(me.id, ctx.now()).await?)
}

/// Revokes one of the caller's own sessions; someone else's is "not found".
pub async fn revoke_session(ctx: &Ctx, me: &User, id: SessionId) -> Result<()> {
    if !ctx.store.delete_session(me.id, id).await? {
        return Err(Error::NotFound);
    }
    ctx.access_changed(me).await;
    Ok(())
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
    if !ctx.store.delete_api_token(me.id, id).await? {
        return Err(Error::NotFound);
    }
    ctx.access_changed(me).await;
    Ok(())
}

pub async fn revoke_all_api_tokens(ctx: &Ctx, me: &User) -> Result<()> {
    for token in ctx.store.api_tokens_of(me.id).await? {
        ctx.store.delete_api_token(me.id, token.id).await?;
    }
    ctx.access_changed(me).await;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// A short, human name for a browser from its user agent.
pub fn device_name(user_agent: &str) -> String {
    let browser = ["Edg", "Firefox", "Chrome", "Safari"]
        .into_iter()
        .find(|b| user_agent.contains(b))
        .map(|b| if b == "Edg" { "Edge" } else { b });
    let system = ["iPhone", "iPad", "Android", "Windows", "Mac OS", "Linux"]
        .into_iter()
        .find(|s| user_agent.contains(s))
        .map(|s| if s == "Mac OS" { "Mac" } else { s });
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) if user_agent.is_empty() => "Unknown device".to_owned(),
        (None, None) => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_only_themselves() {
        let hash = password::hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password::verify("correct horse battery".into(), hash.clone()).await.expect("verified"));
        assert!(!password::verify("correct horse battery!".into(), hash).await.expect("verified"));
        assert!(!password::verify("x".into(), "not a hash".into()).await.expect("verified"));
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

    #[test]
    fn devices_get_short_names() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(super::device_name(iphone), "Safari on iPhone");
        assert_eq!(
            super::device_name("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"),
            "Firefox on Linux"
        );
        assert_eq!(super::device_name(""), "Unknown device");
        assert_eq!(super::device_name("curl/8.0"), "curl/8.0");
    }
}
