//! Throwaway databases for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL
//! named by `TEND_TEST_POSTGRES_URL`.
//!
//! Every PostgreSQL test is marked `#[ignore]`, so a plain `cargo test` reports it as
//! *ignored*, with the reason, instead of passing it without running it. `scripts/test` sets
//! the URL and runs `cargo test -- --include-ignored`; a PostgreSQL test run without the URL
//! fails and says why. Under CI (`CI` set) the SQLite halves fail too unless the URL is set
//! and the ignored tests were asked for, so CI can never pass on SQLite alone.

use crate::{SqlStore, StoreConfig};
use rand::Rng;

/// A migrated store and what keeps it alive.
pub struct TestDb {
    pub store: SqlStore,
    pub config: StoreConfig,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// The same database opened again so that it refuses every write, as a full disk or a
    /// read-only file would.
    pub async fn read_only(&self) -> TestDb {
        let config = StoreConfig { read_only: true, ..self.config.clone() };
        let store = SqlStore::connect(&config).await.expect("opens read-only");
        TestDb { store, config, _dir: None }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = StoreConfig::sqlite_in(dir.path());
    let store = SqlStore::connect(&config).await.expect("sqlite connects");
    store.migrate().await.expect("sqlite migrates");
    TestDb { store, config, _dir: Some(dir) }
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
    let Some(url) = postgres_url() else {
        panic!(
            "TEND_TEST_POSTGRES_URL is unset, so this PostgreSQL test cannot run; set it \
             (scripts/test uses postgres://postgres@127.0.0.1:5432/test) or leave the test ignored"
        )
    };
    let schema = format!("tend_test_{:016x}", rand::rng().random::<u64>());
    let config = StoreConfig { schema: Some(schema), max_connections: 5, ..StoreConfig::from_url(url) };
    let store = SqlStore::connect(&config).await.expect("postgres connects");
    store.migrate().await.expect("postgres migrates");
    TestDb { store, config, _dir: None }
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
