//! Who is asking, for every request: a browser session cookie on pages, a bearer token on
//! the API (never a cookie there, so the API needs no CSRF defence), and the CSRF token
//! every state-changing form must carry.

use crate::AppState;
use crate::error::{ApiError, PageError};
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};
use tend_domain::auth::{self, Authenticated, Client, Via};
use tend_domain::secret::{self, Secret};

pub const SESSION_COOKIE: &str = "tend_session";
pub const CSRF_COOKIE: &str = "tend_csrf";
pub const CSRF_FIELD: &str = "csrf";

/// The caller, if any, as resolved once per request by [`resolve`].
#[derive(Clone, Debug, Default)]
pub struct MaybeUser(pub Option<Authenticated>);

/// The token a form on this page must send back.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// Where the request came from.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo(pub Client);

/// Middleware: resolves the caller and the CSRF token, and hands a browser without one an
/// anonymous CSRF cookie (double-submit) so log-in and sign-up forms are protected too.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_public_file(path) {
        // The same for everyone: no session to read, no cookie to set.
        return next.run(req).await;
    }
    let is_api = path.starts_with("/api/");
    let wants_csrf = !is_api;
    let jar = CookieJar::from_headers(req.headers());
    let client = client_info(&state, &req);

    let resolved = if is_api {
        match bearer(req.headers()) {
            Some(token) => auth::by_api_token(&state.ctx, token).await,
            None => Ok(None),
        }
    } else {
        match jar.get(SESSION_COOKIE) {
            Some(cookie) => auth::by_session_token(&state.ctx, cookie.value()).await,
            None => Ok(None),
        }
    };
    let user = match resolved {
        Ok(user) => user,
        Err(e) if is_api => return ApiError::from(e).into_response(),
        Err(e) => return PageError::from(e).into_response(),
    };

    let mut new_csrf_cookie = None;
    let csrf = match &user {
        Some(Authenticated { via: Via::Session { csrf_token, .. }, .. }) => csrf_token.clone(),
        _ => match jar.get(CSRF_COOKIE).map(|c| c.value().to_owned()).filter(|v| v.len() >= 32 && v.len() <= 64) {
            Some(value) => value,
            None => {
                let value = Secret::generate("").expose().to_owned();
                if wants_csrf {
                    new_csrf_cookie = Some(cookie(&state, CSRF_COOKIE, value.clone(), None));
                }
                value
            }
        },
    };

    let layout = crate::pages::Layout::new(user.as_ref(), &CsrfToken(csrf.clone()), "");
    req.extensions_mut().insert(MaybeUser(user));
    req.extensions_mut().insert(CsrfToken(csrf));
    req.extensions_mut().insert(ClientInfo(client));
    let mut response = crate::error::with_layout(next.run(req).await, layout);
    if let Some(c) = new_csrf_cookie {
        set_cookie(&mut response, c);
    }
    response
}

/// Addresses whose answer is the same whoever asks: static assets and the health check.
fn is_public_file(path: &str) -> bool {
    path.starts_with("/static/") || path == "/healthz"
}

/// The header a script may send the CSRF token in, instead of the form field.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Proof, left on a request by [`require_csrf`], that its CSRF token was checked.
#[derive(Clone, Copy, Debug)]
struct CsrfChecked;

/// Middleware for every request outside `/api/`: anything but GET and HEAD must carry this
/// browser's CSRF token, in the `csrf` field of a URL-encoded form or in the `X-CSRF-Token`
/// header, or it is refused with 403 before any handler runs. It sits inside [`resolve`]
/// (which finds the expected token) and covers every page route, present and future, by
/// path rather than by a list; the API is exempt because it takes bearer tokens, never
/// cookies.
/// Paths whose POST carries its own secret in the address and comes from outside Tend's
/// pages: the one-click email unsubscribe (RFC 8058), posted by a mail program.
pub const CSRF_EXEMPT: &[&str] = &["/reminders/stop/"];

