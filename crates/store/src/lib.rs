//! Storage for Tend: one SQL store that runs on SQLite (the default, one file) or PostgreSQL
//! (by URL), with a migration set for each.
//!
//! Both databases are reached through sqlx's `Any` driver and share every query, written in
//! the SQL both understand (`$1` parameters, `returning`, `on conflict`). Where they differ,
//! the query is written twice, side by side, chosen by [`Backend`]. Times are stored as Unix
//! milliseconds and ids as 64-bit integers, the types both databases agree on.

pub mod events;
mod practices;
mod questions;
mod sql;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
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
}

impl StoreConfig {
    /// The zero-configuration default: `tend.db` in the data folder.
    pub fn sqlite_in(data_dir: &Path) -> Self {
        let path = data_dir.join("tend.db");
        Self::from_url(format!("sqlite://{}?mode=rwc", path.display()))
    }

    pub fn from_url(url: String) -> Self {
        Self { url, schema: None, max_connections: 10 }
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
    /// Connects without migrating.
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = config.backend()?;
        let options = AnyConnectOptions::from_str(&config.url).map_err(backend_error)?;
        let schema = config.schema.clone();
        if let (Backend::Postgres, Some(schema)) = (backend, &schema) {
            if !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Backend("schema names may hold only letters, digits and _".into()));
            }
            let pool =
                AnyPoolOptions::new().max_connections(1).connect_with(options.clone()).await.map_err(backend_error)?;
            pool.execute(format!("create schema if not exists {schema}").as_str()).await.map_err(backend_error)?;
            pool.close().await;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                config.max_connections.min(8)
            } else {
                config.max_connections
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // WAL lets readers and one writer work at once; the busy timeout
                            // makes writers queue instead of failing.
                            conn.execute("pragma journal_mode = wal").await?;
                            conn.execute("pragma foreign_keys = on").await?;
                            conn.execute("pragma busy_timeout = 10000").await?;
                            conn.execute("pragma synchronous = normal").await?;
                        }
                        Backend::Postgres => {
                            if let Some(schema) = schema {
                                conn.execute(format!("set search_path to {schema}").as_str()).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(backend_error)?;
        Ok(SqlStore::new(pool, backend))
    }

    /// Brings the schema up to date; safe to run from several nodes at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(self.pool()).await.map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
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

pub(crate) fn backend_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// For tests and tools: the pool underneath.
pub fn pool(store: &SqlStore) -> &AnyPool {
    store.pool()
}

#[cfg(feature = "testing")]
pub mod testing;
