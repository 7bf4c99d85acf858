//! Live events across nodes. Every node LISTENs on one channel and a publish is a NOTIFY, so
//! an event raised on one node reaches the pages open on every node.

use crate::{PgOptions, PgStore};
use async_trait::async_trait;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tend_domain::events::{Audience, CoupleEvent, EventKind, Events, Live, LocalEvents, PersonEvent, Subscription};
use tend_domain::{CoupleId, UserId};

/// Events for a node on this store: published with NOTIFY, heard with LISTEN. A task listens
/// for as long as the returned handle lives.
pub async fn for_store(store: &PgStore, options: &PgOptions) -> Arc<dyn Events> {
    // Each schema has its own channel, so tests side by side in one database stay apart.
    let channel = match &options.schema {
        Some(schema) => format!("tend_events_{schema}"),
        None => "tend_events".to_owned(),
    };
    let events = Arc::new(PgEvents { local: LocalEvents::default(), store: store.clone(), channel });
    tokio::spawn(listen(events.clone(), options.url.clone()));
    events
}

/// Publishes with NOTIFY, and hands what the listener hears to this node's pages (only the
/// pages of the event's audience are woken).
pub struct PgEvents {
    local: LocalEvents,
    store: PgStore,
    channel: String,
}

#[async_trait]
impl Events for PgEvents {
    async fn publish(&self, event: CoupleEvent) {
        if !self.notify(format!("{}:{}", event.couple.0, event.kind.as_str())).await {
            // Still tell this node's pages; other nodes miss one live update, not data.
            self.local.deliver(event);
        }
    }

    async fn publish_to(&self, event: PersonEvent) {
        if !self.notify(format!("p{}:{}", event.person.0, event.kind.as_str())).await {
            self.local.deliver_to(event);
        }
    }

    fn subscribe(&self, audience: Audience) -> Subscription {
        self.local.subscribe(audience)
    }
}

impl PgEvents {
    /// Sends a payload to every node; false when it could not be sent.
    async fn notify(&self, payload: String) -> bool {
        let sent = sqlx::query!(r#"select pg_notify($1, $2) as "sent: ()""#, self.channel, payload)
            .execute(self.store.pool())
            .await;
        if let Err(e) = &sent {
            tracing::warn!(error = %e, "NOTIFY failed");
        }
        sent.is_ok()
    }
}

/// `42:check-in` for a couple, `p7:couple` for a person.
fn parse(payload: &str) -> Option<Live> {
    let (target, kind) = payload.split_once(':')?;
    let kind = EventKind::parse(kind)?;
    match target.strip_prefix('p') {
        Some(person) => Some(Live::Person(PersonEvent { person: UserId(person.parse().ok()?), kind })),
        None => Some(Live::Couple(CoupleEvent { couple: CoupleId(target.parse().ok()?), kind })),
    }
}

/// Forwards notifications to this node's subscribers, reconnecting after failures. After a
/// reconnection, open pages are told to resync: NOTIFYs sent while the node was not listening
/// are gone, and a page would otherwise show stale parts with no hint.
async fn listen(events: Arc<PgEvents>, url: String) {
    let mut listened_before = false;
    loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(&events.channel).await {
                Ok(()) => {
                    if listened_before {
                        events.local.resync();
                    }
                    listened_before = true;
                    loop {
                        // `try_recv` (unlike `recv`) says when the connection was lost: it
                        // reconnects, then answers `None`.
                        match listener.try_recv().await {
                            Ok(Some(n)) => match parse(n.payload()) {
                                Some(Live::Couple(event)) => events.local.deliver(event),
                                Some(Live::Person(event)) => events.local.deliver_to(event),
                                Some(Live::Resync) | None => {}
                            },
                            Ok(None) => {
                                tracing::warn!("LISTEN connection was lost and is back; open pages resync");
                                events.local.resync();
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN failed"),
            },
            Err(e) => tracing::warn!(error = %e, "could not connect for LISTEN"),
        }
        // Only the last strong reference is the listener's own: the node has gone away.
        if Arc::strong_count(&events) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        assert_eq!(
            parse("42:check-in"),
            Some(Live::Couple(CoupleEvent { couple: CoupleId(42), kind: EventKind::CheckIn }))
        );
        assert_eq!(parse("p7:couple"), Some(Live::Person(PersonEvent { person: UserId(7), kind: EventKind::Couple })));
        assert_eq!(parse("px:couple"), None);
        assert_eq!(parse("x:check-in"), None);
        assert_eq!(parse("1:unknown"), None);
        assert_eq!(parse("nonsense"), None);
    }
}
