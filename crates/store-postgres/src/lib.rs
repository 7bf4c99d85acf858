//! Tend's storage on PostgreSQL: the store for larger installs and for several nodes sharing
//! one database. It implements every feature trait of `tend_domain::store` (`Accounts`,
//! `Access`, `Pairing`, `Daily`, `Practices`, `Questions`, `Rhythms`, `Reminders`, `Reflections`,
//! `Upkeep`) for [`PgStore`], one file per feature, and carries live events between nodes over
//! LISTEN/NOTIFY ([`events`]).
//!
//! The rules this crate keeps:
//!
//! - **The native driver, checked at compile time.** Every query goes through sqlx's
//!   PostgreSQL driver with `query!`, `query_as!` or `query_scalar!`, so the compiler checks
//!   each one against the schema the migrations build: its columns, their types and whether
//!   they can be NULL. No SQL is pieced together at run time; an optional filter is a
//!   parameter (`($2::bigint is null or author_id = $2)`) and a list is an array (`= any($1)`).
//!   What the compiler checks against is committed beside the crate in `.sqlx/`, so a build
//!   needs no database; `scripts/prepare-queries postgres` refreshes it after a query or a
//!   migration changes, and `--check` says when it is stale.
//! - **Real PostgreSQL types.** Times are `timestamptz`, yes/no is `boolean`, a local day is
//!   `date` (migration 0007 converted the older integer and text columns exactly). Rust sees
//!   them through `jiff-sqlx`'s wrappers. Times are kept to the millisecond, as Tend always has.
//! - **A stored write is a committed write.** Every write that returns rows runs in a
//!   transaction that is committed before the rows are used, so nobody is told of a write that
//!   did not last. A connection given back while still inside a transaction is closed, never
//!   reused.
//! - **What cannot be read is an error.** A closeness outside 1–7, an unknown kind, reaction
//!   or verdict, a time zone we do not know: each fails with `StoreError::Backend` saying what
//!   was wrong, rather than being quietly replaced by a default.

mod access;
mod accounts;
mod admin;
mod bulk;
mod daily;
pub mod events;
mod goals;
mod keys;
mod pairing;
mod photos;
mod play;
mod practices;
mod questions;
mod reflections;
mod reminders;
mod rhythm;
mod upkeep;

use jiff::Timestamp;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use std::str::FromStr;
use std::time::Duration;
use tend_domain::StoreError;
use tend_domain::store::{StoreResult, User};
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, UserId};

/// How to reach the database.
#[derive(Clone)]
pub struct PgOptions {
    /// `postgres://…` or `postgresql://…`.
    pub url: String,
    /// The schema to keep Tend's tables in, created if missing (tests use a fresh one each).
    pub schema: Option<String>,
    /// Refuses every write: for tools that must not write, and for the tests that check a
    /// refused write is reported.
    pub read_only: bool,
    pub max_connections: u32,
    /// How long a request waits for a connection before it fails.
    pub acquire_timeout: Duration,
}

impl std::fmt::Debug for PgOptions {
    // The URL may hold a password, so only the host is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgOptions")
            .field("target", &describe_target(&self.url))
            .field("schema", &self.schema)
            .field("read_only", &self.read_only)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .finish()
    }
}

