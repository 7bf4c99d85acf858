//! Photos: what a person uploads, checked and developed into three sizes with every piece of
//! metadata stripped, then kept sealed with its owner's data key wherever the bytes live.
//!
//! The domain knows only the two ports below: [`Darkroom`] turns uploaded bytes into
//! [`Developed`] sizes (or says, in words fit for the person, why it cannot), and [`Media`]
//! keeps sealed bytes by key. The `tend-media` crate implements both.

use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::ids::UserId;
use crate::show_and_tell::PhotoReaction;
use crate::store::photos::{PhotoKind, PhotoRecord};
use crate::store::{StoreResult, User};
use crate::{Ctx, text};
use async_trait::async_trait;
use jiff::Timestamp;

/// The largest upload taken, in bytes.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
/// The most pixels an image may have; a larger one is refused before it is decoded.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The three sizes kept of each photo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Size {
    /// A small square-ish preview for lists and pickers (at most 400 px on the long edge).
    Thumb,
    /// What a phone shows full-screen (at most 1600 px).
    Screen,
    /// The photo itself, at most 4096 px on the long edge.
    Full,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Thumb, Size::Screen, Size::Full];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Thumb => "thumb",
            Self::Screen => "screen",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|z| z.as_str() == s)
    }

    /// The longest edge this size may have, in pixels.
    pub fn max_edge(self) -> u32 {
        match self {
            Self::Thumb => 400,
            Self::Screen => 1600,
            Self::Full => 4096,
        }
    }
}

/// A photo developed: the three sizes as JPEG, with no metadata at all, upright.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Developed {
    /// The full size's dimensions, after orientation.
    pub width: u32,
    pub height: u32,
    pub thumb: Vec<u8>,
    pub screen: Vec<u8>,
    pub full: Vec<u8>,
}

impl Developed {
    pub fn bytes(&self, size: Size) -> &[u8] {
        match size {
            Size::Thumb => &self.thumb,
            Size::Screen => &self.screen,
            Size::Full => &self.full,
        }
    }
}

/// Why an upload could not become a photo; each message is fit to show the person.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("That file is larger than 20 MB. Please choose a smaller photo.")]
    TooLarge,
    #[error("That photo has more than 50 megapixels. Please choose a smaller one.")]
    TooManyPixels,
    #[error(
        "iPhone HEIC photos can't be read here yet. Share it as a JPEG instead: on the iPhone, Settings › Camera › Formats › \
         Most Compatible, or pick the photo through the browser's upload button, which usually sends a JPEG."
    )]
    Heic,
    #[error("Tend takes JPEG, PNG and WebP photos; that file is none of these.")]
    NotAPhoto,
    #[error("That photo could not be read: the file seems damaged. Please try another.")]
    Damaged,
    #[error("Tend is developing many photos right now. Nothing was saved; please try again in a moment.")]
    Busy,
}

/// Turns an upload into a photo. Implementations decode off the async runtime, with a bound
/// on how many run at once.
#[async_trait]
pub trait Darkroom: Send + Sync {
    async fn develop(&self, upload: Vec<u8>) -> Result<Developed, Refusal>;
}

/// One stored object, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub modified: Timestamp,
}

