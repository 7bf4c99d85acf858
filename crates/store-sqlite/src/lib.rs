//! Tend's storage on SQLite: the default, one file beside the app, and all a couple's
//! install needs. It implements every feature trait of `tend_domain::store` (`Upkeep`,
//! `Accounts`, `Access`, `Pairing`, `Daily`, `Practices`, `Questions`, `Rhythms`,
//! `Reminders`, `Reflections`) for [`SqliteStore`], one file per feature.
//!
//! The rules this crate keeps:
//!
//! - **The native driver, checked at compile time.** Every query goes through sqlx's SQLite
//!   driver with `query!`, `query_as!` or `query_scalar!`, so the compiler checks each one
//!   against the schema the migrations build. No SQL is pieced together at run time: an
//!   optional filter is a parameter (`($2 is null or author_id = $2)`). What the compiler
//!   checks against is committed beside the crate in `.sqlx/`, so a build needs no database;
//!   `scripts/prepare-queries sqlite` refreshes it after a query or a migration changes.
//! - **Plain SQLite types.** Times are Unix milliseconds in INTEGER columns, a local day is
//!   `YYYY-MM-DD` text, yes/no is 0 or 1. Since migration 0007 the schema itself refuses
//!   anything else in those columns.
//! - **A stored write is a committed write.** Every write that returns rows runs in a
//!   transaction that is committed before the rows are used. Outside one, SQLite commits when
//!   the statement finishes, and a reader that stops at the first row never hears that the
//!   commit failed (a full disk), so the caller would be told of a write that is gone. A
//!   connection given back while still inside a transaction is closed, never reused.
//! - **What cannot be read is an error.** A time out of range, a closeness outside 1–7, an
//!   unknown kind, reaction or verdict, a time zone or a day we cannot read: each fails with
//!   `StoreError::Backend` saying what was wrong, rather than being quietly replaced by a
//!   default.

mod access;
mod accounts;
mod admin;
mod bulk;
mod daily;
mod decode;
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

use decode::db;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use tend_domain::StoreError;

/// How to reach the database file.
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// A `sqlite:` URL, such as `sqlite:///srv/tend/tend.db?mode=rwc`.
    pub url: String,
    /// Opens the file so that every write is refused: for tools that must not write, and for
    /// the tests that check a refused write is reported.
    pub read_only: bool,
    /// At most 8 are used: SQLite has one writer at a time, and more readers only wait.
    pub max_connections: u32,
    /// How long a request waits for a connection before it fails.
    pub acquire_timeout: Duration,
}

/// Tend's store on one SQLite file. Cloning it is cheap and shares the connections.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long the first connection may take before start-up gives up with a clear message.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a writer waits for another one to finish before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// More connections than this only queue behind SQLite's single writer.
const MAX_CONNECTIONS: u32 = 8;

