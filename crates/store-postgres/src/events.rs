//! Live events across nodes. Every node LISTENs on one channel and a publish is a NOTIFY, so
//! an event raised on one node reaches the pages open on every node.

use crate::{PgOptions, PgStore};
use async_trait::async_trait;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use tend_domain::CoupleId;
use tend_domain::events::{CoupleEvent, EventKind, Events, Live, LocalEvents};
use tokio::sync::broadcast;

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

/// Publishes with NOTIFY, and hands what the listener hears to this node's pages.
pub struct PgEvents {
    local: LocalEvents,
    store: PgStore,
    channel: String,
}

#[async_trait]
impl Events for PgEvents {
    async fn publish(&self, event: CoupleEvent) {
        let payload = format!("{}:{}", event.couple.0, event.kind.as_str());
        let sent = sqlx::query!(r#"select pg_notify($1, $2) as "sent: ()""#, self.channel, payload)
            .execute(self.store.pool())
            .await;
        if let Err(e) = sent {
            // Still tell this node's pages; other nodes miss one live update, not data.
            tracing::warn!(error = %e, "NOTIFY failed");
            self.local.deliver(event);
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.local.subscribe()
    }
}

fn parse(payload: &str) -> Option<CoupleEvent> {
    let (couple, kind) = payload.split_once(':')?;
    Some(CoupleEvent { couple: CoupleId(couple.parse().ok()?), kind: EventKind::parse(kind)? })
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
                            Ok(Some(n)) => {
                                if let Some(event) = parse(n.payload()) {
                                    events.local.deliver(event);
                                }
                            }
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
        assert_eq!(parse("42:check-in"), Some(CoupleEvent { couple: CoupleId(42), kind: EventKind::CheckIn }));
        assert_eq!(parse("x:check-in"), None);
        assert_eq!(parse("1:unknown"), None);
        assert_eq!(parse("nonsense"), None);
    }
}
