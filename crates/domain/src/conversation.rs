//! The Stress-Reducing Conversation as a state machine.
//!
//! The server keeps only timestamps; the phase at any moment is a pure function of them and
//! the clock ([`Conversation::phase`]). So both phones show the same remaining time whatever
//! their own clocks say, a reload resumes exactly where things were, and a turn that runs out
//! needs no background job: it has simply ended when anyone next looks.
//!
//! Phases: waiting for the partner to join → first speaker's turn → second speaker's turn →
//! each rates privately → done. A turn ends when its speaker taps "I feel heard" or its time
//! runs out. A conversation nobody joins within [`JOIN_WINDOW`] ends itself, and one whose
//! ratings are not all given within [`RATING_WINDOW`] after the last turn closes as done.

use crate::Ctx;
use crate::couple;
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::ids::{ConversationId, UserId};
use crate::store::{StoredConversation, User};
use jiff::{SignedDuration, Timestamp};

/// One of the eight things a good listener does, in Tend's words: a name, and the gentle cue
/// the listener's screen shows one at a time. The texts are in `content/practices/conversation.toml`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guideline {
    pub name: String,
    pub cue: String,
}

/// What the speaker's screen reminds them of.
pub fn speaker_reminder() -> &'static str {
    &crate::content::conversation().speaker_reminder
}

/// The listener's eight guidelines (after Gottman & Silver, 1999), in the order they are shown.
pub fn guidelines() -> &'static [Guideline] {
    &crate::content::conversation().guidelines
}

/// The cue for the listener `elapsed` into a turn: a new one about every 90 seconds of a
/// 15-minute turn, the same on every screen.
pub fn cue_at(elapsed: SignedDuration, turn: SignedDuration) -> usize {
    let step = (turn.as_millis() / 10).max(1);
    usize::try_from(elapsed.as_millis().max(0) / step).unwrap_or(0) % guidelines().len().max(1)
}

pub const MINUTE_CHOICES: [u8; 3] = [10, 15, 20];
pub const DEFAULT_MINUTES: u8 = 15;
pub const JOIN_WINDOW: SignedDuration = SignedDuration::from_mins(10);
pub const RATING_WINDOW: SignedDuration = SignedDuration::from_mins(30);

/// Everything stored about one conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conversation {
    pub first_speaker: UserId,
    pub second_speaker: UserId,
    /// The minutes per speaker the couple chose: 10, 15 or 20.
    pub minutes: u8,
    /// Each speaker's time: `minutes` of the instance's conversation minute (see [`Policy`]).
    ///
    /// [`Policy`]: crate::Policy
    pub turn: SignedDuration,
    /// Both partners on one phone: either may end a turn.
    pub shared_phone: bool,
    pub started_by: UserId,
    pub created_at: Timestamp,
    /// When the partner joined, or the creation time for a shared phone.
    pub joined_at: Option<Timestamp>,
    /// When the first speaker tapped "I feel heard", if they did before time ran out.
    pub first_heard_at: Option<Timestamp>,
    pub second_heard_at: Option<Timestamp>,
    pub first_rating: Option<Rating>,
    pub second_rating: Option<Rating>,
    pub cancelled_at: Option<Timestamp>,
}

/// How understood and how cared for one felt, 1–7 each; private to the one who gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating {
    pub understood: u8,
    pub cared_for: u8,
}

impl Rating {
    pub fn parse(understood: i64, cared_for: i64) -> Result<Self> {
        let ok = |n: i64| u8::try_from(n).ok().filter(|n| (1..=7).contains(n));
        match (ok(understood), ok(cared_for)) {
            (Some(understood), Some(cared_for)) => Ok(Self { understood, cared_for }),
            _ => Err(Error::field("rating", "Please choose from 1 to 7 for both.")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the partner to join, until `until`.
    Waiting {
        until: Timestamp,
    },
    /// `speaker` has the floor until `ends_at` (or until they feel heard).
    Speaking {
        turn: u8,
        speaker: UserId,
        listener: UserId,
        started_at: Timestamp,
        ends_at: Timestamp,
    },
    /// Both turns are over; ratings are open until `until`.
    Rating {
        until: Timestamp,
    },
    Done {
        at: Timestamp,
    },
    /// Nobody joined in time.
    Expired {
        at: Timestamp,
    },
    Cancelled {
        at: Timestamp,
    },
}

impl Phase {
    /// The phase's name, as pages and the API show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Waiting { .. } => "waiting",
            Phase::Speaking { .. } => "speaking",
            Phase::Rating { .. } => "rating",
            Phase::Done { .. } => "done",
            Phase::Expired { .. } => "expired",
            Phase::Cancelled { .. } => "cancelled",
        }
    }

    /// During a turn, the guideline the listener's screen shows now (the same on every screen).
    pub fn cue(self, now: Timestamp) -> Option<&'static Guideline> {
        match self {
            Phase::Speaking { started_at, ends_at, .. } => {
                guidelines().get(cue_at(now.duration_since(started_at), ends_at.duration_since(started_at)))
            }
            _ => None,
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, Phase::Done { .. } | Phase::Expired { .. } | Phase::Cancelled { .. })
    }
}