impl SqliteStore {
    /// Connects without migrating. One connection is made and checked first, with a short
    /// time limit, so that a file that cannot be opened or read says why at once (the pool
    /// alone would retry until its timeout and say only "pool timed out").
    pub async fn connect(options: &SqliteOptions) -> Result<Self, StoreError> {
        let mut connect = SqliteConnectOptions::from_str(&options.url)
            .map_err(|e| connect_error(&options.url, e))?
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal)
            // Deleted content is overwritten with zeros, so a deleted person's rows (and their
            // data key) leave no readable trace in the file's free pages.
            .pragma("secure_delete", "on");
        if options.read_only {
            // Never create a file in order to refuse writes to it.
            connect = connect.read_only(true).create_if_missing(false);
        }
        let first = async {
            let mut conn = SqliteConnection::connect_with(&connect).await?;
            // Reading the schema finds a file that is not a database, or is damaged, now.
            sqlx::query_scalar!(r#"select count(*) as "n!: i64" from sqlite_master"#).fetch_one(&mut conn).await?;
            let mode = sqlx::query_scalar!(r#"select lower(journal_mode) as "mode!: String" from pragma_journal_mode"#)
                .fetch_one(&mut conn)
                .await?;
            conn.close().await?;
            // Write-ahead logging lets readers and one writer work at once. It stays set in the
            // file, so only a new database needs the write that sets it, made here once on a
            // connection of its own: the pool's connections never ask for it, so one opened
            // later, on a full disk, cannot fail for want of it.
            if !options.read_only && mode != "wal" {
                SqliteConnection::connect_with(&connect.clone().journal_mode(SqliteJournalMode::Wal))
                    .await?
                    .close()
                    .await?;
            }
            Ok::<(), sqlx::Error>(())
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, first).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(connect_error(&options.url, e)),
            Err(_) => {
                return Err(StoreError::Backend(format!(
                    "{} did not answer within {} seconds",
                    describe_target(&options.url),
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections.clamp(1, MAX_CONNECTIONS))
            .acquire_timeout(options.acquire_timeout)
            // A connection to a local file does not go stale: pinging it before each use (the
            // default) would cost a round trip to its worker thread on every query.
            .test_before_acquire(false)
            // A connection whose transaction did not end cleanly (a commit refused by a full
            // disk, say) is closed rather than reused, so no later write can land in a
            // transaction that will never be committed.
            .after_release(|conn, _meta| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
            .connect_with(connect)
            .await
            .map_err(|e| connect_error(&options.url, e))?;
        Ok(Self { pool })
    }

    /// The pool's connections: how many are open, and how many of those are idle.
    pub fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// The newest migration this build knows, which `migrate` brings the schema to.
    pub fn schema_version() -> i64 {
        MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Brings the schema up to date.
    ///
    /// Migration 0007 rebuilds tables that others point at, which SQLite only allows safely
    /// with foreign keys off: with them on, dropping the old `users` would delete every
    /// session, token and invite along with it. sqlx runs each migration inside a
    /// transaction, where `pragma foreign_keys` does nothing, so they are turned off here, on
    /// the one connection that migrates, before it starts. The migration checks that they are
    /// off and that no reference broke before it commits.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn: PoolConnection<Sqlite> = self.pool.acquire().await.map_err(db)?;
        // Whatever happens, this connection is not given back with foreign keys off.
        conn.close_on_drop();
        sqlx::query!("pragma foreign_keys = off").execute(&mut *conn).await.map_err(db)?;
        MIGRATOR.run(&mut *conn).await.map_err(|e| StoreError::Backend(format!("migration failed: {e}")))?;
        Ok(())
    }

    /// A consistent copy of the running database, written to `path`, which must not exist.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        if path.exists() {
            return Err(StoreError::Conflict(format!("{} already exists; choose a new file name", path.display())));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Backend("the backup path must be valid UTF-8".into()))?;
        sqlx::query!("vacuum into $1", target).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connections underneath, for tests and tools.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The file a URL names, for messages.
fn describe_target(url: &str) -> String {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    format!("the SQLite database {path}")
}

/// One line that says what went wrong on opening the file, and what usually causes it.
fn connect_error(url: &str, e: sqlx::Error) -> StoreError {
    let target = describe_target(url);
    let (message, hint) = match &e {
        sqlx::Error::Database(d) => {
            // SQLite reports extended codes (say 1032 for a read-only file that moved); the
            // low byte is the primary code the hints are written for.
            let primary = d.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
            let hint = match primary {
                Some(26) => " (the file is not a SQLite database, or is damaged: restore it from a backup)",
                Some(11) => " (the database file is damaged: restore it from a backup)",
                Some(14) => " (the file or its folder cannot be opened: check that it exists and is writable)",
                Some(8) => " (the file or its folder is read-only: Tend needs to write beside the database)",
                _ => "",
            };
            (d.message().to_owned(), hint)
        }
        other => (other.to_string(), ""),
    };
    StoreError::Backend(format!("cannot open {target}: {message}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_file_without_the_options() {
        assert_eq!(describe_target("sqlite:///srv/tend.db?mode=rwc"), "the SQLite database /srv/tend.db");
        assert_eq!(describe_target("sqlite:tend.db"), "the SQLite database tend.db");
    }
}