pub async fn require_csrf(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if matches!(*req.method(), Method::GET | Method::HEAD) || path.starts_with("/api/") {
        return next.run(req).await;
    }
    if takes_multipart(path) && is_multipart(req.headers()) {
        // A photo is too large to read here; its handler checks the `csrf` field, which the
        // form sends before the photo, and reads no byte of the photo without it.
        return next.run(req).await;
    }
    if CSRF_EXEMPT.iter().any(|prefix| path.starts_with(prefix)) {
        // Its handler reads no form, so a form can never pass through unchecked.
        return next.run(req).await;
    }
    let expected = req.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
    let (mut parts, body) = req.into_parts();
    let in_header = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (sent, body) = match in_header {
        Some(sent) => (sent, body),
        None if is_form(&parts.headers) => {
            let bytes = match axum::body::to_bytes(body, crate::router::BODY_LIMIT).await {
                Ok(bytes) => bytes,
                Err(_) => return too_large_or_unreadable(&parts.headers).into_response(),
            };
            let field: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField { csrf: String::new() });
            (field.csrf, Body::from(bytes))
        }
        None => (String::new(), body),
    };
    if expected.is_empty() || !secret::same(&sent, &expected) {
        return csrf_refused().into_response();
    }
    parts.extensions.insert(CsrfChecked);
    next.run(Request::from_parts(parts, body)).await
}

/// The page address that takes `multipart/form-data` for photo uploads.
pub const MULTIPART_UPLOAD: &str = "/photos";
/// "How was it?" after a plan to play, with an optional photo: multipart too.
pub const PLAY_AFTERWARDS: &str = "/play/plans/{id}/afterwards";

/// The page addresses that take `multipart/form-data`, whose handlers check the `csrf` field
/// themselves before any photo: [`MULTIPART_UPLOAD`] and [`PLAY_AFTERWARDS`].
pub fn takes_multipart(path: &str) -> bool {
    let plan = path.strip_prefix("/play/plans/").and_then(|rest| rest.strip_suffix("/afterwards"));
    path == MULTIPART_UPLOAD || plan.is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("multipart/form-data")))
}

/// Whether a token sent in a form field is this browser's, for handlers that read their own
/// form (see [`MULTIPART_UPLOAD`]).
pub fn csrf_matches(sent: &str, expected: &CsrfToken) -> bool {
    !expected.0.is_empty() && secret::same(sent, &expected.0)
}

pub fn csrf_refused() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "This form has expired",
        "For your safety, Tend only accepts forms from its own pages. Please go back, reload the page and try again.",
    )
}

fn is_form(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    })
}

/// A body that could not be read whole: too large (by its length or as it streamed), or broken.
fn too_large_or_unreadable(headers: &HeaderMap) -> PageError {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_none_or(|n| n > crate::router::BODY_LIMIT) { too_large() } else { unreadable() }
}

fn too_large() -> PageError {
    PageError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "That’s a lot of text",
        "What you sent is larger than Tend accepts. Please shorten it and try again.",
    )
}

fn unreadable() -> PageError {
    PageError::new(
        StatusCode::BAD_REQUEST,
        "That didn’t work",
        "We couldn’t read what your browser sent. Please try again.",
    )
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn client_info(state: &AppState, req: &Request) -> Client {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = forwarded_for(req.headers(), state.config.client_ip_header(), state.config.trust_proxy)
        .or(peer)
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    Client { ip, user_agent }
}

/// The entries of a list header such as `X-Forwarded-For`, across repeated header lines, in
/// order, trimmed. An entry that is not text is kept, as empty, so positions stay honest.
fn header_list<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| value.as_bytes().split(|b| *b == b','))
        .map(|entry| std::str::from_utf8(entry).unwrap_or("").trim())
        .collect()
}