/// What the one who starts chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub minutes: u8,
    pub turn: SignedDuration,
    pub shared_phone: bool,
}

/// Minutes per speaker as chosen: 10, 15 or 20.
pub fn parse_minutes(raw: Option<&str>) -> Result<u8> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_MINUTES),
        Some(s) => s
            .parse::<u8>()
            .ok()
            .filter(|m| MINUTE_CHOICES.contains(m))
            .ok_or_else(|| Error::field("minutes", "Please choose 10, 15 or 20 minutes per speaker.")),
    }
}

impl Conversation {
    /// A new conversation. On one shared phone there is nobody to wait for.
    pub fn start(started_by: UserId, first: UserId, second: UserId, plan: Plan, now: Timestamp) -> Result<Self> {
        if first == second || (started_by != first && started_by != second) {
            return Err(Error::rejected("A conversation is between the two of you."));
        }
        Ok(Self {
            first_speaker: first,
            second_speaker: second,
            minutes: plan.minutes,
            turn: plan.turn,
            shared_phone: plan.shared_phone,
            started_by,
            created_at: now,
            joined_at: plan.shared_phone.then_some(now),
            first_heard_at: None,
            second_heard_at: None,
            first_rating: None,
            second_rating: None,
            cancelled_at: None,
        })
    }

    fn at_plus(t: Timestamp, d: SignedDuration) -> Timestamp {
        t.checked_add(d).unwrap_or(t)
    }

    /// When the first turn ended or will end.
    fn first_end(&self, joined: Timestamp) -> Timestamp {
        let deadline = Self::at_plus(joined, self.turn);
        self.first_heard_at.map_or(deadline, |h| h.min(deadline))
    }

    fn second_end(&self, second_start: Timestamp) -> Timestamp {
        let deadline = Self::at_plus(second_start, self.turn);
        self.second_heard_at.map_or(deadline, |h| h.min(deadline))
    }

    /// The phase at `now`: a pure function of the stored times.
    pub fn phase(&self, now: Timestamp) -> Phase {
        if let Some(at) = self.cancelled_at {
            return Phase::Cancelled { at };
        }
        let Some(joined) = self.joined_at else {
            let until = Self::at_plus(self.created_at, JOIN_WINDOW);
            return if now < until { Phase::Waiting { until } } else { Phase::Expired { at: until } };
        };
        let first_end = self.first_end(joined);
        if now < first_end {
            return Phase::Speaking {
                turn: 1,
                speaker: self.first_speaker,
                listener: self.second_speaker,
                started_at: joined,
                ends_at: Self::at_plus(joined, self.turn),
            };
        }
        let second_end = self.second_end(first_end);
        if now < second_end {
            return Phase::Speaking {
                turn: 2,
                speaker: self.second_speaker,
                listener: self.first_speaker,
                started_at: first_end,
                ends_at: Self::at_plus(first_end, self.turn),
            };
        }
        let until = Self::at_plus(second_end, RATING_WINDOW);
        if self.first_rating.is_some() && self.second_rating.is_some() {
            Phase::Done { at: second_end }
        } else if now < until {
            Phase::Rating { until }
        } else {
            Phase::Done { at: until }
        }
    }

    /// The partner who did not start joins; joining twice is harmless.
    pub fn join(&mut self, by: UserId, now: Timestamp) -> Result<()> {
        match self.phase(now) {
            Phase::Waiting { .. } if by != self.started_by && self.is_member(by) => {
                self.joined_at = Some(now);
                Ok(())
            }
            Phase::Waiting { .. } => Err(Error::rejected("Your partner joins from their phone; you can wait here.")),
            Phase::Speaking { .. } | Phase::Rating { .. } if self.is_member(by) => Ok(()),
            _ => Err(Error::rejected("This conversation has ended. You can start a new one.")),
        }
    }

