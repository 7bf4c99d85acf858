//! Photo objects at rest, in a folder and in a real S3-compatible bucket (started in-process by
//! `tend-s3-fixture`): sealed with their owner's key, bound to their name, listed and deleted,
//! and unreadable for good once the owner's key is gone.

use std::path::Path;
use tend_domain::UserId;
use tend_domain::photo::Media;
use tend_domain::store::{Gate, NewUserRecord, RegisterOutcome};
use tend_domain::time::TimeZoneName;
use tend_media::objects::{Objects, Place};
use tend_s3_fixture::S3Server;
use tend_store::testing::{TestDb, sqlite};

const PHOTO: &[u8] = b"\xFF\xD8 a photo of the cove, GPS 52.5200 13.4050, camera TendTestCam \xFF\xD9";

async fn person(db: &TestDb, email: &str) -> UserId {
    let new = NewUserRecord {
        email: email.into(),
        display_name: "P".into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    match db.store.register(&new, &Gate::Open, jiff::Timestamp::now()).await.expect("register") {
        RegisterOutcome::Created { user, .. } => user.id,
        other => panic!("{other:?}"),
    }
}

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).expect("read")));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The same checks on any place: sealed at rest, opened for its owner, bound to its name,
/// listed, deleted, and shredded with the owner's key.
async fn sealed_round_trip(db: &TestDb, objects: &Objects, at_rest: &Path) {
    let owner = person(db, "owner@example.org").await;
    let other = person(db, "other@example.org").await;
    let key = "photos/AAAAAAAAAAAAAAAAAAAAAA/full.jpg";
    objects.put(owner, key, PHOTO.to_vec()).await.expect("put");

    let stored: Vec<_> = files_under(at_rest);
    assert_eq!(stored.len(), 1, "one object on disk: {:?}", stored.iter().map(|f| &f.0).collect::<Vec<_>>());
    let raw = &stored[0].1;
    assert!(raw.len() > PHOTO.len(), "nonce and tag added");
    for secret in [&b"GPS 52.5200"[..], b"TendTestCam", b"cove", b"\xFF\xD8"] {
        assert!(!contains(&raw[24..], secret) && !raw.starts_with(b"\xFF\xD8"), "{secret:?} is sealed at rest");
    }
    assert_eq!(objects.raw(key).await.expect("raw").as_deref(), Some(raw.as_slice()));
    assert_eq!(objects.get(owner, key).await.expect("get").as_deref(), Some(PHOTO));
    objects.put(other, "photos/CCCCCCCCCCCCCCCCCCCCCC/full.jpg", b"theirs".to_vec()).await.expect("their key exists");
    assert!(objects.get(other, key).await.is_err(), "another person's key does not open it");
    objects.delete(&["photos/CCCCCCCCCCCCCCCCCCCCCC/full.jpg".to_owned()]).await.expect("delete");
    // Bound to its name: the same bytes under another key do not open.
    let moved = "photos/BBBBBBBBBBBBBBBBBBBBBB/full.jpg";
    objects.put(owner, moved, PHOTO.to_vec()).await.expect("put");
    let sealed_elsewhere = objects.raw(moved).await.expect("raw").expect("there");
    assert_ne!(sealed_elsewhere, *raw, "fresh nonce per object");

    let listed: Vec<String> = objects.list("photos/").await.expect("list").into_iter().map(|o| o.key).collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().any(|k| k == key) && listed.iter().any(|k| k == moved));
    objects.delete(&[moved.to_owned(), "photos/missing/thumb.jpg".to_owned()]).await.expect("delete, missing is fine");
    assert_eq!(objects.get(owner, moved).await.expect("get"), None);
    assert_eq!(objects.list("photos/").await.expect("list").len(), 1);

    // The owner's account goes: their key with it, and every copy of the object is noise.
    assert!(db.store.delete_user(owner, jiff::Timestamp::now()).await.expect("delete"));
    db.vault.as_ref().expect("vault").forget(owner);
    assert_eq!(objects.get(owner, key).await.expect("get"), None, "shredded: no key opens it");
    objects.delete(&[key.to_owned()]).await.expect("delete");
    assert!(objects.list("photos/").await.expect("list").is_empty());
}

#[tokio::test]
async fn a_folder_keeps_only_sealed_bytes() {
    let db = sqlite().await;
    let dir = tempfile::tempdir().expect("dir");
    let place = Place::Folder(dir.path().join("photos"));
    let objects = Objects::open(&place, db.vault.clone().expect("vault")).expect("open");
    sealed_round_trip(&db, &objects, &dir.path().join("photos")).await;
}

#[tokio::test]
async fn an_s3_bucket_keeps_only_sealed_bytes() {
    let db = sqlite().await;
    let s3 = S3Server::start().await;
    // Configured as a host would: TEND_MEDIA_URL and the standard AWS variables.
    let place = Place::parse(Some(&s3.media_url("tend")), Path::new("/unused")).expect("parses");
    assert!(matches!(&place, Place::Bucket { prefix, .. } if prefix == "tend"));
    let objects = Objects::open_with(&place, db.vault.clone().expect("vault"), s3.env()).expect("open");
    sealed_round_trip(&db, &objects, &s3.bucket_dir().join("tend")).await;
}

#[tokio::test]
async fn a_bucket_with_wrong_credentials_fails_loudly() {
    let db = sqlite().await;
    let s3 = S3Server::start().await;
    let place = Place::parse(Some(&s3.media_url("")), Path::new("/unused")).expect("parses");
    let env =
        s3.env().into_iter().map(|(k, v)| if k == "AWS_SECRET_ACCESS_KEY" { (k, "wrong".into()) } else { (k, v) });
    let objects = Objects::open_with(&place, db.vault.clone().expect("vault"), env).expect("open");
    let owner = person(&db, "owner@example.org").await;
    assert!(objects.put(owner, "photos/x/full.jpg", PHOTO.to_vec()).await.is_err(), "a refused write is an error");
    assert!(files_under(&s3.bucket_dir()).is_empty());
}
