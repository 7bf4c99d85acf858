//! Tend on a home screen: the web app manifest, its icons, the service worker and the
//! offline page it keeps.

use crate::support;

use reqwest::StatusCode;
use serde_json::Value;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR", "a PNG");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (word(16), word(20))
}

async fn the_manifest_names_served_icons(db: TestDb) {
    let app = spawn(db).await;
    let b = app.browser();
    let r = b.get("/manifest.webmanifest").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "application/manifest+json");
    let manifest: Value = serde_json::from_str(&r.text().await.expect("body")).expect("JSON");

    assert_eq!(manifest["name"], "Tend");
    assert_eq!(manifest["short_name"], "Tend");
    assert_eq!(manifest["start_url"], "/today");
    assert_eq!(manifest["scope"], "/");
    assert_eq!(manifest["display"], "standalone");
    // The light theme: the page colour in app.css, and the theme-color the pages announce.
    let (_, page) = b.page("/").await;
    let css = include_str!("../../static/app.css");
    for key in ["background_color", "theme_color"] {
        let color = manifest[key].as_str().expect(key);
        assert!(css.contains(&format!("--bg: {color};")), "{key} {color} is the light --bg");
        assert!(
            page.contains(&format!(
                r#"<meta name="theme-color" content="{color}" media="(prefers-color-scheme: light)">"#
            )),
            "{key} {color} matches the light theme-color meta"
        );
    }

    let icons = manifest["icons"].as_array().expect("icons");
    let has = |sizes: &str, kind: &str, purpose: &str| {
        icons.iter().any(|i| i["sizes"] == sizes && i["type"] == kind && i["purpose"] == purpose)
    };
    assert!(has("192x192", "image/png", "any"), "{icons:?}");
    assert!(has("512x512", "image/png", "any"), "{icons:?}");
    assert!(has("512x512", "image/png", "maskable"), "{icons:?}");
    assert!(has("any", "image/svg+xml", "any"), "{icons:?}");
    for icon in icons {
        let src = icon["src"].as_str().expect("src");
        assert!(src.starts_with("/static/"), "a hashed asset: {src}");
        let r = b.get(src).await;
        assert_eq!(r.status(), StatusCode::OK, "{src}");
        assert_eq!(header(&r, "content-type"), icon["type"].as_str().expect("type"), "{src}");
        assert!(header(&r, "cache-control").contains("immutable"), "{src}");
        let bytes = r.bytes().await.expect("body");
        if let Some((w, h)) = icon["sizes"].as_str().expect("sizes").split_once('x') {
            assert_eq!(png_size(&bytes), (w.parse().expect("w"), h.parse().expect("h")), "{src}");
        }
    }

    // Every page links the manifest and a touch icon for iOS.
    assert!(page.contains(r#"<link rel="manifest" href="/manifest.webmanifest">"#), "{page}");
    let touch = attr_after(&page, r#"<link rel="apple-touch-icon" href=""#).expect("apple-touch-icon");
    let r = b.get(&touch).await;
    assert_eq!(r.status(), StatusCode::OK, "{touch}");
    assert_eq!(header(&r, "content-type"), "image/png");
    assert_eq!(png_size(&r.bytes().await.expect("body")), (180, 180));
    // And the policy lets the browser read the manifest and run the worker.
    let csp = header(&b.get("/").await, "content-security-policy");
    assert!(csp.contains("manifest-src 'self'") && csp.contains("script-src 'self'"), "{csp}");
}

async fn the_service_worker_precaches_assets_and_nothing_private(db: TestDb) {
    let app = spawn(db).await;
    let b = app.browser();
    let r = b.get("/sw.js").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/javascript; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "no-cache", "updates are picked up");
    let sw = r.text().await.expect("body");

    let line = sw.lines().find_map(|l| l.strip_prefix("const PRECACHE = ")).expect("a PRECACHE list");
    let list: Vec<String> = serde_json::from_str(line.trim_end_matches(';')).expect("a JSON list");
    assert_eq!(list, tend_web::pwa::precache());
    for url in &list {
        assert!(url.starts_with("/static/") || url == "/offline", "only public things are kept: {url}");
    }
    assert!(list.iter().any(|u| u == "/offline"));
    // Each asset by its hashed URL, including the ones the pages and the manifest name.
    for url in tend_web::assets::urls() {
        assert!(list.contains(&url), "{url} precached");
    }
    let (_, page) = b.page("/").await;
    for marker in [r#"<link rel="stylesheet" href=""#, r#"<script type="module" src=""#, r#"<link rel="icon" href=""#] {
        let url = attr_after(&page, marker).expect(marker);
        assert!(list.contains(&url), "{url} precached");
        assert_eq!(b.get(&url).await.status(), StatusCode::OK, "{url}");
    }
    let manifest: Value = b.get("/manifest.webmanifest").await.json().await.expect("JSON");
    for icon in manifest["icons"].as_array().expect("icons") {
        let src = icon["src"].as_str().expect("src").to_owned();
        assert!(list.contains(&src), "{src} precached");
    }
    // A cache name per release, so activation can delete the old ones; and the handlers.
    assert!(sw.lines().any(|l| l.starts_with("const CACHE = 'tend-")), "{sw}");
    for handler in ["'install'", "'activate'", "'fetch'", "'notificationclick'"] {
        assert!(sw.contains(&format!("addEventListener({handler}")), "{handler}");
    }

    // Pages register it, from their own script.
    let js = attr_after(&page, r#"<script type="module" src=""#).expect("script");
    let js = b.get(&js).await.text().await.expect("body");
    assert!(js.contains("navigator.serviceWorker.register('/sw.js'"), "app.js registers the worker");
}

async fn the_offline_page_needs_no_session(db: TestDb) {
    let app = spawn(db).await;
    // A client with no cookies at all, as the worker's install fetch may be.
    let r = reqwest::get(app.url("/offline")).await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "no-cache");
    assert!(header(&r, "content-security-policy").contains("default-src 'none'"));
    let html = r.text().await.expect("body");
    assert!(html.contains("You’re offline"), "{html}");
    assert!(html.contains("Tend needs a connection to keep your shared space in step"), "{html}");
    assert!(html.contains(">Try again</a>"), "{html}");
    assert!(!html.contains("csrf") && !html.contains("<script"), "nothing personal, nothing to run: {html}");
    assert!(!html.contains("style=\""), "no inline style");

    // The same for someone signed in: it knows nobody.
    let b = app.browser();
    b.sign_up("Alex", "alex@example.org", None).await;
    let (status, signed_in) = b.page("/offline").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(signed_in, html);
}

both_backends!(
    the_manifest_names_served_icons,
    the_service_worker_precaches_assets_and_nothing_private,
    the_offline_page_needs_no_session
);
