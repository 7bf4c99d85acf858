//! Where photo bytes are kept: a folder in the data directory by default, or an S3-compatible
//! bucket when `TEND_MEDIA_URL=s3://bucket/prefix`, both through `object_store`. Every object
//! is sealed with its owner's data key (see `tend_store::vault`) before it is written, so what
//! lies in the folder, the bucket or any backup of them opens only while that person's key
//! exists.

use async_trait::async_trait;
use futures_util::TryStreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;
use tend_domain::UserId;
use tend_domain::photo::{Media, Object};
use tend_domain::store::{StoreError, StoreResult};
use tend_store::Vault;

/// Photo objects, sealed.
#[derive(Clone)]
pub struct Objects {
    store: Arc<dyn ObjectStore>,
    vault: Vault,
    place: String,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects").field("place", &self.place).finish_non_exhaustive()
    }
}

fn broken(what: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("photo storage: {what}"))
}

/// Where the photos go, parsed from `TEND_MEDIA_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A folder (the default: `photos/` in the data directory).
    Folder(std::path::PathBuf),
    /// An S3-compatible bucket, with an optional prefix inside it.
    Bucket { bucket: String, prefix: String },
    /// Kept in memory only, for tests.
    Memory,
}

impl Place {
    /// Reads `TEND_MEDIA_URL`: unset or empty means `photos/` in `data_dir`; `file:///srv/photos`
    /// or a plain path means that folder; `s3://bucket/prefix` means that bucket.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> Result<Self, String> {
        let url = url.map(str::trim).unwrap_or_default();
        if url.is_empty() {
            return Ok(Self::Folder(data_dir.join("photos")));
        }
        if url == "memory:" {
            return Ok(Self::Memory);
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(format!("TEND_MEDIA_URL {url:?} names no bucket: use s3://bucket/prefix"));
            }
            return Ok(Self::Bucket { bucket: bucket.to_owned(), prefix: prefix.trim_matches('/').to_owned() });
        }
        if let Some(path) = url.strip_prefix("file://") {
            return Ok(Self::Folder(path.into()));
        }
        if url.contains("://") {
            return Err(format!(
                "TEND_MEDIA_URL {url:?} is not understood: use a folder path, file:///path or s3://bucket/prefix"
            ));
        }
        Ok(Self::Folder(url.into()))
    }

    /// Where, in words for the host (no secrets: credentials come from the AWS variables).
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(p) => format!("folder {}", p.display()),
            Self::Bucket { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Self::Memory => "memory".to_owned(),
        }
    }
}

impl Objects {
    /// Opens the place, making the folder if needed. A bucket takes its credentials, region and
    /// endpoint from the standard AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ENDPOINT_URL`, and `AWS_ALLOW_HTTP=true` for a plain-HTTP endpoint).
    pub fn open(place: &Place, vault: Vault) -> Result<Self, String> {
        Self::open_with(place, vault, std::env::vars())
    }

