//! One line per request at `info`, for the host: method, route, status, latency, client address
//! and a request id, which the response carries too (`X-Request-Id`) so a person reporting a
//! problem can quote it. The route is the pattern the request matched (`/questions/{id}`),
//! never the path or query as sent: those can carry a search for a couple's own words or an
//! invite's secret.

use crate::AppState;
use crate::auth::forwarded_for;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Logs the request once it has an answer, inside a span that carries its id, so that any
/// other line logged while answering it names the same id.
pub async fn log(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&state, &req);
    let method = req.method().clone();
    let version = req.version();
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str).to_owned();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let client = forwarded_for(req.headers(), state.config.client_ip_header(), state.config.trust_proxy).or(peer);
    let span = tracing::info_span!("request", id = %id);
    let mut response = next.run(req).instrument(span.clone()).await;
    let latency = started.elapsed();
    span.in_scope(|| {
        tracing::info!(
            target: "tend::access",
            method = %method,
            route = %route,
            status = response.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1000.0,
            client = %client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            "request"
        );
    });
    // For /metrics, when the host turned it on (a no-op otherwise).
    let status = response.status().as_u16().to_string();
    metrics::counter!("tend_http_requests_total", "method" => method.to_string(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("tend_http_request_duration_seconds", "route" => route).record(latency.as_secs_f64());
    // A body refused as too large was not read to its end, so this connection cannot carry
    // another request: say so, or a client would reuse it and have its next request cut off.
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && version <= axum::http::Version::HTTP_11 {
        response.headers_mut().insert(axum::http::header::CONNECTION, HeaderValue::from_static("close"));
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

/// The id a trusted proxy gave the request (so its log and Tend's line up), else a new one.
/// A client's own `X-Request-Id` is not taken when no proxy is trusted: it could write
/// anything into the host's log.
fn request_id(state: &AppState, req: &Request) -> String {
    let given = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|_| state.config.trust_proxy > 0)
        .filter(|id| is_tidy(id));
    given.map_or_else(|| format!("{:016x}", rand::random::<u64>()), str::to_owned)
}

/// Short, and only letters, digits, `-`, `_` and `.`: safe in a log line and a header.
fn is_tidy(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::is_tidy;

    #[test]
    fn only_tidy_ids_are_taken_from_a_proxy() {
        assert!(is_tidy("3f2a-91c0_ab.1") && is_tidy("a"));
        assert!(!is_tidy("") && !is_tidy("two words") && !is_tidy("line\nbreak") && !is_tidy(&"x".repeat(65)));
    }
}
