//! Live events: "something changed in this couple's space". They carry the kind of change
//! and never its content, so an event can reveal nothing; each client re-reads what it may
//! see. On PostgreSQL they cross nodes (LISTEN/NOTIFY); on SQLite they stay in the process.
//!
//! A subscriber names its audience (a couple, or a person without one) and is woken only by
//! that audience's events, so an event costs the same with ten or ten thousand open streams.

use crate::ids::{CoupleId, UserId};
use async_trait::async_trait;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

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
    /// Someone's access changed (a session or token revoked, a log-out, a new password, an
    /// unpairing): open streams check that they may still listen. Never sent on to a page.
    Access,
}

impl EventKind {
    /// Every kind, in declaration order: `EventKind::ALL[k as usize] == k`.
    pub const ALL: [Self; 17] = [
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
        Self::Access,
    ];

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
            Self::Access => "access",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
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

/// What reaches a node: from its own publishers, or from other nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    Couple(CoupleEvent),
    Person(PersonEvent),
    /// Events may have been missed (the connection that brings them from other nodes was
    /// lost and is back): every open page should re-read its live parts.
    Resync,
}

/// Whose events a subscription hears.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// A couple's shared space.
    Couple(CoupleId),
    /// One person without a couple yet, waiting for the partner they invited.
    Person(UserId),
}

/// What one subscriber hears. Like the events, it names a kind of change and never content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Something of this kind changed in the audience's space.
    Change(EventKind),
    /// Events from other nodes may have been missed: re-read everything live.
    Resync,
    /// This subscriber fell behind and missed some events: re-read everything live.
    Lagged,
}

#[async_trait]
pub trait Events: Send + Sync {
    /// Tells every subscriber of this couple, on every node. Best effort: a lost event
    /// costs a live update, never data.
    async fn publish(&self, event: CoupleEvent);
    /// Tells one person's open pages, on every node (best effort, as above).
    async fn publish_to(&self, event: PersonEvent);
    /// The audience's events on this node from now on. Only this audience's events wake it.
    fn subscribe(&self, audience: Audience) -> Subscription;
}

/// How many events an audience's subscribers may fall behind before they hear `Lagged`
/// (and refresh). Events are rare and a couple has a few open pages, so a few slots do.
const PER_AUDIENCE: usize = 16;

/// Events within one process. Each audience with open subscriptions has a channel of its own,
/// so an event wakes only its audience's subscribers, however many streams are open.
pub struct LocalEvents {
    registry: Arc<Registry>,
}

