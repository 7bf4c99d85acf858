//! Throwaway databases for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL
//! named by `TEND_TEST_POSTGRES_URL`.
//!
//! Every PostgreSQL test is marked `#[ignore]`, so a plain `cargo test` reports it as
//! *ignored*, with the reason, instead of passing it without running it. `scripts/test` sets
//! the URL and runs `cargo test -- --include-ignored`; a PostgreSQL test run without the URL
//! fails and says why. Under CI (`CI` set) the SQLite halves fail too unless the URL is set
//! and the ignored tests were asked for, so CI can never pass on SQLite alone.

use crate::{Database, MasterKey, StoreConfig, Vault};
use rand::Rng;
use std::sync::Arc;
use tend_domain::Store;

/// A migrated store and what keeps it alive. `store` is sealed, as the app's is, with a
/// master key of the test's own (the raw backend is `database.raw_store()`).
pub struct TestDb {
    pub database: Database,
    pub store: Arc<dyn Store>,
    pub config: StoreConfig,
    pub master: MasterKey,
    /// `None` for a database opened without migrating: its `store` is the raw backend.
    pub vault: Option<Vault>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Runs raw SQL on the database underneath, for tests that must reach past the store
    /// (to cut a connection, or to make a row look older than it is).
    pub async fn execute(&self, sql: &str) {
        let done = match &self.database {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(s) => sqlx::raw_sql(sql).execute(s.pool()).await.map(|_| ()),
            #[cfg(feature = "postgres")]
            Database::Postgres(s) => sqlx::raw_sql(sql).execute(s.pool()).await.map(|_| ()),
        };
        done.expect("raw SQL runs");
    }

    /// Runs a query that answers one integer, such as a count, on the database underneath.
    pub async fn scalar(&self, sql: &str) -> i64 {
        let answer = match &self.database {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(s) => sqlx::query_scalar::<_, i64>(sql).fetch_one(s.pool()).await,
            #[cfg(feature = "postgres")]
            Database::Postgres(s) => sqlx::query_scalar::<_, i64>(sql).fetch_one(s.pool()).await,
        };
        answer.expect("the query answers an integer")
    }

    async fn open(config: StoreConfig, dir: Option<tempfile::TempDir>, migrate: bool) -> TestDb {
        Self::open_with(config, dir, migrate, MasterKey::generate()).await
    }

    async fn open_with(
        config: StoreConfig,
        dir: Option<tempfile::TempDir>,
        migrate: bool,
        master: MasterKey,
    ) -> TestDb {
        let database = Database::connect(&config).await.expect("the test database opens");
        let (store, vault) = if migrate {
            database.migrate().await.expect("the test database migrates");
            let (store, vault) = database.sealed(master.clone()).await.expect("the vault opens");
            (store, Some(vault))
        } else {
            (database.raw_store(), None)
        };
        TestDb { store, database, config, master, vault, _dir: dir }
    }

    /// Another node on the same database: its own connections, the same master key.
    pub async fn node(&self) -> TestDb {
        self.node_with(self.master.clone()).await
    }

    /// Another node on the same database, opened with `master` (the key of a copied instance).
    pub async fn node_with(&self, master: MasterKey) -> TestDb {
        Self::open_with(self.config.clone(), None, true, master).await
    }
}

impl TestDb {
    /// The same database opened again so that it refuses every write, as a full disk or a
    /// read-only file would.
    pub async fn read_only(&self) -> TestDb {
        let config = StoreConfig { read_only: true, ..self.config.clone() };
        let database = Database::connect(&config).await.expect("the test database opens");
        let (store, vault) = database.sealed(self.master.clone()).await.expect("the vault opens");
        TestDb { store, database, config, master: self.master.clone(), vault: Some(vault), _dir: None }
    }
}

pub async fn sqlite() -> TestDb {
    sqlite_with(true).await
}

/// A fresh SQLite file with no schema yet, for tests that build an older one by hand.
pub async fn sqlite_unmigrated() -> TestDb {
    sqlite_with(false).await
}

async fn sqlite_with(migrate: bool) -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    TestDb::open(StoreConfig::sqlite_in(dir.path()), Some(dir), migrate).await
}

/// The PostgreSQL URL for tests, if set.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEND_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty())
}

/// Under CI, a run that skips PostgreSQL must fail loudly rather than pass quietly: the URL
/// must be set and the ignored (PostgreSQL) tests included. Outside CI it does nothing.
pub fn require_postgres_under_ci() {
    if std::env::var_os("CI").is_none() {
        return;
    }
    assert!(postgres_url().is_some(), "CI must set TEND_TEST_POSTGRES_URL");
    assert!(
        std::env::args().any(|a| a == "--include-ignored" || a == "--ignored"),
        "CI must run the PostgreSQL tests too: cargo test -- --include-ignored (as scripts/test does)"
    );
}

/// A fresh schema in the test PostgreSQL. Only PostgreSQL tests call this, and they are
/// `#[ignore]`d; run with `--include-ignored` but without the URL, it fails and says why.
pub async fn postgres() -> TestDb {
    postgres_with(true).await
}

/// A fresh, empty schema in the test PostgreSQL, for tests that build an older one by hand.
pub async fn postgres_unmigrated() -> TestDb {
    postgres_with(false).await
}

async fn postgres_with(migrate: bool) -> TestDb {
    let Some(url) = postgres_url() else {
        panic!(
            "TEND_TEST_POSTGRES_URL is unset, so this PostgreSQL test cannot run; set it \
             (scripts/test uses postgres://postgres@127.0.0.1:5432/test) or leave the test ignored"
        )
    };
    let schema = format!("tend_test_{:016x}", rand::rng().random::<u64>());
    TestDb::open(StoreConfig { schema: Some(schema), max_connections: 5, ..StoreConfig::from_url(url) }, None, migrate)
        .await
}

/// Runs an async test body once on SQLite and once on PostgreSQL. The PostgreSQL half is
/// ignored unless asked for (`cargo test -- --include-ignored` with `TEND_TEST_POSTGRES_URL`
/// set), so a run without a database shows it as ignored rather than passed.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::require_postgres_under_ci();
                let db = $crate::testing::sqlite().await;
                super::$name(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
            async fn postgres() {
                let db = $crate::testing::postgres().await;
                super::$name(db).await;
            }
        }
    )*};
}
