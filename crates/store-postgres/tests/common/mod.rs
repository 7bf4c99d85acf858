//! A fresh schema in the test PostgreSQL named by `TEND_TEST_POSTGRES_URL`, for each test.
//!
//! These tests are marked `#[ignore]`, so a plain `cargo test` reports them as ignored, with
//! the reason, instead of passing them without running them. Run them with
//! `TEND_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo test -- --include-ignored`.

use rand::Rng;
use std::time::Duration;
use tend_store_postgres::{PgOptions, PgStore};

/// Options for a schema nobody else uses, in the test database.
pub fn fresh_options() -> PgOptions {
    let Some(url) = std::env::var("TEND_TEST_POSTGRES_URL").ok().filter(|url| !url.is_empty()) else {
        panic!(
            "TEND_TEST_POSTGRES_URL is unset, so this PostgreSQL test cannot run; set it \
             (scripts/test uses postgres://postgres@127.0.0.1:5432/test) or leave the test ignored"
        )
    };
    PgOptions {
        url,
        schema: Some(format!("tend_test_{:016x}", rand::rng().random::<u64>())),
        read_only: false,
        max_connections: 3,
        acquire_timeout: Duration::from_secs(10),
    }
}

/// Drops the test's schema, so the test database does not fill up with them.
pub async fn drop_schema(store: &PgStore, options: &PgOptions) {
    if let Some(schema) = &options.schema {
        let dropped = sqlx::raw_sql(&format!("drop schema {schema} cascade")).execute(store.pool()).await;
        assert!(dropped.is_ok(), "dropping {schema}: {dropped:?}");
    }
    store.close().await;
}
