//! Static assets, built into the binary and served under content-hashed names, so browsers
//! may cache them for a year and still never see a stale file after an upgrade.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    /// The name with its hash, as used in URLs: `app.3f2a9c1b.css`.
    hashed: String,
    body: &'static [u8],
    content_type: &'static str,
}

const FILES: &[(&str, &[u8], &str)] = &[
    ("app.css", include_bytes!("../static/app.css"), "text/css; charset=utf-8"),
    ("app.js", include_bytes!("../static/app.js"), "text/javascript; charset=utf-8"),
    ("icon.svg", include_bytes!("../static/icon.svg"), "image/svg+xml"),
    // Home-screen icons, drawn from icon.svg by scripts/make-icons.
    ("icon-192.png", include_bytes!("../static/icon-192.png"), "image/png"),
    ("icon-512.png", include_bytes!("../static/icon-512.png"), "image/png"),
    ("icon-maskable-512.png", include_bytes!("../static/icon-maskable-512.png"), "image/png"),
    ("apple-touch-icon.png", include_bytes!("../static/apple-touch-icon.png"), "image/png"),
];

fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, body, content_type)| {
                let digest = hex::encode(&Sha256::digest(body)[..6]);
                let hashed = match name.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{digest}.{ext}"),
                    None => format!("{name}.{digest}"),
                };
                Asset { hashed, body, content_type }
            })
            .collect()
    })
}

/// The URL of an asset by its plain name, e.g. `url("app.css")` → `/static/app.1a2b3c4d5e6f.css`.
pub fn url(name: &str) -> String {
    FILES
        .iter()
        .zip(assets())
        .find(|((plain, ..), _)| *plain == name)
        .map(|(_, a)| format!("/static/{}", a.hashed))
        .unwrap_or_default()
}

/// The URLs of every asset, for the service worker to keep for offline use.
pub fn urls() -> impl Iterator<Item = String> {
    assets().iter().map(|a| format!("/static/{}", a.hashed))
}

pub async fn serve(Path(name): Path<String>) -> Response {
    match assets().iter().find(|a| a.hashed == name) {
        Some(a) => (
            [(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
            a.body,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response(),
    }
}
