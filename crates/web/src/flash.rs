//! A secret shown once, across a redirect. A new API token or calendar address is made by a
//! POST, which puts it in a short-lived cookie and redirects; the page the browser lands on
//! takes it out and clears the cookie. A reload then shows the page without it and never
//! makes a second token (the reload rule: every POST that creates something redirects).

use crate::AppState;
use crate::auth::{cookie, removal, set_cookie};
use axum::http::HeaderMap;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const NAME: &str = "tend_shown";

/// What is shown once: what it is (`token`, `calendar`) and its parts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shown {
    pub kind: String,
    pub parts: Vec<String>,
}

/// Adds the secret to a redirect, for at most two minutes.
pub fn put(state: &AppState, response: &mut Response, shown: &Shown) {
    let Ok(json) = serde_json::to_vec(shown) else { return };
    let mut c = cookie(state, NAME, URL_SAFE_NO_PAD.encode(json), None);
    c.set_max_age(Some(::cookie::time::Duration::minutes(2)));
    set_cookie(response, c);
}

/// The secret of `kind` the redirect carried, if any.
pub fn peek(headers: &HeaderMap, kind: &str) -> Option<Shown> {
    let jar = CookieJar::from_headers(headers);
    let raw = jar.get(NAME)?.value().to_owned();
    let shown: Shown = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
    (shown.kind == kind).then_some(shown)
}

/// Clears the cookie on the page that showed it.
pub fn clear(state: &AppState, response: &mut Response) {
    set_cookie(response, removal(state, NAME));
}
