//! Tend's domain: the types, rules and use cases of a couple's private space.
//!
//! Nothing here knows about HTTP or SQL. Every read and write goes through a use case that
//! takes the caller and scopes the work to the caller's couple; handlers only translate.

pub mod account;
pub mod admin;
pub mod appreciation;
pub mod auth;
pub mod check_in;
pub mod clock;
pub mod content;
pub mod conversation;
pub mod couple;
pub mod error;
pub mod events;
pub mod export;
pub mod fixtures;
pub mod goals;
pub mod health;
pub mod help_hint;
pub mod history;
pub mod housekeeping;
pub mod hug;
pub mod ids;
pub mod insights;
pub mod intimacy_map;
pub mod listening;
pub mod memories;
pub mod photo;
pub mod play;
pub mod questions;
pub mod reminder;
pub mod rhythm;
pub mod secret;
pub mod show_and_tell;
pub mod state_of_us;
pub mod store;
pub mod support;
pub mod tech_free;
pub mod text;
pub mod throttle;
pub mod time;
pub mod today;
pub mod touch;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, FieldErrors, Result};
pub use ids::{
    ApiTokenId, AppreciationId, ConversationId, CoupleId, EveningId, ExchangeId, InviteId, ListeningId,
    PushSubscriptionId, ReminderId, SessionId, ShowAndTellId, UserId,
};
pub use store::{
    Access, Accounts, Daily, Goals, Pairing, Photos, Play, Practices, Questions, Reflections, Reminders, Rhythms,
    Store, StoreError, Upkeep,
};

/// Everything a use case needs from the outside world.
///
/// The store is private to this crate: the web layer reaches data only through the use cases,
/// which apply the rules of who may see what. A handler cannot read a partner's check-in
/// before the reveal, because it has no way to ask the store for one.
#[derive(Clone)]
pub struct Ctx {
    store: std::sync::Arc<dyn Store>,
    pub clock: std::sync::Arc<dyn Clock>,
    pub events: std::sync::Arc<dyn events::Events>,
    pub policy: Policy,
    /// Where photo bytes are kept, sealed (see [`photo::Media`]).
    media: std::sync::Arc<dyn photo::Media>,
    /// What develops uploads into photos.
    darkroom: std::sync::Arc<dyn photo::Darkroom>,
}

impl Ctx {
    pub fn new(
        store: std::sync::Arc<dyn Store>,
        clock: std::sync::Arc<dyn Clock>,
        events: std::sync::Arc<dyn events::Events>,
        policy: Policy,
    ) -> Self {
        let none = std::sync::Arc::new(photo::NoPhotos);
        Self { store, clock, events, policy, media: none.clone(), darkroom: none }
    }

    /// The same context with photos kept in `media` and developed by `darkroom`.
    pub fn with_photos(
        mut self,
        media: std::sync::Arc<dyn photo::Media>,
        darkroom: std::sync::Arc<dyn photo::Darkroom>,
    ) -> Self {
        self.media = media;
        self.darkroom = darkroom;
        self
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Tells the couple's open pages that something changed.
    pub async fn notify(&self, couple: CoupleId, kind: events::EventKind) {
        self.events.publish(events::CoupleEvent { couple, kind }).await;
    }

    /// Tells the open streams of this person's space, on every node, that their access
    /// changed, so a stream whose session or token is gone, or whose couple ended, closes now.
    pub async fn access_changed(&self, who: &store::User) {
        match who.couple_id {
            Some(couple) => self.notify(couple, events::EventKind::Access).await,
            None => {
                self.events.publish_to(events::PersonEvent { person: who.id, kind: events::EventKind::Access }).await
            }
        }
    }
}

/// Instance-wide rules the host chooses.
#[derive(Clone, Debug)]
pub struct Policy {
    pub registration: Registration,
    /// How long one minute of a Stress-Reducing Conversation turn lasts: a minute, unless a
    /// host shortens it for a demonstration or a test run.
    pub conversation_minute: jiff::SignedDuration,
}

impl Default for Policy {
    fn default() -> Self {
        Self { registration: Registration::default(), conversation_minute: jiff::SignedDuration::from_mins(1) }
    }
}

/// Who may create an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Registration {
    /// The first account, and then only people holding a partner's invite.
    #[default]
    InviteOnly,
    /// Anyone who reaches the instance.
    Open,
}

impl std::str::FromStr for Registration {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "invite" | "invite-only" | "closed" => Ok(Self::InviteOnly),
            "open" => Ok(Self::Open),
            other => Err(format!("unknown registration mode {other:?}: use \"invite\" or \"open\"")),
        }
    }
}
