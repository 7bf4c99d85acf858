//! Static assets, built into the binary and served under content-hashed names, so browsers
//! may cache them for a year and still never see a stale file after an upgrade. Text assets
//! are compressed once, with brotli and gzip, the first time a browser asks for them so.

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::OnceLock;

struct Asset {
    /// The name with its hash, as used in URLs: `app.3f2a9c1b.css`.
    hashed: String,
    body: &'static [u8],
    content_type: &'static str,
    /// Compressed bodies, made at first need (text only: images are compressed already).
    brotli: OnceLock<Vec<u8>>,
    gzip: OnceLock<Vec<u8>>,
}

impl Asset {
    fn compressible(&self) -> bool {
        self.content_type.starts_with("text/") || self.content_type == "image/svg+xml"
    }

    fn brotli(&self) -> &[u8] {
        self.brotli.get_or_init(|| {
            let mut out = Vec::with_capacity(self.body.len() / 4);
            let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
            // A failure leaves nothing, and the plain body is served instead.
            brotli::BrotliCompress(&mut &*self.body, &mut out, &params).map(|_| out).unwrap_or_default()
        })
    }

    fn gzip(&self) -> &[u8] {
        self.gzip.get_or_init(|| {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(self.body).and_then(|()| encoder.finish()).unwrap_or_default()
        })
    }
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
                Asset { hashed, body, content_type, brotli: OnceLock::new(), gzip: OnceLock::new() }
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

pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(a) = assets().iter().find(|a| a.hashed == name) else {
        return (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response();
    };
    let (encoding, body): (Option<&'static str>, &'static [u8]) = if !a.compressible() {
        (None, a.body)
    } else if accepts(&headers, "br") && !a.brotli().is_empty() {
        (Some("br"), a.brotli())
    } else if accepts(&headers, "gzip") && !a.gzip().is_empty() {
        (Some("gzip"), a.gzip())
    } else {
        (None, a.body)
    };
    let mut response = (
        [(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")],
        body,
    )
        .into_response();
    if a.compressible() {
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some(encoding) = encoding {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Whether the request's `Accept-Encoding` takes this coding (and not with `q=0`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let named = parts.next().is_some_and(|name| name.eq_ignore_ascii_case(coding));
            let refused =
                parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)));
            named && !refused
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).expect("a header value"));
        headers
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&with("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&with("gzip;q=1.0, br;q=0.5"), "br"));
        assert!(!accepts(&with("gzip, br;q=0"), "br"));
        assert!(accepts(&with("gzip, br;q=0"), "gzip"));
        assert!(!accepts(&with("identity"), "gzip"));
        assert!(!accepts(&HeaderMap::new(), "br"));
    }

    #[test]
    fn compressed_bodies_decompress_to_the_file() {
        let css =
            assets().iter().find(|a| a.hashed.starts_with("app.") && a.hashed.ends_with(".css")).expect("app.css");
        assert!(css.brotli().len() < css.body.len() / 3, "brotli: {} of {}", css.brotli().len(), css.body.len());
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut css.brotli(), &mut unbrotli).expect("brotli decodes");
        assert_eq!(unbrotli, css.body);
        let mut ungzip = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(css.gzip()), &mut ungzip).expect("gzip decodes");
        assert_eq!(ungzip, css.body);
    }
}
