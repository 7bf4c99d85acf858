//! Live updates over Server-Sent Events. An event names only what changed ("check-in",
//! "appreciation", …) and never carries content: the page then re-reads what its viewer may
//! see, so the reveal rule cannot be bypassed through the stream.
//!
//! Many streams stay open at once (one per open page or app), so each is kept small: one
//! subscription that only its audience's events wake, one shutdown watch, and one future that
//! waits on both and the keep-alive timer. Every frame it sends is rendered once per process.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use std::convert::Infallible;
use std::sync::LazyLock;
use std::time::Duration;
use tend_domain::auth::Authenticated;
use tend_domain::events::{EventKind, Signal, Subscription};
use tokio::sync::watch;

/// Whose events a stream carries: a couple's shared space, or one person without a couple
/// yet, waiting for the partner they invited.
pub use tend_domain::events::Audience;

/// With nothing to say for this long, a stream sends a comment so that proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// The stream of the audience's events for `who`, starting with a `ready` event; ends when the
/// server begins shutting down, so graceful shutdown is not held up, and as soon as `who` may
/// no longer listen (their session or token revoked, their couple ended).
pub fn stream(state: &AppState, who: &Authenticated, audience: Audience) -> Response {
    let guard = Guard { ctx: state.ctx.clone(), who: who.clone(), audience };
    let frames = frames(state.ctx.events.subscribe(audience), state.shutdown.subscribe(), KEEP_ALIVE, Some(guard));
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            // nginx buffers a proxied response by default, which holds every event back until
            // its buffer fills; this asks it (and proxies that honour the same header) not to.
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(frames),
    )
        .into_response()
}

/// Who a stream is for, asked again whenever access may have changed.
struct Guard {
    ctx: tend_domain::Ctx,
    who: Authenticated,
    audience: Audience,
}

