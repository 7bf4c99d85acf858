//! Reflective listening, a weekly practice: one partner shares briefly what is on their mind,
//! the other writes back what they heard and the feeling they sense, and the one who shared
//! answers "you got it" or "not quite" with a few words more. Up to [`MAX_ROUNDS`] rounds;
//! then they may swap.
//!
//! Everything written here is seen by both partners at once: it is a conversation, not a
//! private answer. The stage is a function of the stored rounds ([`Listening::stage`]); the
//! store holds one open exchange per couple and guards each step, so a double tap or two
//! phones at once cannot write a step twice.

use crate::Ctx;
use crate::couple;
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{ListeningId, UserId};
use crate::store::User;
use jiff::{SignedDuration, Timestamp};

pub const MAX_ROUNDS: u8 = 3;
pub const SHARE_MAX: usize = 1000;
pub const REFLECTION_MAX: usize = 1000;
pub const FEELING_MAX: usize = 60;
/// An exchange nobody touches for this long is set aside by itself.
pub const IDLE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A way of listening, what it does to the connection, and what to do instead or more of.
/// The texts are in `content/practices/listening.toml`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Style {
    pub name: String,
    pub effect: String,
    pub what_to_do: String,
}

/// The three listening styles shown beside the practice.
pub fn styles() -> &'static [Style] {
    &crate::content::listening().styles
}

/// Feeling words offered to the listener; any words of their own are welcome too.
pub fn feelings() -> &'static [String] {
    &crate::content::listening().feelings
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    GotIt,
    NotQuite,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GotIt => "got-it",
            Self::NotQuite => "not-quite",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::GotIt, Self::NotQuite].into_iter().find(|v| v.as_str() == s.trim())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Round {
    pub round: u8,
    /// The first share, or the clarification after "not quite".
    pub share: String,
    pub shared_at: Timestamp,
    pub reflection: Option<String>,
    pub feeling: Option<String>,
    pub reflected_at: Option<Timestamp>,
    pub verdict: Option<Verdict>,
    pub answered_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listening {
    pub id: ListeningId,
    pub speaker: UserId,
    pub listener: UserId,
    pub created_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// In order, at least one.
    pub rounds: Vec<Round>,
}

/// Whose move it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The listener writes back what they heard in `round`.
    Reflecting { round: u8 },
    /// The speaker says whether the listener got it.
    Answering { round: u8 },
    /// The speaker felt understood.
    Understood,
    /// The rounds ran out, or the exchange was set aside or left idle.
    Ended,
}

impl Stage {
    /// The stage's name, as pages and the API show it.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reflecting { .. } => "reflecting",
            Stage::Answering { .. } => "answering",
            Stage::Understood => "understood",
            Stage::Ended => "ended",
        }
    }
}

impl Listening {
    /// Whether the next step is `who`'s: the listener reflects, the speaker answers.
    pub fn is_move_of(&self, who: UserId, now: Timestamp) -> bool {
        match self.stage(now) {
            Stage::Reflecting { .. } => self.listener == who,
            Stage::Answering { .. } => self.speaker == who,
            Stage::Understood | Stage::Ended => false,
        }
    }

    pub fn last_activity(&self) -> Timestamp {
        self.rounds
            .iter()
            .flat_map(|r| [Some(r.shared_at), r.reflected_at, r.answered_at])
            .flatten()
            .max()
            .unwrap_or(self.created_at)
    }

    pub fn stage(&self, now: Timestamp) -> Stage {
        let Some(last) = self.rounds.last() else { return Stage::Ended };
        match last.verdict {
            Some(Verdict::GotIt) => return Stage::Understood,
            Some(Verdict::NotQuite) => return Stage::Ended,
            None => {}
        }
        if self.closed_at.is_some() || now.duration_since(self.last_activity()) >= IDLE {
            return Stage::Ended;
        }
        if last.reflection.is_none() {
            Stage::Reflecting { round: last.round }
        } else {
            Stage::Answering { round: last.round }
        }
    }

    pub fn is_open(&self, now: Timestamp) -> bool {
        matches!(self.stage(now), Stage::Reflecting { .. } | Stage::Answering { .. })
    }
}

/// The listener's reflection, parsed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewReflection {
    #[serde(default)]
    pub reflection: String,
    #[serde(default)]
    pub feeling: String,
}