    /// The speaker feels heard: their turn ends now. Only the speaker can end their turn.
    pub fn feel_heard(&mut self, by: UserId, now: Timestamp) -> Result<()> {
        match self.phase(now) {
            Phase::Speaking { turn, speaker, .. } if speaker == by || (self.shared_phone && self.is_member(by)) => {
                if turn == 1 {
                    self.first_heard_at = Some(now);
                } else {
                    self.second_heard_at = Some(now);
                }
                Ok(())
            }
            Phase::Speaking { .. } => Err(Error::rejected("Only the one speaking can say they feel heard.")),
            _ => Err(Error::rejected("No one is speaking right now.")),
        }
    }

    /// A private rating after both turns; giving it again replaces it.
    pub fn rate(&mut self, by: UserId, rating: Rating, now: Timestamp) -> Result<()> {
        match self.phase(now) {
            Phase::Rating { .. } if by == self.first_speaker => {
                self.first_rating = Some(rating);
                Ok(())
            }
            Phase::Rating { .. } if by == self.second_speaker => {
                self.second_rating = Some(rating);
                Ok(())
            }
            Phase::Rating { .. } => Err(Error::NotFound),
            _ => Err(Error::rejected("Ratings open once both of you have had your turn.")),
        }
    }

    pub fn cancel(&mut self, by: UserId, now: Timestamp) -> Result<()> {
        if !self.is_member(by) {
            return Err(Error::NotFound);
        }
        if self.phase(now).is_over() {
            return Ok(());
        }
        self.cancelled_at = Some(now);
        Ok(())
    }

    fn is_member(&self, who: UserId) -> bool {
        who == self.first_speaker || who == self.second_speaker
    }

    /// Minutes actually spoken, for history.
    pub fn minutes_spoken(&self, now: Timestamp) -> i64 {
        let Some(joined) = self.joined_at else { return 0 };
        let end = match self.phase(now) {
            Phase::Speaking { .. } => now,
            _ => self.second_end(self.first_end(joined)),
        };
        let end = self.cancelled_at.map_or(end, |c| c.min(end));
        end.duration_since(joined).as_mins().max(0)
    }
}

/// One partner's role right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Speaker,
    Listener,
    /// One shared phone shows both.
    Both,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Speaker => "speaker",
            Role::Listener => "listener",
            Role::Both => "both",
        }
    }
}

/// A conversation as one partner may see it: never the partner's rating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub id: ConversationId,
    pub phase: Phase,
    pub minutes: u8,
    pub shared_phone: bool,
    pub started_by_me: bool,
    pub i_speak_first: bool,
    /// During a turn, the caller's role.
    pub role: Option<Role>,
    /// Until the current phase ends, by the server's clock.
    pub remaining: Option<SignedDuration>,
    pub my_rating: Option<Rating>,
    pub minutes_spoken: i64,
    pub created_at: Timestamp,
}

impl Seen {
    /// The caller may join: the partner started it and is waiting.
    pub fn can_join(&self) -> bool {
        matches!(self.phase, Phase::Waiting { .. }) && !self.started_by_me
    }

    pub fn can_rate(&self) -> bool {
        matches!(self.phase, Phase::Rating { .. })
    }

    /// Waiting, speaking or waiting for the caller's rating: worth showing on Today.
    pub fn needs_me(&self) -> bool {
        match self.phase {
            Phase::Waiting { .. } | Phase::Speaking { .. } => true,
            Phase::Rating { .. } => self.my_rating.is_none(),
            _ => false,
        }
    }
}

impl Conversation {
    pub fn seen_by(&self, id: ConversationId, me: UserId, now: Timestamp) -> Seen {
        let phase = self.phase(now);
        let role = match phase {
            Phase::Speaking { .. } if self.shared_phone => Some(Role::Both),
            Phase::Speaking { speaker, .. } if speaker == me => Some(Role::Speaker),
            Phase::Speaking { .. } => Some(Role::Listener),
            _ => None,
        };
        let remaining = match phase {
            Phase::Waiting { until } | Phase::Rating { until } => Some(until.duration_since(now)),
            Phase::Speaking { ends_at, .. } => Some(ends_at.duration_since(now)),
            _ => None,
        };
        Seen {
            id,
            phase,
            minutes: self.minutes,
            shared_phone: self.shared_phone,
            started_by_me: self.started_by == me,
            i_speak_first: self.first_speaker == me,
            role,
            remaining,
            my_rating: if me == self.first_speaker { self.first_rating } else { self.second_rating },
            minutes_spoken: self.minutes_spoken(now),
            created_at: self.created_at,
        }
    }

