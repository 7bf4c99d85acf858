//! Live events: "something changed in this couple's space". They carry the kind of change
//! and never its content, so an event can reveal nothing; each client re-reads what it may
//! see. On PostgreSQL they cross nodes (LISTEN/NOTIFY); on SQLite they stay in the process.

use crate::ids::{CoupleId, UserId};
use async_trait::async_trait;
use tokio::sync::broadcast;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    CheckIn,
    Appreciation,
    Reaction,
    Couple,
    Hug,
    Conversation,
    Listening,
    Question,
    Rhythm,
    Evening,
    Photos,
    ShowAndTell,
    IntimacyMap,
    StateOfUs,
    Play,
    Goals,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CheckIn => "check-in",
            Self::Appreciation => "appreciation",
            Self::Reaction => "reaction",
            Self::Couple => "couple",
            Self::Hug => "hug",
            Self::Conversation => "conversation",
            Self::Listening => "listening",
            Self::Question => "question",
            Self::Rhythm => "rhythm",
            Self::Evening => "evening",
            Self::Photos => "photos",
            Self::ShowAndTell => "show-and-tell",
            Self::IntimacyMap => "intimacy-map",
            Self::StateOfUs => "state-of-us",
            Self::Play => "play",
            Self::Goals => "goals",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::CheckIn,
            Self::Appreciation,
            Self::Reaction,
            Self::Couple,
            Self::Hug,
            Self::Conversation,
            Self::Listening,
            Self::Question,
            Self::Rhythm,
            Self::Evening,
            Self::Photos,
            Self::ShowAndTell,
            Self::IntimacyMap,
            Self::StateOfUs,
            Self::Play,
            Self::Goals,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoupleEvent {
    pub couple: CoupleId,
    pub kind: EventKind,
}

/// Something for one person who has no couple yet: the partner they invited has joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonEvent {
    pub person: UserId,
    pub kind: EventKind,
}

/// What reaches the subscribers on one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    Couple(CoupleEvent),
    Person(PersonEvent),
    /// Events may have been missed (the connection that brings them from other nodes was
    /// lost and is back): every open page should re-read its live parts.
    Resync,
}

#[async_trait]
pub trait Events: Send + Sync {
    /// Tells every subscriber of this couple, on every node. Best effort: a lost event
    /// costs a live update, never data.
    async fn publish(&self, event: CoupleEvent);
    /// Tells one person's open pages, on every node (best effort, as above).
    async fn publish_to(&self, event: PersonEvent);
    /// Every event on this node from now on; callers filter by couple.
    fn subscribe(&self) -> broadcast::Receiver<Live>;
}

/// Events within one process.
pub struct LocalEvents {
    tx: broadcast::Sender<Live>,
}

impl Default for LocalEvents {
    fn default() -> Self {
        Self { tx: broadcast::channel(1024).0 }
    }
}

impl LocalEvents {
    /// Hands an event to this process's subscribers.
    pub fn deliver(&self, event: CoupleEvent) {
        // No subscribers is fine.
        let _ = self.tx.send(Live::Couple(event));
    }

    /// Hands a person's event to this process's subscribers.
    pub fn deliver_to(&self, event: PersonEvent) {
        let _ = self.tx.send(Live::Person(event));
    }

    /// Tells every page on this process to refresh, having perhaps missed events.
    pub fn resync(&self) {
        let _ = self.tx.send(Live::Resync);
    }
}

#[async_trait]
impl Events for LocalEvents {
    async fn publish(&self, event: CoupleEvent) {
        self.deliver(event);
    }

    async fn publish_to(&self, event: PersonEvent) {
        self.deliver_to(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.tx.subscribe()
    }
}
