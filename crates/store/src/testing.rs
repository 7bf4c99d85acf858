//! Throwaway databases for tests: a fresh SQLite file, or a fresh schema in the PostgreSQL
//! named by `TEND_TEST_POSTGRES_URL`.

use crate::{SqlStore, StoreConfig};
use rand::Rng;

/// A migrated store and what keeps it alive.
pub struct TestDb {
    pub store: SqlStore,
    pub config: StoreConfig,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = StoreConfig::sqlite_in(dir.path());
    let store = SqlStore::connect(&config).await.expect("sqlite connects");
    store.migrate().await.expect("sqlite migrates");
    TestDb { store, config, _dir: Some(dir) }
}

/// The PostgreSQL URL for tests. Unset means the PostgreSQL half is skipped, except under CI,
/// where a missing database must fail loudly rather than pass quietly.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TEND_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!("CI must set TEND_TEST_POSTGRES_URL"),
        _ => None,
    }
}

pub async fn postgres() -> Option<TestDb> {
    let url = postgres_url()?;
    let schema = format!("tend_test_{:016x}", rand::rng().random::<u64>());
    let config = StoreConfig { schema: Some(schema), max_connections: 5, ..StoreConfig::from_url(url) };
    let store = SqlStore::connect(&config).await.expect("postgres connects");
    store.migrate().await.expect("postgres migrates");
    Some(TestDb { store, config, _dir: None })
}

/// Runs an async test body once on SQLite and once on PostgreSQL (when configured).
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::testing::sqlite().await;
                super::$name(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::testing::postgres().await {
                    Some(db) => super::$name(db).await,
                    None => eprintln!("TEND_TEST_POSTGRES_URL unset: PostgreSQL half skipped"),
                }
            }
        }
    )*};
}