/// Tend's data in PostgreSQL; cheap to clone, as it is a handle on one pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// The migrations, built into the binary.
static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long the first connection may take before start-up gives up with a clear message.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl PgStore {
    /// Connects without migrating. One connection is made and checked first, with a short
    /// time limit, so that a database that cannot be reached or opened says why at once (the
    /// pool alone would retry until its timeout and say only "pool timed out").
    pub async fn connect(options: &PgOptions) -> Result<Self, StoreError> {
        if !(options.url.starts_with("postgres:") || options.url.starts_with("postgresql:")) {
            return Err(StoreError::Backend("the database URL must start with postgres: or postgresql:".into()));
        }
        if let Some(schema) = &options.schema
            && (schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(StoreError::Backend("schema names may hold only letters, digits and _".into()));
        }
        let mut connect = PgConnectOptions::from_str(&options.url).map_err(|e| connect_error(options, e))?;
        // Settings every connection starts with, sent as it opens rather than run after.
        if let Some(schema) = &options.schema {
            connect = connect.options([("search_path", schema)]);
        }
        // The first connection may have to create the schema, so only the pool's refuse writes.
        let pooled = if options.read_only {
            connect.clone().options([("default_transaction_read_only", "on")])
        } else {
            connect.clone()
        };

        let first = async {
            let mut conn = PgConnection::connect_with(&connect).await?;
            if let Some(schema) = &options.schema {
                // The one statement written at run time: a schema's name cannot be a
                // parameter, and it was checked above to hold only letters, digits and _.
                sqlx::raw_sql(&format!("create schema if not exists {schema}")).execute(&mut conn).await?;
            }
            sqlx::query_scalar!(r#"select 1 as "one!""#).fetch_one(&mut conn).await?;
            conn.close().await
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, first).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(connect_error(options, e)),
            Err(_) => {
                return Err(StoreError::Backend(format!(
                    "{} did not answer within {} seconds",
                    describe_target(&options.url),
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        }

        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            // A connection whose transaction did not end cleanly (a commit that failed, say)
            // is closed rather than reused, so no later write can land in a transaction that
            // will never be committed.
            .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(pooled)
            .await
            .map_err(|e| connect_error(options, e))?;
        Ok(Self { pool })
    }

    /// The pool's connections: how many are open, and how many of those are idle.
    pub fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// The newest migration this build knows, which `migrate` brings the schema to.
    pub fn schema_version() -> i64 {
        MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Brings the schema up to date. Safe to run from several nodes at once: sqlx holds an
    /// advisory lock while it migrates.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATIONS.run(&self.pool).await.map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool underneath, for tests and tools.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// The database a URL names, for messages, without a password.
fn describe_target(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, r)| r);
    let host = after_scheme.rsplit_once('@').map_or(after_scheme, |(_, h)| h);
    let host = host.split(['/', '?']).next().unwrap_or(host);
    format!("PostgreSQL at {host}")
}

/// One line that says what went wrong on connecting, and what usually causes it.
fn connect_error(options: &PgOptions, e: impl Into<sqlx::Error>) -> StoreError {
    let e: sqlx::Error = e.into();
    let hint = match &e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            " (nothing is listening there: is PostgreSQL running, and are the host and port right?)"
        }
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("3D000") => " (create the database first, or fix its name in the URL)",
            Some("28P01" | "28000") => " (check the user name and password in the URL)",
            _ => "",
        },
        _ => "",
    };
    let message = match &e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    };
    StoreError::Backend(format!("cannot open {}: {message}{hint}", describe_target(&options.url)))
}

// ---- Shared by the feature modules ----

/// How timestamps travel to and from `timestamptz` columns.
pub(crate) type Ts = jiff_sqlx::Timestamp;
/// How local days travel to and from `date` columns.
pub(crate) type Day = jiff_sqlx::Date;

/// A time as it is stored: to the whole millisecond, as Tend has always kept times, so a
/// time read back equals the one written on either database.
pub(crate) fn ts(t: Timestamp) -> Ts {
    let extra = jiff::SignedDuration::from_nanos(i64::from(t.subsec_nanosecond() % 1_000_000));
    // Moving towards the epoch by less than a millisecond always stays in range.
    t.checked_sub(extra).unwrap_or(t).into()
}

pub(crate) fn ts_opt(t: Option<Timestamp>) -> Option<Ts> {
    t.map(ts)
}

pub(crate) fn day(d: jiff::civil::Date) -> Day {
    d.into()
}

pub(crate) fn db(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A stored value that does not make sense: a decoding failure, never quietly defaulted.
pub(crate) fn unreadable(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("unreadable stored data: {what}"))
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A small stored number (a depth, a round, minutes) as the domain's `u8`, or an error that
/// names it.
pub(crate) fn small<T: TryFrom<i64>>(n: i64, what: &str) -> StoreResult<T> {
    T::try_from(n).map_err(|_| unreadable(format!("{what} {n} is out of range")))
}

/// A score the person gave, 1 to 7.
pub(crate) fn score(n: i64, what: &str) -> StoreResult<u8> {
    u8::try_from(n).ok().filter(|n| (1..=7).contains(n)).ok_or_else(|| unreadable(format!("{what} {n} is not 1–7")))
}

/// A user as the queries read one; `user_row!` builds it from any record with these columns.
pub(crate) struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub time_zone: String,
    pub couple_id: Option<i64>,
    pub created_at: Ts,
    pub hide_counts: bool,
}

impl UserRow {
    pub(crate) fn into_user(self) -> StoreResult<User> {
        let time_zone = TimeZoneName::parse(&self.time_zone)
            .map_err(|e| unreadable(format!("user {} has the time zone {:?}: {e}", self.id, self.time_zone)))?;
        Ok(User {
            id: UserId(self.id),
            email: self.email,
            display_name: self.display_name,
            time_zone,
            couple_id: self.couple_id.map(CoupleId),
            created_at: self.created_at.to_jiff(),
            hide_counts: self.hide_counts,
        })
    }
}

/// The user in a query record whose user columns carry their plain names (`id`, `email`, …).
macro_rules! user_row {
    ($r:expr) => {
        $crate::UserRow {
            id: $r.id,
            email: $r.email,
            display_name: $r.display_name,
            time_zone: $r.time_zone,
            couple_id: $r.couple_id,
            created_at: $r.created_at,
            hide_counts: $r.hide_counts,
        }
    };
}
pub(crate) use user_row;
