//! `object_store`'s S3 client against the fixture server: put, get, list, delete, and refused credentials.

#![allow(clippy::unwrap_used)]

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use tend_s3_fixture::S3Server;

fn client(server: &S3Server, secret_key: &str) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(&server.endpoint)
        .with_bucket_name(&server.bucket)
        .with_access_key_id(&server.access_key)
        .with_secret_access_key(secret_key)
        .with_region(&server.region)
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .build()
        .unwrap()
}

/// Every key under `prefix`, sorted (`list` is a stream of pages of `ListObjectsV2`).
async fn keys(store: &AmazonS3, prefix: &str) -> Vec<String> {
    let metas: Vec<_> = store.list(Some(&Path::from(prefix))).try_collect().await.unwrap();
    let mut keys: Vec<String> = metas.into_iter().map(|m| m.location.to_string()).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn put_get_list_delete_roundtrip() {
    let server = S3Server::start().await;
    let store = client(&server, &server.secret_key);

    let path = Path::from("photos/household-1/abc.jpg");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let put = store.put(&path, PutPayload::from(bytes.clone())).await.unwrap();
    assert!(put.e_tag.is_some(), "S3 returns an ETag on put");

    let got = store.get(&path).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.as_ref(), bytes.as_slice());

    // Stored at rest as a plain file under the bucket's folder.
    let at_rest = std::fs::read(server.bucket_dir().join("photos/household-1/abc.jpg")).unwrap();
    assert_eq!(at_rest, bytes);

    let head = store.head(&path).await.unwrap();
    assert_eq!(head.size, bytes.len() as u64);

    let listed: Vec<_> = store.list(Some(&Path::from("photos/household-1"))).try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].location, path);
    assert_eq!(listed[0].size, bytes.len() as u64);
    assert!(keys(&store, "photos/household-2").await.is_empty());

    store.delete(&path).await.unwrap();
    assert!(keys(&store, "photos/household-1").await.is_empty());
    assert!(keys(&store, "").await.is_empty());
    assert!(matches!(store.get(&path).await, Err(object_store::Error::NotFound { .. })));
    assert!(!server.bucket_dir().join("photos/household-1/abc.jpg").exists());
}

#[tokio::test]
async fn list_sees_nested_objects_and_delimits() {
    let server = S3Server::start().await;
    let store = client(&server, &server.secret_key);
    for key in ["p/a.jpg", "p/sub/b.jpg", "q/c.jpg"] {
        store.put(&Path::from(key), PutPayload::from_static(b"x")).await.unwrap();
    }
    assert_eq!(keys(&store, "p").await, ["p/a.jpg", "p/sub/b.jpg"]);
    let level = store.list_with_delimiter(Some(&Path::from("p"))).await.unwrap();
    assert_eq!(level.objects.iter().map(|m| m.location.to_string()).collect::<Vec<_>>(), ["p/a.jpg"]);
    assert_eq!(level.common_prefixes, [Path::from("p/sub")]);
}

#[tokio::test]
async fn wrong_secret_key_is_refused() {
    let server = S3Server::start().await;
    let store = client(&server, "not-the-secret");
    let err = store.put(&Path::from("x.jpg"), PutPayload::from_static(b"nope")).await.unwrap_err();
    // 403 SignatureDoesNotMatch, which object_store reports as PermissionDenied.
    assert!(matches!(err, object_store::Error::PermissionDenied { .. }), "unexpected error: {err}");
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "unexpected error: {err}");
    assert!(!server.bucket_dir().join("x.jpg").exists());

    let err = store.get(&Path::from("x.jpg")).await.unwrap_err();
    assert!(matches!(err, object_store::Error::PermissionDenied { .. }), "unexpected error: {err}");
}

#[tokio::test]
async fn create_only_put_and_etags() {
    let server = S3Server::start().await;
    let store = client(&server, &server.secret_key);
    let path = Path::from("a.jpg");
    let create = PutOptions { mode: PutMode::Create, ..Default::default() };
    let put = store.put_opts(&path, PutPayload::from_static(b"hello"), create.clone()).await.unwrap();
    // The ETag of a single-part put is the MD5 of the bytes, quoted.
    assert_eq!(put.e_tag.as_deref(), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert_eq!(store.head(&path).await.unwrap().e_tag, put.e_tag);
    let again = store.put_opts(&path, PutPayload::from_static(b"other"), create).await.unwrap_err();
    assert!(matches!(again, object_store::Error::AlreadyExists { .. }), "unexpected error: {again}");
    assert_eq!(store.get(&path).await.unwrap().bytes().await.unwrap().as_ref(), b"hello");
}

#[tokio::test]
async fn env_and_media_url() {
    let server = S3Server::start().await;
    let env = server.env();
    let get = |k: &str| env.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("AWS_ENDPOINT_URL"), server.endpoint);
    assert_eq!(get("AWS_ALLOW_HTTP"), "true");
    assert_eq!(server.media_url("media"), format!("s3://{}/media", server.bucket));
    assert_eq!(server.media_url(""), format!("s3://{}", server.bucket));

    // The same settings, read the way a Tend process reads them, reach the bucket.
    let mut builder = AmazonS3Builder::new().with_bucket_name(&server.bucket);
    for (k, v) in &env {
        builder = builder.with_config(k.to_ascii_lowercase().parse().unwrap(), v);
    }
    let store = builder.build().unwrap();
    store.put(&Path::from("media/a.jpg"), PutPayload::from_static(b"a")).await.unwrap();
    assert!(server.bucket_dir().join("media/a.jpg").is_file());
}