/// The speaker's answer, as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewAnswer {
    #[serde(default)]
    pub verdict: String,
    /// Required with "not quite" while rounds remain: what they meant.
    #[serde(default)]
    pub clarification: String,
}

fn share_text(raw: &str, field: &'static str) -> Result<String> {
    let t = crate::text::clean(raw, SHARE_MAX, "what you share").map_err(|e| Error::field(field, e))?;
    if t.is_empty() {
        return Err(Error::field(field, "Write a few words about what’s on your mind."));
    }
    Ok(t)
}

/// Starts an exchange with the caller as the one who shares.
pub async fn start(ctx: &Ctx, me: &User, share: &str) -> Result<Listening> {
    let share = share_text(share, "share")?;
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    if let Some(open) = ctx.store.open_listening(us.couple_id).await? {
        if open.is_open(now) {
            return Err(Error::rejected(if open.speaker == us.me.id {
                "You’re already sharing in a listening round. Finish it or set it aside first."
            } else {
                "Your partner is sharing right now. Listen first; then you can swap."
            }));
        }
        ctx.store.close_listening(us.couple_id, open.id, now).await?;
    }
    let Some(id) = ctx.store.insert_listening(us.couple_id, us.me.id, us.partner.id, &share, now).await? else {
        return Err(Error::rejected("Your partner has just started sharing. Listen first; then you can swap."));
    };
    ctx.notify(us.couple_id, EventKind::Listening).await;
    get(ctx, me, id).await
}

pub async fn get(ctx: &Ctx, me: &User, id: ListeningId) -> Result<Listening> {
    let us = couple::us(ctx, me).await?;
    ctx.store.listening(us.couple_id, id).await?.ok_or(Error::NotFound)
}

