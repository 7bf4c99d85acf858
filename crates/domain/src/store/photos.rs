//! What photos and the monthly show-and-tell need from storage. A photo's bytes live in
//! [`crate::photo::Media`]; its row here says whose it is, what it shows with, and whether the
//! partner has seen it (`shown_at`): a photo nobody showed yet is its owner's alone, and every
//! read a partner can make filters on that.

use super::StoreResult;
use crate::ids::{CoupleId, ShowAndTellId, UserId};
use crate::photo::PhotoId;
use async_trait::async_trait;
use jiff::Timestamp;

/// What a photo is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhotoKind {
    /// Picked for the next show-and-tell: private until it is shown there.
    Pick,
    /// Added straight to Our memories, with a caption: seen by both at once.
    Memory,
}

impl PhotoKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pick => "pick",
            Self::Memory => "memory",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "pick" => Some(Self::Pick),
            "memory" => Some(Self::Memory),
            _ => None,
        }
    }
}

/// One photo's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhotoRecord {
    pub id: PhotoId,
    pub couple: CoupleId,
    pub owner: UserId,
    pub kind: PhotoKind,
    /// The owner's words about it; sealed with their key at rest.
    pub caption: String,
    pub width: u32,
    pub height: u32,
    pub created_at: Timestamp,
    /// Its place among the owner's picks (1 to 5); 0 for a memory.
    pub position: i64,
    /// The show-and-tell it was shown in, once one started with it.
    pub show_and_tell: Option<ShowAndTellId>,
    /// When the partner first saw it: at a show-and-tell step, or at once for a memory.
    pub shown_at: Option<Timestamp>,
    /// The partner's answer to it: a reaction, a few words, or both.
    pub reaction: Option<String>,
    /// Sealed with the replier's key at rest.
    pub reply: String,
    pub replied_by: Option<UserId>,
    pub replied_at: Option<Timestamp>,
}

/// One show-and-tell, as stored. The photos it shows are those whose `show_and_tell` is its
/// id, in order: the first teller's picks by position, then the other's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredShowAndTell {
    pub id: ShowAndTellId,
    pub couple: CoupleId,
    pub started_by: UserId,
    pub first_teller: UserId,
    pub started_at: Timestamp,
    /// The photo on screen now, from 0; equal to `total` once done.
    pub step: i64,
    pub total: i64,
    pub finished_at: Option<Timestamp>,
}

#[async_trait]
pub trait Photos: Send + Sync {
    /// Adds a photo whose bytes are already stored. A pick takes the owner's next free place
    /// among their waiting picks, and is refused (`false`) when they already have `max_picks`
    /// waiting; a memory is shown at once.
    async fn add_photo(&self, photo: &PhotoRecord, max_picks: i64) -> StoreResult<bool>;
    async fn photo(&self, couple: CoupleId, id: &PhotoId) -> StoreResult<Option<PhotoRecord>>;
    /// The owner's picks waiting for the next show-and-tell, by position.
    async fn waiting_picks(&self, couple: CoupleId, owner: UserId) -> StoreResult<Vec<PhotoRecord>>;
    /// How many picks each partner has waiting: `(owner, count)`.
    async fn waiting_counts(&self, couple: CoupleId) -> StoreResult<Vec<(UserId, i64)>>;
    /// The photos of one show-and-tell, in the order they are shown.
    async fn show_and_tell_photos(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Vec<PhotoRecord>>;
    /// Every photo the partner has seen, newest first.
    async fn shown_photos(&self, couple: CoupleId) -> StoreResult<Vec<PhotoRecord>>;
    /// The photos first seen in `[from, to)`, newest first ("on this day").
    async fn photos_shown_between(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PhotoRecord>>;
    /// The owner changes the caption; `false` when it is not theirs.
    async fn caption_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId, caption: &str) -> StoreResult<bool>;
    /// The partner answers a photo they have seen; `false` when it is theirs or not yet shown.
    async fn reply_to_photo(
        &self,
        couple: CoupleId,
        id: &PhotoId,
        by: UserId,
        reaction: Option<&str>,
        reply: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// The owner deletes it; `false` when it is not theirs, or it is on screen in a show-and-tell
    /// that is still going.
    async fn delete_photo(&self, couple: CoupleId, id: &PhotoId, owner: UserId) -> StoreResult<bool>;
    /// The ids of every photo of the couple (whose objects go when the couple ends).
    async fn photo_ids(&self, couple: CoupleId) -> StoreResult<Vec<PhotoId>>;
    /// Which of `ids` still have a row, whatever couple: the rest are orphaned objects.
    async fn existing_photos(&self, ids: &[PhotoId]) -> StoreResult<Vec<PhotoId>>;

    /// Starts a show-and-tell with every waiting pick of both partners, the first teller's
    /// first, and shows its first photo. `None` when one is already going (or nobody picked).
    async fn start_show_and_tell(
        &self,
        couple: CoupleId,
        by: UserId,
        first_teller: UserId,
        now: Timestamp,
    ) -> StoreResult<Option<ShowAndTellId>>;
    /// The show-and-tell still going, if any.
    async fn open_show_and_tell(&self, couple: CoupleId) -> StoreResult<Option<StoredShowAndTell>>;
    async fn show_and_tell(&self, couple: CoupleId, id: ShowAndTellId) -> StoreResult<Option<StoredShowAndTell>>;
    /// Moves from step `from` to the next photo, showing it (or finishing when there is none);
    /// `false` when another tap moved it first.
    async fn advance_show_and_tell(
        &self,
        couple: CoupleId,
        id: ShowAndTellId,
        from: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Every show-and-tell of the couple, newest first.
    async fn show_and_tells(&self, couple: CoupleId) -> StoreResult<Vec<StoredShowAndTell>>;
}
