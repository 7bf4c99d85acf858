//! What the tests share: a folder of their own that is removed when they end.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tend_store_sqlite::SqliteOptions;

pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("tend-store-sqlite-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Self(dir)
    }

    #[allow(dead_code)] // not every test file uses it
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Options for `tend.db` in this folder, created if missing.
    pub fn options(&self) -> SqliteOptions {
        SqliteOptions {
            url: format!("sqlite://{}?mode=rwc", self.0.join("tend.db").display()),
            read_only: false,
            max_connections: 4,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

pub fn t(s: &str) -> jiff::Timestamp {
    s.parse().expect("timestamp")
}