/// The listener writes back what they heard and the feeling they sense.
pub async fn reflect(ctx: &Ctx, me: &User, id: ListeningId, form: &NewReflection) -> Result<Listening> {
    let mut errors = FieldErrors::default();
    let reflection = errors.take("reflection", crate::text::clean(&form.reflection, REFLECTION_MAX, "what you heard"));
    let feeling = errors.take("feeling", crate::text::clean(&form.feeling, FEELING_MAX, "the feeling"));
    if reflection.as_deref().is_some_and(str::is_empty) {
        errors.add("reflection", "Say in your own words what you heard.");
    }
    if feeling.as_deref().is_some_and(str::is_empty) {
        errors.add("feeling", "Name the feeling you sense, even as a guess.");
    }
    errors.into_result()?;
    let (Some(reflection), Some(feeling)) = (reflection, feeling) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let us = couple::us(ctx, me).await?;
    let l = ctx.store.listening(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    let now = ctx.now();
    let Stage::Reflecting { round } = l.stage(now) else {
        return Err(Error::rejected("There’s nothing waiting for a reflection in this exchange."));
    };
    if l.listener != us.me.id {
        return Err(Error::rejected("Your partner is the listener this time; their reflection will show here."));
    }
    if !ctx.store.reflect_listening(us.couple_id, id, round, &reflection, &feeling, now).await? {
        return Err(Error::rejected("A reflection for this round was just sent."));
    }
    ctx.notify(us.couple_id, EventKind::Listening).await;
    get(ctx, me, id).await
}

/// The speaker answers: "you got it", or "not quite" with what they meant.
pub async fn answer(ctx: &Ctx, me: &User, id: ListeningId, form: &NewAnswer) -> Result<Listening> {
    let verdict =
        Verdict::parse(&form.verdict).ok_or_else(|| Error::field("verdict", "Choose “You got it” or “Not quite”."))?;
    let us = couple::us(ctx, me).await?;
    let l = ctx.store.listening(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    let now = ctx.now();
    let Stage::Answering { round } = l.stage(now) else {
        return Err(Error::rejected("There’s no reflection waiting for your answer in this exchange."));
    };
    if l.speaker != us.me.id {
        return Err(Error::rejected("Only the one who shared can say whether they were understood."));
    }
    let next = match verdict {
        Verdict::NotQuite if round < MAX_ROUNDS => Some(share_text(&form.clarification, "clarification")?),
        _ => None,
    };
    if !ctx.store.answer_listening(us.couple_id, id, round, verdict, next.as_deref(), now).await? {
        return Err(Error::rejected("This round was just answered."));
    }
    ctx.notify(us.couple_id, EventKind::Listening).await;
    get(ctx, me, id).await
}

/// Either partner may set an open exchange aside; doing it twice is harmless.
pub async fn set_aside(ctx: &Ctx, me: &User, id: ListeningId) -> Result<Listening> {
    let us = couple::us(ctx, me).await?;
    let l = ctx.store.listening(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    if l.is_open(ctx.now()) {
        ctx.store.close_listening(us.couple_id, id, ctx.now()).await?;
        ctx.notify(us.couple_id, EventKind::Listening).await;
    }
    get(ctx, me, id).await
}

/// The couple's exchange that is waiting for a step, if any.
pub async fn open(ctx: &Ctx, me: &User) -> Result<Option<Listening>> {
    open_in(ctx, &couple::us(ctx, me).await?).await
}

/// [`open`] for a couple already read.
pub async fn open_in(ctx: &Ctx, us: &couple::Us) -> Result<Option<Listening>> {
    Ok(ctx.store.open_listening(us.couple_id).await?.filter(|l| l.is_open(ctx.now())))
}

/// The couple's exchanges, newest first.
pub async fn recent(ctx: &Ctx, me: &User, limit: i64) -> Result<Vec<Listening>> {
    let us = couple::us(ctx, me).await?;
    recent_in(ctx, &us, limit.clamp(1, 100)).await
}

/// [`recent`] for a couple already read, as many as `limit` (both partners see every round).
pub async fn recent_in(ctx: &Ctx, us: &couple::Us, limit: i64) -> Result<Vec<Listening>> {
    ctx.store.listenings(us.couple_id, limit.max(1)).await.map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(mins: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000).expect("time") + SignedDuration::from_mins(mins)
    }

    fn round(n: u8) -> Round {
        Round {
            round: n,
            share: "work is a lot".into(),
            shared_at: t(i64::from(n)),
            reflection: None,
            feeling: None,
            reflected_at: None,
            verdict: None,
            answered_at: None,
        }
    }

    fn exchange(rounds: Vec<Round>) -> Listening {
        Listening {
            id: ListeningId(1),
            speaker: UserId(1),
            listener: UserId(2),
            created_at: t(0),
            closed_at: None,
            rounds,
        }
    }

    #[test]
    fn stages_follow_the_rounds() {
        let mut l = exchange(vec![round(1)]);
        assert_eq!(l.stage(t(2)), Stage::Reflecting { round: 1 });
        l.rounds[0].reflection = Some("you feel stretched".into());
        l.rounds[0].reflected_at = Some(t(3));
        assert_eq!(l.stage(t(4)), Stage::Answering { round: 1 });
        l.rounds[0].verdict = Some(Verdict::NotQuite);
        l.rounds.push(round(2));
        assert_eq!(l.stage(t(5)), Stage::Reflecting { round: 2 });
        l.rounds[1].reflection = Some("more that nobody sees it".into());
        l.rounds[1].verdict = Some(Verdict::GotIt);
        assert_eq!(l.stage(t(6)), Stage::Understood);
        assert!(!l.is_open(t(6)));
    }

    #[test]
    fn set_aside_idle_or_out_of_rounds_ends_it() {
        let mut l = exchange(vec![round(1)]);
        assert_eq!(l.stage(t(1) + IDLE), Stage::Ended, "a week without a step");
        assert!(l.is_open(t(1) + IDLE - SignedDuration::from_secs(1)));
        l.closed_at = Some(t(2));
        assert_eq!(l.stage(t(3)), Stage::Ended);
        let mut last = round(MAX_ROUNDS);
        last.reflection = Some("heard".into());
        last.verdict = Some(Verdict::NotQuite);
        assert_eq!(exchange(vec![last]).stage(t(9)), Stage::Ended);
    }

    #[test]
    fn verdicts_parse_strictly() {
        assert_eq!(Verdict::parse("got-it"), Some(Verdict::GotIt));
        assert_eq!(Verdict::parse(" not-quite "), Some(Verdict::NotQuite));
        assert_eq!(Verdict::parse("yes"), None);
    }
}