/// The client's address as the outermost of `hops` trusted proxies saw it.
///
/// Each proxy appends the address it was connected from, so the last `hops` entries of
/// `X-Forwarded-For` were written by proxies we trust and everything to their left by the
/// client, who may write anything. The entry `hops` from the right is the client's address;
/// `None` (use the connection's own peer address) when `hops` is 0, when there are fewer
/// entries than trusted hops, or when that entry is not an IP address.
///
/// `name` is the header to read: `X-Forwarded-For` unless the host named another that their
/// proxy sets, such as `X-Real-IP` (one entry, which the proxy overwrites) or
/// `CF-Connecting-IP`; the same rule applies to it.
pub fn forwarded_for(headers: &HeaderMap, name: &str, hops: u8) -> Option<IpAddr> {
    let hops = usize::from(hops);
    if hops == 0 {
        return None;
    }
    let entries = header_list(headers, name);
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    entry.parse::<IpAddr>().ok().or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// Whether the client reached the outermost trusted proxy over HTTPS, from
/// `X-Forwarded-Proto`, under the same rule as [`forwarded_for`]: nothing is read when
/// `hops` is 0, and only the last `hops` entries count. Proxies usually set this header once
/// rather than append to it, so the leftmost of those entries is taken.
pub fn forwarded_https(headers: &HeaderMap, hops: u8) -> bool {
    let hops = usize::from(hops);
    if hops == 0 {
        return false;
    }
    let entries = header_list(headers, "x-forwarded-proto");
    let from = entries.len().saturating_sub(hops);
    entries.get(from).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A cookie with Tend's defaults: HttpOnly, SameSite=Lax, Secure behind HTTPS.
pub fn cookie(state: &AppState, name: &'static str, value: String, max_age_days: Option<i64>) -> Cookie<'static> {
    let mut c = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .build();
    if let Some(days) = max_age_days {
        c.set_max_age(Some(time_days(days)));
    }
    c
}

fn time_days(days: i64) -> cookie::time::Duration {
    cookie::time::Duration::days(days)
}

pub fn set_cookie(response: &mut Response, cookie: Cookie<'static>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Tells the browser to forget a cookie.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new(), None);
    c.make_removal();
    c
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<MaybeUser>().cloned().unwrap_or_default())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<CsrfToken>().cloned().unwrap_or(CsrfToken(String::new())))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientInfo>().cloned().unwrap_or_default())
    }
}

/// A signed-in person on a page; anyone else is sent to log in and brought back after.
#[derive(Clone, Debug)]
pub struct SignedIn(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<MaybeUser>().and_then(|m| m.0.clone()) {
            Some(user @ Authenticated { via: Via::Session { .. }, .. }) => Ok(SignedIn(user)),
            _ => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/today");
                let target = if parts.method == axum::http::Method::GET {
                    format!("/login?next={}", urlencode(next))
                } else {
                    "/login".to_owned()
                };
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

/// A caller of the JSON API, proven by a bearer token.
#[derive(Clone, Debug)]
pub struct ApiCaller(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<MaybeUser>().and_then(|m| m.0.clone()) {
            Some(user @ Authenticated { via: Via::ApiToken { .. }, .. }) => Ok(ApiCaller(user)),
            _ => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Send a personal access token as `Authorization: Bearer tend_…`; create one in Settings or with POST /api/v1/auth/login.",
            )),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e.trim_start_matches('=').to_owned()).unwrap_or_default()
}

