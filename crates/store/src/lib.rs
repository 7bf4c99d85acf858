//! Storage for Tend: one SQL store that runs on SQLite (the default, one file) or PostgreSQL
//! (by URL), with a migration set for each.
//!
//! Both databases are reached through sqlx's `Any` driver and share every query, written in
//! the SQL both understand (`$1` parameters, `returning`, `on conflict`). Where they differ,
//! the query is written twice, side by side, chosen by [`Backend`]. Times are stored as Unix
//! milliseconds and ids as 64-bit integers, the types both databases agree on.
//!
//! A success is a stored write: a statement that writes and returns rows (`returning …`) runs
//! inside a transaction that is committed before the rows are used. Outside one, SQLite
//! commits when the statement finishes, and a reader that stops at the first row never hears
//! that the commit failed (a full disk), so the caller would be told of a write that is gone.

pub mod events;
mod practices;
mod questions;
mod sql;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use tend_domain::StoreError;

pub use sql::SqlStore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How to reach the database.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    pub url: String,
    /// PostgreSQL only: the schema to use, created if missing (tests use one each).
    pub schema: Option<String>,
    pub max_connections: u32,
    /// Opens the database so that every write is refused: for tools that must not write, and
    /// for the tests that check a refused write is reported.
    pub read_only: bool,
    /// How long a request waits for a connection before it fails.
    pub acquire_timeout: Duration,
}

impl StoreConfig {
    /// The zero-configuration default: `tend.db` in the data folder.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        let path = data_dir.join("tend.db");
        Self::from_url(format!("sqlite://{}?mode=rwc", path.display()))
    }

    pub fn from_url(url: String) -> Self {
        Self { url, schema: None, max_connections: 10, read_only: false, acquire_timeout: Duration::from_secs(10) }
    }

    pub fn backend(&self) -> Result<Backend, StoreError> {
        if self.url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if self.url.starts_with("postgres:") || self.url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Backend("the database URL must start with sqlite: or postgres:".into()))
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl SqlStore {
    /// Connects without migrating. One connection is made and checked first, with a short
    /// time limit, so that a database that cannot be reached, opened or read says why at once
    /// (the pool alone would retry until its timeout and say only "pool timed out").
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = config.backend()?;
        let url = match (backend, config.read_only) {
            (Backend::Sqlite, true) => read_only_sqlite_url(&config.url),
            _ => config.url.clone(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| connect_error(config, e))?;
        let schema = config.schema.clone();
        if let Some(schema) = &schema
            && !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(StoreError::Backend("schema names may hold only letters, digits and _".into()));
        }
        let setup = Setup { backend, schema: schema.clone(), read_only: config.read_only };
        let first = async {
            let mut conn = AnyConnection::connect_with(&options).await?;
            if let (Backend::Postgres, Some(schema)) = (backend, &schema) {
                conn.execute(format!("create schema if not exists {schema}").as_str()).await?;
            }
            setup.apply(&mut conn).await?;
            // Reading the schema finds a file that is not a database, or is damaged, now.
            let check = match backend {
                Backend::Sqlite => "select count(*) from sqlite_master",
                Backend::Postgres => "select 1",
            };
            conn.fetch_one(check).await?;
            conn.close().await
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, first).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(connect_error(config, e)),
            Err(_) => {
                return Err(StoreError::Backend(format!(
                    "{} did not answer within {} seconds",
                    describe_target(config),
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                config.max_connections.min(8)
            } else {
                config.max_connections
            })
            .acquire_timeout(config.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let setup = setup.clone();
                Box::pin(async move { setup.apply(conn).await })
            })
            // A connection whose transaction did not end cleanly (a commit refused by a full
            // disk, say) is closed rather than reused, so no later write can land in a
            // transaction that will never be committed.
            .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(options)
            .await
            .map_err(|e| connect_error(config, e))?;
        Ok(SqlStore::new(pool, backend))
    }

    /// Brings the schema up to date; safe to run from several nodes at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(self.pool()).await.map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        self.fold_old_appreciations().await
    }

    /// A consistent copy of a running SQLite database, written to `path`.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Backend("backup copies SQLite databases; for PostgreSQL use pg_dump".into()));
        }
        if path.exists() {
            return Err(StoreError::Conflict(format!("{} already exists; choose a new file name", path.display())));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Backend("the backup path must be valid UTF-8".into()))?;
        sqlx::query("vacuum into $1").bind(target).execute(self.pool()).await.map_err(backend_error)?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool().close().await;
    }
}

/// How long the first connection may take before start-up gives up with a clear message.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What every new connection is set up with.
#[derive(Clone)]
struct Setup {
    backend: Backend,
    schema: Option<String>,
    read_only: bool,
}

impl Setup {
    async fn apply(&self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                // WAL lets readers and one writer work at once. It stays set in the file, so
                // only a new database needs the write that sets it: a connection opened later,
                // on a full disk, must not fail for want of it.
                let mode: String = sqlx::query_scalar("pragma journal_mode").fetch_one(&mut *conn).await?;
                if !self.read_only && !mode.eq_ignore_ascii_case("wal") {
                    conn.execute("pragma journal_mode = wal").await?;
                }
                conn.execute("pragma foreign_keys = on").await?;
                // The busy timeout makes writers queue instead of failing.
                conn.execute("pragma busy_timeout = 10000").await?;
                conn.execute("pragma synchronous = normal").await?;
            }
            Backend::Postgres => {
                if let Some(schema) = &self.schema {
                    conn.execute(format!("set search_path to {schema}").as_str()).await?;
                }
                if self.read_only {
                    conn.execute("set default_transaction_read_only = on").await?;
                }
            }
        }
        Ok(())
    }
}

fn read_only_sqlite_url(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("mode=")).collect();
    params.push("mode=ro");
    format!("{path}?{}", params.join("&"))
}

/// The database a URL names, for messages, without a password.
fn describe_target(config: &StoreConfig) -> String {
    let url = &config.url;
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = rest.split('?').next().unwrap_or(rest);
        return format!("the SQLite database {path}");
    }
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    let host = after_scheme.rsplit_once('@').map_or(after_scheme, |(_, h)| h);
    let host = host.split(['/', '?']).next().unwrap_or(host);
    format!("PostgreSQL at {host}")
}

/// One line that says what went wrong on connecting, and what usually causes it.
fn connect_error(config: &StoreConfig, e: impl Into<sqlx::Error>) -> StoreError {
    let e: sqlx::Error = e.into();
    let target = describe_target(config);
    let hint = match &e {
        sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            " (nothing is listening there: is PostgreSQL running, and are the host and port right?)"
        }
        sqlx::Error::Database(d) => match d.code().as_deref() {
            Some("26") => " (the file is not a SQLite database, or is damaged: restore it from a backup)",
            Some("11") => " (the database file is damaged: restore it from a backup)",
            Some("14") => " (the file or its folder cannot be opened: check that it exists and is writable)",
            Some("8") => " (the file or its folder is read-only: Tend needs to write beside the database)",
            Some("3D000") => " (create the database first, or fix its name in the URL)",
            Some("28P01") | Some("28000") => " (check the user name and password in the URL)",
            _ => "",
        },
        _ => "",
    };
    let message = match &e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    };
    StoreError::Backend(format!("cannot open {target}: {message}{hint}"))
}

pub(crate) fn backend_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// For tests and tools: the pool underneath.
pub fn pool(store: &SqlStore) -> &AnyPool {
    store.pool()
}

#[cfg(feature = "testing")]
pub mod testing;