    /// Still holds the couple's one open place: someone may yet join or speak.
    pub fn is_open(&self, now: Timestamp) -> bool {
        matches!(self.phase(now), Phase::Waiting { .. } | Phase::Speaking { .. })
    }
}

/// What starting led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    New,
    /// The partner had started one a moment before; the caller joined it.
    JoinedPartners,
    /// The caller's own conversation was already under way.
    AlreadyRunning,
}

/// What the one who starts asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartRequest {
    pub minutes: u8,
    pub me_first: bool,
    pub shared_phone: bool,
}

/// Starts a conversation, or joins the partner's if one is open: two starts at the same moment
/// make one conversation (the store holds one open conversation per couple).
pub async fn start(ctx: &Ctx, me: &User, req: StartRequest) -> Result<(Seen, Started)> {
    if !MINUTE_CHOICES.contains(&req.minutes) {
        return Err(Error::field("minutes", "Please choose 10, 15 or 20 minutes per speaker."));
    }
    let us = couple::us(ctx, me).await?;
    let minute = ctx.policy.conversation_minute;
    let turn = minute.checked_mul(i32::from(req.minutes)).unwrap_or(SignedDuration::from_mins(15));
    let (first, second) = if req.me_first { (us.me.id, us.partner.id) } else { (us.partner.id, us.me.id) };
    // Two rounds: the second only after losing a race to the partner's start.
    for _ in 0..2 {
        let now = ctx.now();
        if let Some(StoredConversation { id, conversation: open }) = ctx.store.open_conversation(us.couple_id).await? {
            if open.is_open(now) {
                if matches!(open.phase(now), Phase::Waiting { .. }) && open.started_by != us.me.id {
                    let seen = join(ctx, me, id).await?;
                    return Ok((seen, Started::JoinedPartners));
                }
                return Ok((open.seen_by(id, us.me.id, now), Started::AlreadyRunning));
            }
            ctx.store.update_conversation(us.couple_id, id, &open, false).await?;
        }
        let plan = Plan { minutes: req.minutes, turn, shared_phone: req.shared_phone };
        let new = Conversation::start(us.me.id, first, second, plan, now)?;
        if let Some(id) = ctx.store.insert_conversation(us.couple_id, &new).await? {
            ctx.notify(us.couple_id, EventKind::Conversation).await;
            return Ok((new.seen_by(id, us.me.id, now), Started::New));
        }
    }
    Err(Error::rejected("Your partner is starting a conversation right now. Have a look at Today in a moment."))
}

async fn load(ctx: &Ctx, me: &User, id: ConversationId) -> Result<(couple::Us, Conversation)> {
    let us = couple::us(ctx, me).await?;
    let c = ctx.store.conversation(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    Ok((us, c))
}

/// Applies one step and stores it; steps from both phones merge (each time is set once).
async fn step(
    ctx: &Ctx,
    me: &User,
    id: ConversationId,
    apply: impl FnOnce(&mut Conversation, UserId, Timestamp) -> Result<()>,
) -> Result<Seen> {
    let (us, mut c) = load(ctx, me, id).await?;
    let now = ctx.now();
    apply(&mut c, us.me.id, now)?;
    let saved = ctx.store.update_conversation(us.couple_id, id, &c, c.is_open(now)).await?;
    ctx.notify(us.couple_id, EventKind::Conversation).await;
    Ok(saved.seen_by(id, us.me.id, now))
}

pub async fn get(ctx: &Ctx, me: &User, id: ConversationId) -> Result<Seen> {
    let (us, c) = load(ctx, me, id).await?;
    Ok(c.seen_by(id, us.me.id, ctx.now()))
}

pub async fn join(ctx: &Ctx, me: &User, id: ConversationId) -> Result<Seen> {
    step(ctx, me, id, |c, me, now| c.join(me, now)).await
}

pub async fn feel_heard(ctx: &Ctx, me: &User, id: ConversationId) -> Result<Seen> {
    step(ctx, me, id, |c, me, now| c.feel_heard(me, now)).await
}

pub async fn rate(ctx: &Ctx, me: &User, id: ConversationId, rating: Rating) -> Result<Seen> {
    step(ctx, me, id, |c, me, now| c.rate(me, rating, now)).await
}

pub async fn cancel(ctx: &Ctx, me: &User, id: ConversationId) -> Result<Seen> {
    step(ctx, me, id, |c, me, now| c.cancel(me, now)).await
}

/// The couple's latest conversation while it is still going or open for ratings.
pub async fn current(ctx: &Ctx, me: &User) -> Result<Option<Seen>> {
    current_in(ctx, &couple::us(ctx, me).await?).await
}

/// [`current`] for a couple already read (Today reads it once for everything it shows).
pub async fn current_in(ctx: &Ctx, us: &couple::Us) -> Result<Option<Seen>> {
    let now = ctx.now();
    let latest = ctx.store.conversations(us.couple_id, 1).await?;
    Ok(latest
        .into_iter()
        .map(|s| s.conversation.seen_by(s.id, us.me.id, now))
        .find(|s| matches!(s.phase, Phase::Waiting { .. } | Phase::Speaking { .. } | Phase::Rating { .. })))
}

/// Conversations held (someone joined), newest first, as the caller may see them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Past {
    pub held: u32,
    pub minutes: i64,
    pub recent: Vec<Seen>,
}