/// Where photo bytes live: a folder, or an S3-compatible bucket. Every object is sealed with
/// its owner's data key before it leaves the process, so a deleted account's photos cannot be
/// opened from any copy of the folder or bucket.
#[async_trait]
pub trait Media: Send + Sync {
    /// Seals `bytes` with `owner`'s key and stores them under `key`.
    async fn put(&self, owner: UserId, key: &str, bytes: Vec<u8>) -> StoreResult<()>;
    /// The opened bytes under `key`, or `None` when there is no such object or its owner's key
    /// is gone.
    async fn get(&self, owner: UserId, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Deletes the objects; a missing one is not an error.
    async fn delete(&self, keys: &[String]) -> StoreResult<()>;
    /// Every object under `prefix`.
    async fn list(&self, prefix: &str) -> StoreResult<Vec<Object>>;
}

/// A photo's id: 128 random bits, base64url (22 characters), so it cannot be guessed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct PhotoId(String);

impl PhotoId {
    pub fn generate() -> Self {
        use base64::Engine;
        let bytes: [u8; 16] = rand::random();
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// An id as it arrives in a URL; anything that is not exactly an id's shape is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 22 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stored form, trusted: for store backends reading their own rows.
    pub fn from_stored(s: String) -> Self {
        Self(s)
    }
}

impl std::fmt::Display for PhotoId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where every photo object lives, under one prefix.
pub const PREFIX: &str = "photos/";

/// The object key of one size of a photo.
pub fn object_key(id: &PhotoId, size: Size) -> String {
    format!("{PREFIX}{id}/{}.jpg", size.as_str())
}

/// The photo an object key belongs to.
pub fn id_of_key(key: &str) -> Option<PhotoId> {
    PhotoId::parse(key.strip_prefix(PREFIX)?.split('/').next()?)
}

fn all_keys(id: &PhotoId) -> Vec<String> {
    Size::ALL.into_iter().map(|s| object_key(id, s)).collect()
}

/// Photos are not set up (a test that needs none): every use refuses plainly.
#[derive(Debug, Default)]
pub struct NoPhotos;

#[async_trait]
impl Darkroom for NoPhotos {
    async fn develop(&self, _upload: Vec<u8>) -> Result<Developed, Refusal> {
        Err(Refusal::Busy)
    }
}

#[async_trait]
impl Media for NoPhotos {
    async fn put(&self, _owner: UserId, _key: &str, _bytes: Vec<u8>) -> StoreResult<()> {
        Err(crate::store::StoreError::Backend("photo storage is not set up".into()))
    }
    async fn get(&self, _owner: UserId, _key: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(None)
    }
    async fn delete(&self, _keys: &[String]) -> StoreResult<()> {
        Ok(())
    }
    async fn list(&self, _prefix: &str) -> StoreResult<Vec<Object>> {
        Ok(Vec::new())
    }
}

pub const CAPTION_MAX: usize = 300;
pub const REPLY_MAX: usize = 300;
/// Picks each partner may have waiting for the next show-and-tell.
pub const MAX_PICKS: i64 = 5;
/// An object with no row this old is left over from an upload or a deletion that was cut off.
pub const ORPHAN_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// A photo as one partner may see it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PhotoView {
    pub id: PhotoId,
    pub kind: PhotoKind,
    #[serde(skip)]
    pub owner: UserId,
    pub mine: bool,
    pub owner_name: String,
    pub caption: String,
    pub width: u32,
    pub height: u32,
    pub created_at: Timestamp,
    /// When the partner saw it; `None` while it is the owner's alone.
    pub shown_at: Option<Timestamp>,
    pub reaction: Option<&'static PhotoReaction>,
    pub reply: String,
    pub replied_by_me: bool,
    /// Who answered it: "You" or the partner's name (empty before an answer).
    pub replier_name: String,
    pub replied_at: Option<Timestamp>,
}

impl PhotoView {
    /// Whether `who` owns it (the view says only whether it is the viewer's).
    pub(crate) fn mine_for(&self, who: UserId) -> bool {
        self.owner == who
    }
}

pub(crate) fn view(us: &Us, r: PhotoRecord) -> PhotoView {
    let mine = r.owner == us.me.id;
    PhotoView {
        owner_name: if mine { us.me.display_name.clone() } else { us.partner.display_name.clone() },
        reaction: r.reaction.as_deref().and_then(crate::show_and_tell::reaction),
        replied_by_me: r.replied_by == Some(us.me.id),
        replier_name: match r.replied_by {
            Some(by) if by == us.me.id => "You".to_owned(),
            Some(_) => us.partner.display_name.clone(),
            None => String::new(),
        },
        id: r.id,
        kind: r.kind,
        owner: r.owner,
        mine,
        caption: r.caption,
        width: r.width,
        height: r.height,
        created_at: r.created_at,
        shown_at: r.shown_at,
        reply: r.reply,
        replied_at: r.replied_at,
    }
}

/// What arrives with an upload.
#[derive(Clone, Debug)]
pub struct Upload {
    pub bytes: Vec<u8>,
    pub caption: String,
    pub kind: PhotoKind,
}

/// Develops and keeps a photo: a pick for the next show-and-tell (private until shown there),
/// or a memory both see at once. Bytes are stored before the row, so a photo that has a row
/// always has its bytes; an upload cut off half-way leaves only objects, which
/// [`sweep`] removes.
pub async fn upload(ctx: &Ctx, me: &User, upload: Upload) -> Result<PhotoView> {
    let us = couple::us(ctx, me).await?;
    let caption = text::one_line(&upload.caption, CAPTION_MAX, "the caption")
        .map_err(|m| Error::field("caption", m))?
        .unwrap_or_default();
    if upload.kind == PhotoKind::Pick {
        let waiting = ctx.store.waiting_counts(us.couple_id).await?;
        if waiting.iter().any(|(who, n)| *who == us.me.id && *n >= MAX_PICKS) {
            return Err(full());
        }
    }
    let developed = ctx.darkroom.develop(upload.bytes).await.map_err(|r| match r {
        Refusal::Busy => Error::Busy { retry_after_secs: 5 },
        other => Error::field("photo", other.to_string()),
    })?;
    let id = PhotoId::generate();
    let keys = all_keys(&id);
    let stored = async {
        for size in Size::ALL {
            ctx.media.put(us.me.id, &object_key(&id, size), developed.bytes(size).to_vec()).await?;
        }
        let now = ctx.now();
        let record = PhotoRecord {
            id: id.clone(),
            couple: us.couple_id,
            owner: us.me.id,
            kind: upload.kind,
            caption,
            width: developed.width,
            height: developed.height,
            created_at: now,
            position: 0,
            show_and_tell: None,
            shown_at: (upload.kind == PhotoKind::Memory).then_some(now),
            reaction: None,
            reply: String::new(),
            replied_by: None,
            replied_at: None,
        };
        ctx.store.add_photo(&record, MAX_PICKS).await
    }
    .await;
    match stored {
        Ok(true) => {}
        Ok(false) => {
            let _ = ctx.media.delete(&keys).await;
            return Err(full());
        }
        Err(e) => {
            let _ = ctx.media.delete(&keys).await;
            return Err(e.into());
        }
    }
    ctx.notify(us.couple_id, EventKind::Photos).await;
    let record = ctx.store.photo(us.couple_id, &id).await?.ok_or(Error::NotFound)?;
    Ok(view(&us, record))
}

fn full() -> Error {
    Error::rejected(format!(
        "You’ve picked {MAX_PICKS} photos for your next show-and-tell already. Remove one to pick another."
    ))
}

/// One photo, if the caller may see it: their own, or one their partner has shown them.
/// Anything else is "not found", exactly as a photo that does not exist.
pub async fn get(ctx: &Ctx, me: &User, id: &PhotoId) -> Result<PhotoView> {
    let us = couple::us(ctx, me).await?;
    Ok(view(&us, visible(ctx, &us, id).await?))
}

async fn visible(ctx: &Ctx, us: &Us, id: &PhotoId) -> Result<PhotoRecord> {
    let r = ctx.store.photo(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    if r.owner == us.me.id || r.shown_at.is_some() { Ok(r) } else { Err(Error::NotFound) }
}

/// The bytes of one size of a photo the caller may see (JPEG).
pub async fn bytes(ctx: &Ctx, me: &User, id: &PhotoId, size: Size) -> Result<Vec<u8>> {
    let us = couple::us(ctx, me).await?;
    let r = visible(ctx, &us, id).await?;
    ctx.media.get(r.owner, &object_key(id, size)).await?.ok_or(Error::NotFound)
}

/// The owner changes a photo's caption.
pub async fn caption(ctx: &Ctx, me: &User, id: &PhotoId, caption: &str) -> Result<PhotoView> {
    let us = couple::us(ctx, me).await?;
    let caption = text::one_line(caption, CAPTION_MAX, "the caption")
        .map_err(|m| Error::field("caption", m))?
        .unwrap_or_default();
    if !ctx.store.caption_photo(us.couple_id, id, us.me.id, &caption).await? {
        return Err(Error::NotFound);
    }
    ctx.notify(us.couple_id, EventKind::Photos).await;
    get(ctx, me, id).await
}

/// The owner deletes a photo: its row, then its files.
pub async fn delete(ctx: &Ctx, me: &User, id: &PhotoId) -> Result<()> {
    let us = couple::us(ctx, me).await?;
    let r = ctx.store.photo(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    if r.owner != us.me.id {
        return Err(Error::NotFound);
    }
    if !ctx.store.delete_photo(us.couple_id, id, us.me.id).await? {
        return Err(Error::rejected(
            "This photo is part of the show-and-tell you’re in the middle of. Delete it once you’ve finished.",
        ));
    }
    ctx.media.delete(&all_keys(id)).await?;
    ctx.notify(us.couple_id, EventKind::Photos).await;
    Ok(())
}

/// Removes the files of photos whose rows are gone (the couple ended or an account was
/// deleted). The rows are gone already, so a failure here leaves only sealed orphans, which
/// [`sweep`] removes within the hour; the caller's change stands either way.
pub async fn forget(ctx: &Ctx, ids: &[PhotoId]) {
    let keys: Vec<String> = ids.iter().flat_map(all_keys).collect();
    let _ = ctx.media.delete(&keys).await;
}

/// Deletes objects that belong to no photo and are older than [`ORPHAN_AFTER`] (younger ones
/// may be an upload whose row is being written). Returns how many objects went.
pub async fn sweep(ctx: &Ctx) -> Result<u64> {
    let objects = ctx.media.list(PREFIX).await?;
    let before = ctx.now() - ORPHAN_AFTER;
    let mut ids: Vec<PhotoId> = objects.iter().filter_map(|o| id_of_key(&o.key)).collect();
    ids.sort();
    ids.dedup();
    let mut existing = Vec::new();
    for chunk in ids.chunks(500) {
        existing.extend(ctx.store.existing_photos(chunk).await?);
    }
    let existing: std::collections::HashSet<PhotoId> = existing.into_iter().collect();
    let orphans: Vec<String> = objects
        .into_iter()
        .filter(|o| o.modified < before)
        .filter(|o| id_of_key(&o.key).is_none_or(|id| !existing.contains(&id)))
        .map(|o| o.key)
        .collect();
    ctx.media.delete(&orphans).await?;
    Ok(orphans.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unguessable_and_parsed_strictly() {
        let a = PhotoId::generate();
        assert_eq!(a.as_str().len(), 22);
        assert_ne!(a, PhotoId::generate());
        assert_eq!(PhotoId::parse(a.as_str()), Some(a.clone()));
        assert_eq!(PhotoId::parse("../../etc/passwd"), None);
        assert_eq!(PhotoId::parse("short"), None);
        assert_eq!(PhotoId::parse(&"a".repeat(23)), None);
        assert_eq!(id_of_key(&object_key(&a, Size::Screen)), Some(a));
        assert_eq!(id_of_key("photos/nope/full.jpg"), None);
    }
}
