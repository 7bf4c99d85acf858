//! Storage for Tend, whichever database holds it: SQLite (the default, one file) or
//! PostgreSQL (by URL). Each has its own crate on sqlx's native driver, with its queries checked
//! at compile time and its own migrations: `tend-store-sqlite` and `tend-store-postgres`.
//! This crate opens the one a URL names and hands the domain a [`Store`]; the contract suite in
//! `tests/` holds both to the same behaviour.
//!
//! Either backend can be left out of a build (`--no-default-features --features sqlite`).

pub mod copy;
pub mod events;
pub mod sealed;
pub mod vault;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tend_domain::store::keys::Keys;
use tend_domain::{Store, StoreError};
pub use vault::{MasterKey, Vault};

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

/// An open database of either kind.
#[derive(Clone)]
pub enum Database {
    #[cfg(feature = "sqlite")]
    Sqlite(tend_store_sqlite::SqliteStore),
    #[cfg(feature = "postgres")]
    Postgres(tend_store_postgres::PgStore),
}

impl Database {
    /// Connects without migrating; a database that cannot be reached, opened or read says
    /// why in one line.
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        match config.backend()? {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let options = tend_store_sqlite::SqliteOptions {
                    url: config.url.clone(),
                    read_only: config.read_only,
                    max_connections: config.max_connections,
                    acquire_timeout: config.acquire_timeout,
                };
                Ok(Self::Sqlite(tend_store_sqlite::SqliteStore::connect(&options).await?))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => Ok(Self::Postgres(tend_store_postgres::PgStore::connect(&pg_options(config)).await?)),
            #[allow(unreachable_patterns)]
            other => Err(StoreError::Backend(format!("this build of Tend has no {other:?} support"))),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The store as the backend sees it: written words pass as they are given. Use cases
    /// read and write through [`Database::sealed`] instead.
    pub fn raw_store(&self) -> Arc<dyn Store> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => Arc::new(s.clone()),
            #[cfg(feature = "postgres")]
            Self::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Where the people's data keys are kept, wrapped.
    pub fn keys(&self) -> Arc<dyn Keys> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => Arc::new(s.clone()),
            #[cfg(feature = "postgres")]
            Self::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Whether any person has a data key yet: once one does, the master key must never
    /// change silently.
    pub async fn has_data_keys(&self) -> Result<bool, StoreError> {
        Ok(!self.keys().data_keys().await?.is_empty())
    }

    /// What the use cases read and write through: the store behind the vault, which seals
    /// every word people write with their own data key. Opening it checks `master` against
    /// the stored keys, then seals any words an earlier version stored in plain text.
    pub async fn sealed(&self, master: MasterKey) -> Result<(Arc<dyn Store>, Vault), StoreError> {
        self.sealed_from(master, None).await
    }

    /// As [`Database::sealed`], with the file the master key came from, which the vault reads
    /// again when `tend keys rotate` replaces it while this node runs.
    pub async fn sealed_from(
        &self,
        master: MasterKey,
        key_file: Option<PathBuf>,
    ) -> Result<(Arc<dyn Store>, Vault), StoreError> {
        let keys = self.keys();
        let vault = Vault::open(keys.clone(), master, key_file).await?;
        if vault.seal_plain_rows().await? > 0 {
            keys.scrub().await?;
        }
        Ok((Arc::new(sealed::SealedStore::new(self.raw_store(), keys, vault.clone())), vault))
    }

    /// Brings the schema up to date; safe to run from several nodes at once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => s.migrate().await,
            #[cfg(feature = "postgres")]
            Self::Postgres(s) => s.migrate().await,
        }
    }

    /// The connection pool's use: connections open, and of those idle.
    pub fn pool_use(&self) -> (u32, usize) {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => s.pool_use(),
            #[cfg(feature = "postgres")]
            Self::Postgres(s) => s.pool_use(),
        }
    }

    /// The schema's migration level once [`Database::migrate`] has run.
    pub fn schema_version(&self) -> i64 {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => tend_store_sqlite::SqliteStore::schema_version(),
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => tend_store_postgres::PgStore::schema_version(),
        }
    }

    /// A consistent copy of a running SQLite database, written to `path`.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => s.backup_to(path).await,
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => {
                let _ = path;
                Err(StoreError::Backend("backup copies SQLite databases; for PostgreSQL use pg_dump".into()))
            }
        }
    }

    pub async fn close(&self) {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(s) => s.close().await,
            #[cfg(feature = "postgres")]
            Self::Postgres(s) => s.close().await,
        }
    }
}

#[cfg(feature = "postgres")]
fn pg_options(config: &StoreConfig) -> tend_store_postgres::PgOptions {
    tend_store_postgres::PgOptions {
        url: config.url.clone(),
        schema: config.schema.clone(),
        read_only: config.read_only,
        max_connections: config.max_connections,
        acquire_timeout: config.acquire_timeout,
    }
}

#[cfg(feature = "testing")]
pub mod testing;