/// The channels of the audiences with open subscriptions; an entry goes with its last
/// subscriber.
#[derive(Default)]
struct Registry {
    audiences: Mutex<HashMap<Audience, broadcast::Sender<Signal>>>,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<Audience, broadcast::Sender<Signal>>> {
        // The map stays consistent whatever panicked while holding it: every change is one call.
        self.audiences.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for LocalEvents {
    fn default() -> Self {
        Self { registry: Arc::new(Registry::default()) }
    }
}

impl LocalEvents {
    /// Hands an event to this process's subscribers of its couple.
    pub fn deliver(&self, event: CoupleEvent) {
        self.send(Audience::Couple(event.couple), event.kind);
    }

    /// Hands a person's event to this process's subscribers of that person.
    pub fn deliver_to(&self, event: PersonEvent) {
        self.send(Audience::Person(event.person), event.kind);
    }

    /// Tells every page on this process to refresh, having perhaps missed events.
    pub fn resync(&self) {
        // Rare (a lost connection is back): copy the senders so that subscribing and
        // publishing are not held up while every open stream is woken.
        let senders: Vec<_> = self.registry.lock().values().cloned().collect();
        for tx in senders {
            // No subscribers left is fine.
            let _ = tx.send(Signal::Resync);
        }
    }

    /// How many audiences have open subscriptions on this process.
    pub fn audiences(&self) -> usize {
        self.registry.lock().len()
    }

    fn send(&self, audience: Audience, kind: EventKind) {
        let audiences = self.registry.lock();
        if let Some(tx) = audiences.get(&audience) {
            // Its last subscriber may be leaving right now; that is fine.
            let _ = tx.send(Signal::Change(kind));
        }
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

    fn subscribe(&self, audience: Audience) -> Subscription {
        let rx = match self.registry.lock().entry(audience) {
            Entry::Occupied(tx) => tx.get().subscribe(),
            Entry::Vacant(slot) => {
                let (tx, rx) = broadcast::channel(PER_AUDIENCE);
                slot.insert(tx);
                rx
            }
        };
        Subscription { rx: Some(rx), audience, registry: Arc::downgrade(&self.registry) }
    }
}

/// One subscriber's events. Dropping it unsubscribes; the last one of an audience takes the
/// audience's channel with it.
pub struct Subscription {
    /// Always there until dropped (taken under the registry's lock when dropping).
    rx: Option<broadcast::Receiver<Signal>>,
    audience: Audience,
    /// Weak: when the events mechanism goes, its channels close and subscribers hear the end.
    registry: Weak<Registry>,
}

impl Subscription {
    /// The next signal, waiting for it; `None` once the events mechanism is gone.
    pub async fn recv(&mut self) -> Option<Signal> {
        let rx = self.rx.as_mut()?;
        match rx.recv().await {
            Ok(signal) => Some(signal),
            Err(RecvError::Lagged(_)) => Some(Signal::Lagged),
            Err(RecvError::Closed) => None,
        }
    }

    /// The next signal if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Option<Signal> {
        match self.rx.as_mut()?.try_recv() {
            Ok(signal) => Some(signal),
            Err(TryRecvError::Lagged(_)) => Some(Signal::Lagged),
            Err(TryRecvError::Empty | TryRecvError::Closed) => None,
        }
    }

    /// Whose events these are.
    pub fn audience(&self) -> Audience {
        self.audience
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription").field("audience", &self.audience).finish_non_exhaustive()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let Some(registry) = self.registry.upgrade() else { return };
        let mut audiences = registry.lock();
        // Under the lock, so no one subscribes to this audience between the count and the removal.
        drop(self.rx.take());
        if let Entry::Occupied(tx) = audiences.entry(self.audience)
            && tx.get().receiver_count() == 0
        {
            tx.remove();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn couple_event(couple: i64, kind: EventKind) -> CoupleEvent {
        CoupleEvent { couple: CoupleId(couple), kind }
    }

    #[test]
    fn every_kind_is_listed_in_order_and_parses_back() {
        for (i, kind) in EventKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EventKind::parse("resync"), None);
    }

    #[tokio::test]
    async fn a_couples_events_reach_its_subscribers_and_no_one_else() {
        let events = LocalEvents::default();
        let (mut a1, mut a2) =
            (events.subscribe(Audience::Couple(CoupleId(1))), events.subscribe(Audience::Couple(CoupleId(1))));
        let mut b = events.subscribe(Audience::Couple(CoupleId(2)));
        // A person whose id happens to equal couple A's is another audience.
        let mut person = events.subscribe(Audience::Person(UserId(1)));
        events.publish(couple_event(1, EventKind::CheckIn)).await;
        events.publish(couple_event(1, EventKind::Hug)).await;
        for a in [&mut a1, &mut a2] {
            assert_eq!(a.recv().await, Some(Signal::Change(EventKind::CheckIn)));
            assert_eq!(a.recv().await, Some(Signal::Change(EventKind::Hug)));
            assert_eq!(a.try_recv(), None);
        }
        assert_eq!(b.try_recv(), None, "couple B hears nothing of couple A");
        assert_eq!(person.try_recv(), None);

        events.publish_to(PersonEvent { person: UserId(1), kind: EventKind::Couple }).await;
        assert_eq!(person.recv().await, Some(Signal::Change(EventKind::Couple)));
        assert_eq!((a1.try_recv(), a2.try_recv(), b.try_recv()), (None, None, None), "only that person hears it");
        assert_eq!(a1.audience(), Audience::Couple(CoupleId(1)));
    }

    #[tokio::test]
    async fn a_resync_reaches_every_subscriber() {
        let events = LocalEvents::default();
        let mut all: Vec<_> = (0..5)
            .map(|i| events.subscribe(Audience::Couple(CoupleId(i % 3))))
            .chain([events.subscribe(Audience::Person(UserId(9)))])
            .collect();
        events.resync();
        for s in &mut all {
            assert_eq!(s.recv().await, Some(Signal::Resync), "{s:?}");
        }
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_hears_it_lagged_and_then_keeps_up() {
        let events = LocalEvents::default();
        let mut slow = events.subscribe(Audience::Couple(CoupleId(1)));
        for _ in 0..PER_AUDIENCE + 1 {
            events.deliver(couple_event(1, EventKind::Appreciation));
        }
        assert_eq!(slow.recv().await, Some(Signal::Lagged));
        while slow.try_recv().is_some() {}
        events.deliver(couple_event(1, EventKind::Question));
        assert_eq!(slow.recv().await, Some(Signal::Change(EventKind::Question)));
    }

    #[tokio::test]
    async fn subscriptions_end_when_the_events_mechanism_goes() {
        let events = LocalEvents::default();
        let mut s = events.subscribe(Audience::Couple(CoupleId(1)));
        let waiting = tokio::spawn(async move { s.recv().await });
        tokio::task::yield_now().await;
        drop(events);
        assert_eq!(waiting.await.expect("joins"), None);
    }

    #[tokio::test]
    async fn an_audience_goes_with_its_last_subscriber() {
        let events = LocalEvents::default();
        let first = events.subscribe(Audience::Couple(CoupleId(1)));
        let second = events.subscribe(Audience::Couple(CoupleId(1)));
        assert_eq!(events.audiences(), 1);
        drop(first);
        assert_eq!(events.audiences(), 1, "one subscriber is still there");
        drop(second);
        assert_eq!(events.audiences(), 0);

        // Many cycles, overlapping and on many audiences, with events between: nothing stays.
        let mut open = Vec::new();
        for i in 0..1_000_i64 {
            open.push(events.subscribe(Audience::Couple(CoupleId(i % 37))));
            open.push(events.subscribe(Audience::Person(UserId(i % 11))));
            events.deliver(couple_event(i % 37, EventKind::Rhythm));
            if i % 3 == 0 {
                open.drain(..open.len() / 2);
            }
        }
        assert!(events.audiences() > 0);
        drop(open);
        assert_eq!(events.audiences(), 0, "no audience outlives its subscribers");

        // Subscribing and dropping from many tasks at once leaves nothing behind either.
        let events = Arc::new(events);
        let mut tasks = tokio::task::JoinSet::new();
        for t in 0..8_i64 {
            let events = events.clone();
            tasks.spawn(async move {
                for i in 0..1_000_i64 {
                    let s = events.subscribe(Audience::Couple(CoupleId((t + i) % 5)));
                    tokio::task::yield_now().await;
                    drop(s);
                }
            });
        }
        tasks.join_all().await;
        assert_eq!(events.audiences(), 0);
    }

    /// Figures for the record, asserting nothing: 10,000 open subscribers (each its own task,
    /// as a stream is) and 1,000 events to random couples, per-audience channels against the
    /// one channel for everything that came before. Run with
    /// `cargo test --release -p tend-domain events::tests::fan_out_figures -- --ignored --nocapture`.
    #[test]
    #[ignore = "measures; prints figures"]
    fn fan_out_figures() {
        const STREAMS: i64 = 10_000;
        const EVENTS: usize = 1_000;
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(async {
            println!("{STREAMS} subscribers, {EVENTS} events to random couples, 2 worker threads");
            // `FAN_OUT=global` or `FAN_OUT=per-audience` runs one design alone, so that its
            // RSS figure is not the other's memory reused.
            let only = std::env::var("FAN_OUT").ok();
            for design in [Design::Global, Design::PerAudience] {
                if only.as_deref().is_some_and(|o| o != design.name()) {
                    continue;
                }
                for paced in [true, false] {
                    figures(design, paced, STREAMS, EVENTS).await;
                }
            }
        });
    }

    #[derive(Clone, Copy, Debug)]
    enum Design {
        /// One broadcast channel for every event (capacity 1024); each subscriber filters.
        Global,
        /// This module's registry.
        PerAudience,
    }

    impl Design {
        fn name(self) -> &'static str {
            match self {
                Self::Global => "global",
                Self::PerAudience => "per-audience",
            }
        }
    }

    async fn figures(design: Design, paced: bool, streams: i64, events: usize) {
        use std::time::{Duration, Instant};
        let rss_before = rss_kib();
        let (heard_tx, mut heard) = tokio::sync::mpsc::unbounded_channel::<i64>();
        let local = LocalEvents::default();
        let global = broadcast::channel::<Live>(1024).0;
        let mut tasks = tokio::task::JoinSet::new();
        for couple in 0..streams {
            let heard_tx = heard_tx.clone();
            match design {
                Design::Global => {
                    let mut rx = global.subscribe();
                    tasks.spawn(async move {
                        while let Ok(live) = rx.recv().await {
                            if matches!(live, Live::Couple(e) if e.couple == CoupleId(couple)) {
                                let _ = heard_tx.send(couple);
                            }
                        }
                    });
                }
                Design::PerAudience => {
                    let mut s = local.subscribe(Audience::Couple(CoupleId(couple)));
                    tasks.spawn(async move {
                        while let Some(Signal::Change(_)) = s.recv().await {
                            let _ = heard_tx.send(couple);
                        }
                    });
                }
            }
        }
        // Let every task reach its first wait.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let rss_open = rss_kib();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % streams as u64) as i64
        };
        let publish = |couple: i64| {
            let event = couple_event(couple, EventKind::CheckIn);
            match design {
                Design::Global => drop(global.send(Live::Couple(event))),
                Design::PerAudience => local.deliver(event),
            }
        };
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(events);
        if paced {
            // One event at a time, each waited for: the delay a partner sees.
            for _ in 0..events {
                let couple = next();
                let at = Instant::now();
                publish(couple);
                while heard.recv().await != Some(couple) {}
                latencies.push(at.elapsed());
            }
        } else {
            // All at once, then until every one has been heard.
            for _ in 0..events {
                publish(next());
            }
            for _ in 0..events {
                heard.recv().await;
            }
        }
        let wall = started.elapsed();
        drop((global, local));
        tasks.join_all().await;
        latencies.sort();
        let at = |q: f64| latencies.get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)));
        let (p50, p99) = (at(0.5).copied().unwrap_or_default(), at(0.99).copied().unwrap_or_default());
        println!(
            "{design:?}, {}: {events} events in {wall:.1?} ({:.0}/s){}; RSS +{} KiB with the subscribers open",
            if paced { "one at a time" } else { "in a burst" },
            events as f64 / wall.as_secs_f64(),
            if paced { format!(", delivery p50 {p50:.1?} p99 {p99:.1?}") } else { String::new() },
            rss_open.saturating_sub(rss_before),
        );
    }

    fn rss_kib() -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines().find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().trim_end_matches(" kB").parse().ok()))
            })
            .flatten()
            .unwrap_or(0)
    }
}
