//! What encryption at rest needs from storage: each person's data key, wrapped by the
//! instance's master key, and the rows written before sealing existed, so they can be sealed.
//!
//! This trait is not part of [`super::Store`]: the use cases never see a key. `tend-store`
//! wraps a backend in its vault, which seals every word a person writes on the way in and
//! opens it on the way out, and which alone reads and writes these.

use super::StoreResult;
use crate::ids::UserId;
use async_trait::async_trait;
use jiff::Timestamp;

/// A person's data key as stored: sealed by a master key, never in the clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    pub user: UserId,
    /// Which master key sealed it: a short public fingerprint.
    pub master_id: String,
    /// The sealed key, in the vault's text form.
    pub wrapped: String,
    pub created_at: Timestamp,
}

/// One stored row's written words with who wrote each, as read for sealing: `texts` holds
/// the row's text columns in a fixed order per table (see [`PlainTable`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainRow {
    pub table: PlainTable,
    /// The row's key: `[id, 0]`, or the two columns of a two-column key.
    pub key: [i64; 2],
    pub texts: Vec<(UserId, Option<String>)>,
}

/// The tables that hold words people write, and their text columns in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlainTable {
    /// `high`, `low`, `need`, by the author.
    CheckIns,
    /// `body` by the author, `reply` by the recipient.
    Appreciations,
    /// Keyed by listening and round: `share` by the speaker, `reflection` and `feeling` by
    /// the listener.
    ListeningRounds,
    /// Keyed by exchange and author: `body` and `reply_words`, both by the author.
    Answers,
    /// `note` by whoever wrote it last.
    Evenings,
}

impl PlainTable {
    pub const ALL: [PlainTable; 5] =
        [Self::CheckIns, Self::Appreciations, Self::ListeningRounds, Self::Answers, Self::Evenings];
}

#[async_trait]
pub trait Keys: Send + Sync {
    async fn data_key(&self, user: UserId) -> StoreResult<Option<WrappedKey>>;
    /// Stores the key unless the person has one already, and returns the one stored: two
    /// nodes making a person's first key at once end up with the same one. `NotFound` for a
    /// person who is unknown or deleted.
    async fn add_data_key(&self, key: &WrappedKey) -> StoreResult<WrappedKey>;
    async fn data_keys(&self) -> StoreResult<Vec<WrappedKey>>;
    /// Replaces each key with its rewrapped form, in one transaction, only where it is still
    /// wrapped by `from`; returns how many were replaced.
    async fn rewrap_data_keys(&self, from: &str, keys: &[WrappedKey]) -> StoreResult<u64>;
    /// Up to `limit` rows of `table` with a text that is neither empty nor starts with `mark`
    /// (the vault's sign of sealed text).
    async fn plain_rows(&self, table: PlainTable, mark: &str, limit: i64) -> StoreResult<Vec<PlainRow>>;
    /// Writes `new`'s texts over the row, only if the row still holds `old`'s; false otherwise.
    async fn replace_row(&self, old: &PlainRow, new: &PlainRow) -> StoreResult<bool>;
    /// Leaves no readable trace of deleted or overwritten rows in the database's own files,
    /// where the database allows it: SQLite zeroes deleted content as it goes (`secure_delete`)
    /// and here empties its write-ahead log; PostgreSQL leaves old row versions to VACUUM.
    async fn scrub(&self) -> StoreResult<()>;
}
