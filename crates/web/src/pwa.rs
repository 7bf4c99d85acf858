//! What makes Tend installable on a home screen: the web app manifest, the service worker
//! and the page it shows when the network is gone.
//!
//! The manifest and the worker name the assets by their hashed URLs, so both are built here
//! from [`assets`] rather than kept as static files.

use crate::assets;
use crate::error::render;
use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The light theme's page colour (`--bg` in app.css), as the `theme-color` metas say.
pub const BACKGROUND: &str = "#f7f3ec";

/// The page the service worker keeps for when the network fails.
pub const OFFLINE: &str = "/offline";

/// The worker's own code; [`service_worker`] puts the release's cache name and list above it.
const WORKER: &str = include_str!("../static/sw.js");

/// The web app manifest, as JSON.
pub fn manifest() -> serde_json::Value {
    let png = |name: &str, size: u32, purpose: &str| {
        serde_json::json!({
            "src": assets::url(name),
            "sizes": format!("{size}x{size}"),
            "type": "image/png",
            "purpose": purpose,
        })
    };
    serde_json::json!({
        "id": "/",
        "name": "Tend",
        "short_name": "Tend",
        "description": "A quiet, private space for the two of you.",
        "lang": "en",
        "dir": "ltr",
        "start_url": "/today",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": BACKGROUND,
        "categories": ["lifestyle"],
        "icons": [
            png("icon-192.png", 192, "any"),
            png("icon-512.png", 512, "any"),
            png("icon-maskable-512.png", 512, "maskable"),
            { "src": assets::url("icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any" },
        ],
    })
}

/// The URLs the service worker keeps on install: every static asset and the offline page.
pub fn precache() -> Vec<String> {
    assets::urls().chain([OFFLINE.to_owned()]).collect()
}

/// The service worker's full text. The cache name carries a hash of the list and the code,
/// so every release that changes either gets a fresh cache and the old one is deleted.
fn worker_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let list = serde_json::to_string(&precache()).unwrap_or_else(|_| "[]".into());
        let mut hasher = Sha256::new();
        hasher.update(list.as_bytes());
        hasher.update(WORKER.as_bytes());
        let version = hex::encode(&hasher.finalize()[..6]);
        format!("const CACHE = 'tend-{version}';\nconst PRECACHE = {list};\n\n{WORKER}")
    })
}

pub async fn serve_manifest() -> Response {
    let body = manifest().to_string();
    // It names hashed assets, which change with each release: always ask again.
    ([(header::CONTENT_TYPE, "application/manifest+json"), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

pub async fn service_worker() -> Response {
    // `no-cache`: the browser checks for a new worker on every visit, so upgrades arrive.
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], worker_source())
        .into_response()
}

#[derive(Template)]
#[template(path = "offline.html")]
pub struct OfflinePage {
    pub css: String,
    pub icon: String,
    pub apple_touch_icon: String,
}

/// The offline page: the same for everyone, needs no session and no database, so the worker
/// may keep it.
pub async fn offline() -> Response {
    let page = OfflinePage {
        css: assets::url("app.css"),
        icon: assets::url("icon.svg"),
        apple_touch_icon: assets::url("apple-touch-icon.png"),
    };
    let mut response = render(&page);
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
    response
}
