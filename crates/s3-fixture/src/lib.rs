//! Test support: a real S3-compatible server (s3s + s3s-fs over a temporary folder) started in-process, so
//! Tend's photo storage can be tested against S3 without Docker, downloads or a network.
//!
//! Only path-style requests are served (`http://127.0.0.1:PORT/BUCKET/KEY`): clients must not use
//! virtual-hosted-style requests. Requests must be signed (signature v4) with the server's keys; the region is
//! not checked, any region signs correctly.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::{S3Service, S3ServiceBuilder};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The one bucket every server starts with.
pub const BUCKET: &str = "tend-photos";
/// The access key the server accepts.
pub const ACCESS_KEY: &str = "tend-fixture-access-key";
/// The secret key the server accepts.
pub const SECRET_KEY: &str = "tend-fixture-secret-key";
/// The region clients should sign for (the server accepts any).
pub const REGION: &str = "us-east-1";

/// A running S3-compatible server over a temporary folder. Dropping it stops the server (and every open
/// connection) and removes the folder.
#[derive(Debug)]
pub struct S3Server {
    /// Base URL of the server, e.g. `http://127.0.0.1:PORT` (no trailing slash).
    pub endpoint: String,
    /// The bucket, created empty at start.
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    root: TempDir,
    task: JoinHandle<()>,
}

impl S3Server {
    /// Starts a server on 127.0.0.1:0 over a fresh temporary folder, with one empty bucket; credentials checked
    /// (signature v4).
    ///
    /// Must be called inside a Tokio runtime; the server runs on that runtime's tasks.
    ///
    /// # Panics
    /// If the folder or the listening socket cannot be made.
    pub async fn start() -> S3Server {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("start the S3 fixture server")
    }

    /// Starts a server listening on `addr` (port 0: any free port), as [`S3Server::start`] does.
    ///
    /// # Errors
    /// If the temporary folder or the listening socket cannot be made.
    pub async fn start_on(addr: SocketAddr) -> io::Result<S3Server> {
        let root = tempfile::Builder::new().prefix("tend-s3-fixture-").tempdir()?;
        // A bucket of s3s-fs is a folder under the root: making it is all `CreateBucket` does.
        std::fs::create_dir(root.path().join(BUCKET))?;
        let fs = s3s_fs::FileSystem::new(root.path()).map_err(|e| io::Error::other(format!("s3s-fs: {e:?}")))?;
        let service = {
            let mut builder = S3ServiceBuilder::new(fs);
            builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
            builder.build()
        };

        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let task = tokio::spawn(serve(listener, service));

        Ok(S3Server {
            endpoint: format!("http://{local}"),
            bucket: BUCKET.to_owned(),
            access_key: ACCESS_KEY.to_owned(),
            secret_key: SECRET_KEY.to_owned(),
            region: REGION.to_owned(),
            root,
            task,
        })
    }

    /// The folder holding the bucket's files, so tests can look at what is stored at rest: the object `a/b.jpg`
    /// is the file `bucket_dir()/a/b.jpg`, byte for byte. (s3s-fs keeps its own metadata beside this folder, not
    /// in it.)
    pub fn bucket_dir(&self) -> PathBuf {
        self.root.path().join(&self.bucket)
    }

    /// The environment a Tend process needs to use this bucket (`object_store`'s `AmazonS3Builder::from_env`
    /// reads these).
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ACCESS_KEY_ID", self.access_key.as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_key.as_str()),
            ("AWS_REGION", self.region.as_str()),
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_ALLOW_HTTP", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The media URL `s3://{bucket}/{prefix}` for this bucket (slashes around `prefix` are trimmed; an empty
    /// prefix gives `s3://{bucket}`).
    pub fn media_url(&self, prefix: &str) -> String {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() { format!("s3://{}", self.bucket) } else { format!("s3://{}/{prefix}", self.bucket) }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection task.
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, service: S3Service) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // E.g. too many open files: wait a little rather than spin.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let service = service.clone();
        connections.spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}
