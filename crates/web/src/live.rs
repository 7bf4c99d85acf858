//! Live updates over Server-Sent Events. An event names only what changed ("check-in",
//! "appreciation", …) and never carries content: the page then re-reads what its viewer may
//! see, so the reveal rule cannot be bypassed through the stream.

use crate::AppState;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tend_domain::events::{CoupleEvent, Live, PersonEvent};
use tend_domain::{CoupleId, UserId};

/// Whose events a stream carries.
#[derive(Clone, Copy, Debug)]
pub enum Audience {
    /// A couple's shared space.
    Couple(CoupleId),
    /// One person without a couple yet, waiting for the partner they invited.
    Person(UserId),
}
use tokio::sync::broadcast::error::RecvError;

/// The stream of the audience's events, starting with a `ready` event.
pub fn stream(state: &AppState, audience: Audience) -> Sse<impl Stream<Item = Result<Event, Infallible>> + use<>> {
    let rx = state.ctx.events.subscribe();
    let ready = stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let events = stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(Live::Couple(CoupleEvent { couple: c, kind })) if matches!(audience, Audience::Couple(ours) if ours == c) =>
                {
                    let data = format!("{{\"kind\":\"{}\"}}", kind.as_str());
                    return Some((Ok(Event::default().event("change").data(data)), rx));
                }
                Ok(Live::Person(PersonEvent { person, kind })) if matches!(audience, Audience::Person(me) if me == person) =>
                {
                    let data = format!("{{\"kind\":\"{}\"}}", kind.as_str());
                    return Some((Ok(Event::default().event("change").data(data)), rx));
                }
                Ok(Live::Couple(_) | Live::Person(_)) => continue,
                // Events from other nodes may have been missed: refresh, as after a lag.
                Ok(Live::Resync) => {
                    return Some((Ok(Event::default().event("change").data("{\"kind\":\"resync\"}")), rx));
                }
                // Missed some: tell the page to refresh, which covers whatever they were.
                Err(RecvError::Lagged(_)) => {
                    return Some((Ok(Event::default().event("change").data("{\"kind\":\"lagged\"}")), rx));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    // Ends when the server begins shutting down, so graceful shutdown is not held up.
    let stream =
        futures_util::StreamExt::take_until(futures_util::StreamExt::chain(ready, events), state.shutting_down());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20)))
}