/// The frames of one stream: `ready`, then a `change` for each signal, and a keep-alive
/// comment after `keep_alive` without one, until `shutdown` turns true or the guard says the
/// listener may listen no more.
fn frames(
    subscription: Subscription,
    shutdown: watch::Receiver<bool>,
    keep_alive: Duration,
    guard: Option<Guard>,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + use<> {
    let counted = Counted::new();
    futures_util::stream::unfold(
        Open { subscription, shutdown, keep_alive, ready_sent: false, closing: false, guard, _counted: counted },
        next_frame,
    )
}

/// One open stream in `tend_event_streams_open` (for /metrics), for as long as it lives.
struct Counted;

impl Counted {
    fn new() -> Self {
        metrics::gauge!("tend_event_streams_open").increment(1.0);
        Counted
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        metrics::gauge!("tend_event_streams_open").decrement(1.0);
    }
}

/// What an open stream holds between frames.
struct Open {
    subscription: Subscription,
    shutdown: watch::Receiver<bool>,
    keep_alive: Duration,
    ready_sent: bool,
    /// The listener may listen no more; the change that said so has been sent, so the page
    /// re-reads, and the stream ends.
    closing: bool,
    guard: Option<Guard>,
    _counted: Counted,
}

/// The next frame, waiting for it; `None` ends the stream.
async fn next_frame(mut open: Open) -> Option<(Result<Bytes, Infallible>, Open)> {
    if !open.ready_sent {
        open.ready_sent = true;
        return Some((Ok(READY), open));
    }
    if open.closing {
        return None;
    }
    loop {
        // Shutdown first: a stream that has begun closing sends nothing more.
        let signal = tokio::select! {
            biased;
            _ = open.shutdown.wait_for(|down| *down) => return None,
            signal = open.subscription.recv() => Some(signal?),
            () = tokio::time::sleep(open.keep_alive) => None,
        };
        let Some(signal) = signal else { return Some((Ok(Bytes::from_static(b":\n\n")), open)) };
        // Access is checked when it may have changed: told so, a couple's change (an
        // unpairing, a deleted account), or events that may have been missed.
        let check =
            matches!(signal, Signal::Change(EventKind::Access | EventKind::Couple) | Signal::Resync | Signal::Lagged);
        if check
            && let Some(guard) = &open.guard
            && !tend_domain::auth::may_still_listen(&guard.ctx, &guard.who, guard.audience).await
        {
            // The last word is what ended it: a couple that ended (the page re-reads and
            // finds itself unpaired), or "access" for a session or token that was revoked or
            // an account switched off (the page re-reads and is sent to log in). Kinds carry
            // nothing of anyone's; other signals that found access gone just end it.
            let Signal::Change(kind @ (EventKind::Couple | EventKind::Access)) = signal else { return None };
            open.closing = true;
            return Some((Ok(FRAMES.change(kind)), open));
        }
        let frame = match signal {
            // For the streams, not the pages, while access stands.
            Signal::Change(EventKind::Access) => continue,
            Signal::Change(kind) => FRAMES.change(kind),
            // Events from other nodes may have been missed: refresh, as after a lag.
            Signal::Resync => FRAMES.resync.clone(),
            // Missed some: tell the page to refresh, which covers whatever they were.
            Signal::Lagged => FRAMES.lagged.clone(),
        };
        return Some((Ok(frame), open));
    }
}

/// Every frame a stream sends but the keep-alive comment, rendered once: sending one copies
/// nothing.
struct Frames {
    changes: [Bytes; EventKind::ALL.len()],
    resync: Bytes,
    lagged: Bytes,
}

impl Frames {
    fn change(&self, kind: EventKind) -> Bytes {
        self.changes[kind as usize].clone()
    }
}

static FRAMES: LazyLock<Frames> = LazyLock::new(|| Frames {
    changes: EventKind::ALL.map(|kind| change(kind.as_str())),
    resync: change("resync"),
    lagged: change("lagged"),
});

/// `event: change` with `{"kind": …}`, as a page's `EventSource` reads it.
fn change(kind: &str) -> Bytes {
    Bytes::from(format!("event: change\ndata: {{\"kind\":\"{kind}\"}}\n\n"))
}

/// A stream's first frame: it is listening.
const READY: Bytes = Bytes::from_static(b"event: ready\ndata: {}\n\n");

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{FutureExt, StreamExt};
    use tend_domain::events::{CoupleEvent, Events, LocalEvents};
    use tend_domain::{CoupleId, UserId};

    fn text(frame: Option<Result<Bytes, Infallible>>) -> String {
        match frame {
            Some(Ok(bytes)) => String::from_utf8(bytes.to_vec()).expect("UTF-8"),
            None => "(the end)".to_owned(),
        }
    }

    #[tokio::test]
    async fn a_stream_says_ready_then_its_audiences_changes_and_ends_on_shutdown() {
        let events = LocalEvents::default();
        let (shutdown, down) = watch::channel(false);
        let ours = Audience::Couple(CoupleId(1));
        let mut ours_stream = Box::pin(frames(events.subscribe(ours), down.clone(), KEEP_ALIVE, None));
        let mut theirs = Box::pin(frames(events.subscribe(Audience::Couple(CoupleId(2))), down, KEEP_ALIVE, None));
        assert_eq!(text(ours_stream.next().await), "event: ready\ndata: {}\n\n");
        assert_eq!(text(theirs.next().await), "event: ready\ndata: {}\n\n");

        events.publish(CoupleEvent { couple: CoupleId(1), kind: EventKind::Appreciation }).await;
        assert_eq!(text(ours_stream.next().await), "event: change\ndata: {\"kind\":\"appreciation\"}\n\n");
        assert!(theirs.next().now_or_never().is_none(), "another couple's stream has nothing to send");

        events.resync();
        assert_eq!(text(ours_stream.next().await), "event: change\ndata: {\"kind\":\"resync\"}\n\n");
        assert_eq!(text(theirs.next().await), "event: change\ndata: {\"kind\":\"resync\"}\n\n");

        for _ in 0..40 {
            events.publish(CoupleEvent { couple: CoupleId(1), kind: EventKind::Hug }).await;
        }
        assert_eq!(text(ours_stream.next().await), "event: change\ndata: {\"kind\":\"lagged\"}\n\n");

        shutdown.send_replace(true);
        assert_eq!(text(ours_stream.next().await), "(the end)", "shutdown ends a stream with events waiting");
        assert_eq!(text(theirs.next().await), "(the end)");
        drop((ours_stream, theirs));
        assert_eq!(events.audiences(), 0, "a closed stream leaves no subscription behind");
    }

    #[tokio::test]
    async fn a_quiet_stream_sends_keep_alive_comments() {
        let events = LocalEvents::default();
        let (_shutdown, down) = watch::channel(false);
        let mut stream =
            Box::pin(frames(events.subscribe(Audience::Person(UserId(3))), down, Duration::from_millis(10), None));
        assert_eq!(text(stream.next().await), "event: ready\ndata: {}\n\n");
        assert_eq!(text(stream.next().await), ":\n\n");
        events.deliver_to(tend_domain::events::PersonEvent { person: UserId(3), kind: EventKind::Couple });
        assert_eq!(text(stream.next().await), "event: change\ndata: {\"kind\":\"couple\"}\n\n");
        // A change of access is for the stream itself, never passed on to the page.
        events.deliver_to(tend_domain::events::PersonEvent { person: UserId(3), kind: EventKind::Access });
        events.deliver_to(tend_domain::events::PersonEvent { person: UserId(3), kind: EventKind::Hug });
        assert_eq!(text(stream.next().await), "event: change\ndata: {\"kind\":\"hug\"}\n\n");
    }

    #[test]
    fn frames_name_the_kind_and_nothing_more() {
        assert_eq!(&FRAMES.change(EventKind::CheckIn)[..], b"event: change\ndata: {\"kind\":\"check-in\"}\n\n");
        assert_eq!(&FRAMES.change(EventKind::Goals)[..], b"event: change\ndata: {\"kind\":\"goals\"}\n\n");
        assert_eq!(&FRAMES.resync[..], b"event: change\ndata: {\"kind\":\"resync\"}\n\n");
        assert_eq!(&FRAMES.lagged[..], b"event: change\ndata: {\"kind\":\"lagged\"}\n\n");
        for kind in EventKind::ALL {
            let frame = FRAMES.change(kind);
            let data: serde_json::Value = serde_json::from_slice(
                frame.strip_prefix(b"event: change\ndata: ").and_then(|d| d.strip_suffix(b"\n\n")).expect("a change"),
            )
            .expect("JSON");
            assert_eq!(data, serde_json::json!({ "kind": kind }));
        }
    }
}