    /// [`Objects::open`] with the AWS settings taken from `env` (`AWS_*` pairs) instead of the
    /// process environment.
    pub fn open_with(
        place: &Place,
        vault: Vault,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, String> {
        let store: Arc<dyn ObjectStore> = match place {
            Place::Folder(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("the photo folder {} could not be made: {e}", dir.display()))?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("the photo folder {} cannot be used: {e}", dir.display()))?;
                Arc::new(fs)
            }
            Place::Bucket { bucket, prefix } => {
                let mut builder = object_store::aws::AmazonS3Builder::new();
                let mut endpoint = false;
                for (name, value) in env {
                    let Some(key) = name.strip_prefix("AWS_").map(|k| format!("aws_{}", k.to_ascii_lowercase())) else {
                        continue;
                    };
                    // Variables object_store has no use for (AWS_PROFILE, …) are left alone.
                    if let Ok(key) = key.parse::<object_store::aws::AmazonS3ConfigKey>() {
                        endpoint |= key == object_store::aws::AmazonS3ConfigKey::Endpoint;
                        builder = builder.with_config(key, value);
                    }
                }
                builder = builder.with_bucket_name(bucket);
                // Self-hosted S3 servers (MinIO, Garage, SeaweedFS) mostly want path-style
                // requests; AWS itself takes both.
                if endpoint {
                    builder = builder.with_virtual_hosted_style_request(false);
                }
                let s3 = builder.build().map_err(|e| format!("the photo bucket s3://{bucket} cannot be used: {e}"))?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(s3, prefix.as_str()))
                }
            }
            Place::Memory => Arc::new(object_store::memory::InMemory::new()),
        };
        Ok(Self { store, vault, place: place.describe() })
    }

    /// Over any `object_store` (tests build an S3 client by hand).
    pub fn over(store: Arc<dyn ObjectStore>, vault: Vault, place: impl Into<String>) -> Self {
        Self { store, vault, place: place.into() }
    }

    /// Where the objects are, for logs.
    pub fn place(&self) -> &str {
        &self.place
    }

    /// Copies every photo object, still sealed, into `dir` under its own key (`tend backup`
    /// writes them beside the database copy). Returns how many objects were copied.
    pub async fn copy_to_folder(&self, dir: &Path) -> StoreResult<u64> {
        let mut copied = 0;
        for object in self.list(tend_domain::photo::PREFIX).await? {
            let Some(bytes) = self.raw(&object.key).await? else { continue };
            let target = dir.join(&object.key);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(broken)?;
            }
            std::fs::write(&target, bytes).map_err(broken)?;
            copied += 1;
        }
        Ok(copied)
    }

    /// The raw, still sealed bytes under `key` (for backups and for tests that look at rest).
    pub async fn raw(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(broken)?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(broken(e)),
        }
    }
}

#[async_trait]
impl Media for Objects {
    async fn put(&self, owner: UserId, key: &str, bytes: Vec<u8>) -> StoreResult<()> {
        let sealed = self.vault.seal_bytes(owner, key, &bytes).await?;
        self.store.put(&ObjectPath::from(key), PutPayload::from(sealed)).await.map_err(broken)?;
        Ok(())
    }

    async fn get(&self, owner: UserId, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let Some(sealed) = self.raw(key).await? else { return Ok(None) };
        self.vault.open_bytes(owner, key, &sealed).await
    }

    async fn delete(&self, keys: &[String]) -> StoreResult<()> {
        for key in keys {
            match self.store.delete(&ObjectPath::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(broken(e)),
            }
        }
        Ok(())
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<Object>> {
        let prefix = ObjectPath::from(prefix);
        let found: Vec<object_store::ObjectMeta> =
            self.store.list(Some(&prefix)).try_collect().await.map_err(broken)?;
        found
            .into_iter()
            .map(|m| {
                let modified = jiff::Timestamp::from_millisecond(m.last_modified.timestamp_millis()).map_err(broken)?;
                Ok(Object { key: m.location.to_string(), modified })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_urls_are_read_or_refused_plainly() {
        let data = Path::new("/srv/tend");
        assert_eq!(Place::parse(None, data), Ok(Place::Folder("/srv/tend/photos".into())));
        assert_eq!(Place::parse(Some(" "), data), Ok(Place::Folder("/srv/tend/photos".into())));
        assert_eq!(Place::parse(Some("file:///mnt/p"), data), Ok(Place::Folder("/mnt/p".into())));
        assert_eq!(
            Place::parse(Some("s3://ours/tend/photos/"), data),
            Ok(Place::Bucket { bucket: "ours".into(), prefix: "tend/photos".into() })
        );
        assert_eq!(
            Place::parse(Some("s3://ours"), data),
            Ok(Place::Bucket { bucket: "ours".into(), prefix: String::new() })
        );
        assert!(Place::parse(Some("s3:///x"), data).is_err());
        assert!(Place::parse(Some("gs://bucket"), data).is_err());
    }
}