pub const HISTORY_LIMIT: i64 = 50;

pub async fn history(ctx: &Ctx, me: &User) -> Result<Past> {
    let us = couple::us(ctx, me).await?;
    let recent = held_in(ctx, &us, HISTORY_LIMIT).await?;
    Ok(Past {
        held: u32::try_from(recent.len()).unwrap_or(u32::MAX),
        minutes: recent.iter().map(|s| s.minutes_spoken).sum(),
        recent,
    })
}

/// The couple's latest `limit` conversations that were held (someone joined) and are over or
/// waiting for ratings, newest first, as the caller may see them: never the partner's rating.
pub async fn held_in(ctx: &Ctx, us: &couple::Us, limit: i64) -> Result<Vec<Seen>> {
    let now = ctx.now();
    let all = ctx.store.conversations(us.couple_id, limit).await?;
    Ok(all
        .into_iter()
        .filter(|s| s.conversation.joined_at.is_some())
        .map(|s| s.conversation.seen_by(s.id, us.me.id, now))
        .filter(|s| s.phase.is_over() || matches!(s.phase, Phase::Rating { .. }))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: UserId = UserId(1);
    const B: UserId = UserId(2);

    fn t0() -> Timestamp {
        "2026-03-10T19:00:00Z".parse().expect("time")
    }

    fn after(mins: i64) -> Timestamp {
        t0() + SignedDuration::from_mins(mins)
    }

    fn plan(minutes: u8, shared_phone: bool) -> Plan {
        Plan { minutes, turn: SignedDuration::from_mins(i64::from(minutes)), shared_phone }
    }

    fn fifteen() -> Conversation {
        Conversation::start(A, A, B, plan(15, false), t0()).expect("start")
    }

    #[test]
    fn a_whole_conversation_runs_turn_by_turn() {
        let mut c = fifteen();
        assert_eq!(c.phase(after(1)), Phase::Waiting { until: after(10) });
        c.join(B, after(2)).expect("join");
        let Phase::Speaking { turn: 1, speaker, listener, ends_at, .. } = c.phase(after(3)) else {
            panic!("first turn")
        };
        assert_eq!((speaker, listener, ends_at), (A, B, after(17)));
        c.feel_heard(A, after(12)).expect("heard");
        let Phase::Speaking { turn: 2, speaker, started_at, ends_at, .. } = c.phase(after(12)) else {
            panic!("second turn")
        };
        assert_eq!((speaker, started_at, ends_at), (B, after(12), after(27)));
        c.feel_heard(B, after(20)).expect("heard");
        assert_eq!(c.phase(after(20)), Phase::Rating { until: after(50) });
        c.rate(A, Rating::parse(6, 7).expect("valid"), after(21)).expect("rate");
        assert!(matches!(c.phase(after(21)), Phase::Rating { .. }), "waits for both");
        c.rate(B, Rating::parse(5, 5).expect("valid"), after(22)).expect("rate");
        assert_eq!(c.phase(after(22)), Phase::Done { at: after(20) });
        assert_eq!(c.minutes_spoken(after(30)), 18);
    }

    #[test]
    fn turns_end_when_time_runs_out() {
        let mut c = fifteen();
        c.join(B, t0()).expect("join");
        assert!(matches!(c.phase(after(14)), Phase::Speaking { turn: 1, .. }));
        assert!(
            matches!(c.phase(after(15)), Phase::Speaking { turn: 2, speaker: B, .. }),
            "the switch happens at the deadline"
        );
        assert!(matches!(c.phase(after(30)), Phase::Rating { .. }));
        // A phone waking long after sees the end, not a stale turn.
        assert_eq!(c.phase(after(30 + 30)), Phase::Done { at: after(60) });
        assert!(c.feel_heard(A, after(61)).is_err());
        assert!(c.rate(A, Rating::parse(3, 3).expect("valid"), after(61)).is_err());
    }

    #[test]
    fn only_the_speaker_ends_their_turn() {
        let mut c = fifteen();
        c.join(B, t0()).expect("join");
        assert!(c.feel_heard(B, after(1)).is_err(), "the listener cannot switch roles");
        assert!(matches!(c.phase(after(1)), Phase::Speaking { turn: 1, .. }));
        c.feel_heard(A, after(2)).expect("heard");
        assert!(c.feel_heard(A, after(3)).is_err(), "now A listens");
    }

    #[test]
    fn nobody_joining_expires_the_conversation() {
        let mut c = fifteen();
        assert!(c.join(A, after(1)).is_err(), "the starter doesn't join their own");
        assert_eq!(c.phase(after(10)), Phase::Expired { at: after(10) });
        assert!(c.join(B, after(11)).is_err(), "joining a finished one is refused");
        assert!(c.join(UserId(3), after(1)).is_err(), "a stranger cannot join");
    }

    #[test]
    fn a_shared_phone_starts_at_once() {
        let mut c = Conversation::start(B, A, B, plan(10, true), t0()).expect("start");
        assert!(matches!(c.phase(t0()), Phase::Speaking { turn: 1, speaker: A, .. }));
        c.feel_heard(B, after(3)).expect("on one phone either partner taps for the speaker");
        assert!(matches!(c.phase(after(3)), Phase::Speaking { turn: 2, speaker: B, .. }));
        assert!(c.feel_heard(UserId(3), after(4)).is_err());
    }

    #[test]
    fn ratings_are_one_to_seven_and_replaceable() {
        assert!(Rating::parse(0, 4).is_err());
        assert!(Rating::parse(4, 8).is_err());
        assert!(Rating::parse(-1, 300).is_err());
        let mut c = fifteen();
        c.join(B, t0()).expect("join");
        assert!(c.rate(A, Rating::parse(4, 4).expect("valid"), after(1)).is_err(), "not during the turns");
        c.rate(A, Rating::parse(4, 4).expect("valid"), after(31)).expect("rate");
        c.rate(A, Rating::parse(6, 6).expect("valid"), after(32)).expect("rate again");
        assert_eq!(c.first_rating, Some(Rating { understood: 6, cared_for: 6 }));
        assert!(c.rate(UserId(9), Rating::parse(4, 4).expect("valid"), after(33)).is_err());
        // Unrated sessions close by themselves.
        assert_eq!(c.phase(after(60)), Phase::Done { at: after(60) });
    }

    #[test]
    fn cancelling_ends_it_for_both_and_is_idempotent() {
        let mut c = fifteen();
        c.join(B, t0()).expect("join");
        c.cancel(B, after(5)).expect("cancel");
        assert_eq!(c.phase(after(6)), Phase::Cancelled { at: after(5) });
        c.cancel(A, after(7)).expect("again");
        assert_eq!(c.cancelled_at, Some(after(5)));
        assert_eq!(c.minutes_spoken(after(8)), 5);
        assert!(c.cancel(UserId(3), after(9)).is_err());
    }

    #[test]
    fn minutes_are_ten_fifteen_or_twenty() {
        assert_eq!(parse_minutes(None).ok(), Some(15));
        assert_eq!(parse_minutes(Some("20")).ok(), Some(20));
        for bad in ["5", "0", "abc", "-10", "300"] {
            assert!(parse_minutes(Some(bad)).is_err(), "{bad}");
        }
        assert!(Conversation::start(A, A, A, plan(15, false), t0()).is_err());
        assert!(Conversation::start(UserId(3), A, B, plan(15, false), t0()).is_err());
    }
}