/// A URL-encoded form from one of Tend's pages. Its CSRF token was checked by
/// [`require_csrf`] before the handler ran; should that layer ever be missing, this refuses
/// the form rather than trust it. Wrong content types, oversized or malformed bodies each get
/// a friendly page.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if req.extensions().get::<CsrfChecked>().is_none() {
            tracing::error!(path = %req.uri().path(), "a form reached its handler without the CSRF layer");
            return Err(csrf_refused());
        }
        if !is_form(req.headers()) {
            return Err(PageError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "That didn’t work",
                "This address takes a form sent from Tend’s own pages. Please go back and use the form.",
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { unreadable() })?;
        serde_urlencoded::from_bytes(&body).map(CsrfForm).map_err(|_| {
            PageError::new(
                StatusCode::BAD_REQUEST,
                "That didn’t work",
                "Some of the form’s fields were not what we expected. Please go back and try again.",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    fn xff(values: &[&str], hops: u8) -> Option<String> {
        forwarded_for(&headers("x-forwarded-for", values), "x-forwarded-for", hops).map(|ip| ip.to_string())
    }

    #[test]
    fn no_trusted_proxy_reads_nothing() {
        assert_eq!(xff(&["203.0.113.7"], 0), None);
        assert_eq!(xff(&[], 1), None);
    }

    #[test]
    fn one_proxy_takes_the_rightmost_entry_whatever_the_client_wrote_before_it() {
        assert_eq!(xff(&["203.0.113.7"], 1).as_deref(), Some("203.0.113.7"));
        // The client sent "X-Forwarded-For: 1.1.1.1, 2.2.2.2"; the proxy appended what it saw.
        assert_eq!(xff(&["1.1.1.1, 2.2.2.2, 203.0.113.7"], 1).as_deref(), Some("203.0.113.7"));
        assert_eq!(xff(&["1.1.1.1", "203.0.113.7"], 1).as_deref(), Some("203.0.113.7"), "repeated header lines");
        assert_eq!(xff(&["not an address,  203.0.113.7  "], 1).as_deref(), Some("203.0.113.7"), "whitespace");
        assert_eq!(xff(&["1.1.1.1,2001:db8::1"], 1).as_deref(), Some("2001:db8::1"));
        assert_eq!(xff(&["203.0.113.7:4711"], 1).as_deref(), Some("203.0.113.7"), "with a port");
        assert_eq!(xff(&["[2001:db8::1]:4711"], 1).as_deref(), Some("2001:db8::1"));
    }

    #[test]
    fn n_proxies_take_the_nth_entry_from_the_right() {
        let chain = ["6.6.6.6, 203.0.113.7, 10.0.0.2, 10.0.0.3"];
        assert_eq!(xff(&chain, 1).as_deref(), Some("10.0.0.3"));
        assert_eq!(xff(&chain, 2).as_deref(), Some("10.0.0.2"));
        assert_eq!(xff(&chain, 3).as_deref(), Some("203.0.113.7"));
        assert_eq!(xff(&chain, 4).as_deref(), Some("6.6.6.6"), "only as honest as the configuration");
    }

    #[test]
    fn too_few_entries_or_garbage_falls_back_to_the_peer() {
        assert_eq!(xff(&["203.0.113.7"], 2), None, "fewer entries than trusted proxies");
        assert_eq!(xff(&["10.0.0.2, 10.0.0.3"], 3), None);
        assert_eq!(xff(&["203.0.113.7, unknown"], 1), None);
        assert_eq!(xff(&["203.0.113.7, "], 1), None, "an empty last entry");
        assert_eq!(xff(&[""], 1), None);
        assert_eq!(xff(&["203.0.113.7, 999.1.1.1"], 1), None);
        assert_eq!(xff(&["<script>, 203.0.113.7"], 2), None);
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", HeaderValue::from_bytes(b"\xff\xfe, 1.1.1.1").expect("opaque bytes"));
        h.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        assert_eq!(forwarded_for(&h, "x-forwarded-for", 1).map(|ip| ip.to_string()).as_deref(), Some("203.0.113.7"));
        assert_eq!(forwarded_for(&h, "x-forwarded-for", 3), None, "an entry that is not text is no address");
        // Another header the host names, read under the same rule; X-Forwarded-For is then
        // not read at all.
        h.append("x-real-ip", HeaderValue::from_static("198.51.100.4"));
        assert_eq!(forwarded_for(&h, "x-real-ip", 1).map(|ip| ip.to_string()).as_deref(), Some("198.51.100.4"));
        assert_eq!(forwarded_for(&h, "x-real-ip", 0), None, "nothing is read without a trusted proxy");
        assert_eq!(forwarded_for(&h, "cf-connecting-ip", 1), None, "a header that is not there");
    }

    #[test]
    fn forwarded_proto_follows_the_same_trust() {
        let https = |values: &[&str], hops| forwarded_https(&headers("x-forwarded-proto", values), hops);
        assert!(!https(&["https"], 0), "not read without a trusted proxy");
        assert!(https(&["https"], 1));
        assert!(https(&["HTTPS"], 1));
        assert!(!https(&["http"], 1));
        assert!(!https(&[], 1));
        assert!(!https(&["https, http"], 1), "the client's own value, left of the proxy's, is ignored");
        assert!(https(&["http, https"], 1));
        assert!(https(&["https, http"], 2), "two proxies: the outer one's value");
        assert!(https(&["https"], 2), "set once by the outer proxy and passed on");
        assert!(!https(&["https, http, http"], 2));
    }
}
