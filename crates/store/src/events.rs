//! Live events across nodes. On PostgreSQL every node LISTENs on one channel and a publish
//! is a NOTIFY, so an event raised on one node reaches the pages open on every node. On
//! SQLite, which serves one process, they stay in the process.

use crate::{Database, StoreConfig};
use std::sync::Arc;
use tend_domain::events::Events;

/// The events mechanism that fits the database.
pub async fn for_database(database: &Database, config: &StoreConfig) -> Arc<dyn Events> {
    match database {
        #[cfg(feature = "sqlite")]
        Database::Sqlite(_) => Arc::new(tend_domain::events::LocalEvents::default()),
        #[cfg(feature = "postgres")]
        Database::Postgres(store) => tend_store_postgres::events::for_store(store, &crate::pg_options(config)).await,
    }
}
