//! Today: the couple's daily practices at a glance, from one partner's side.

use crate::Ctx;
use crate::appreciation::{self, Appreciation};
use crate::check_in::{self, DayView};
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::store::User;
use jiff::Timestamp;

#[derive(Clone, Debug)]
pub struct Overview {
    pub us: Us,
    pub check_in: DayView,
    /// Appreciations given since the start of the caller's local day, newest first.
    pub received: Vec<Appreciation>,
    pub given: Vec<Appreciation>,
    /// When the caller last looked; what the partner added after it is new.
    pub last_seen: Option<Timestamp>,
}

impl Overview {
    /// True for something the partner added since the caller last looked.
    pub fn is_new(&self, by_partner: bool, at: Timestamp) -> bool {
        by_partner && self.last_seen.is_some_and(|seen| at > seen)
    }

    /// True when the partner's check-in or an appreciation from them is new to the caller.
    pub fn shows_something_new(&self) -> bool {
        self.partner_check_in_is_new()
            || self.received.iter().any(|a| self.is_new(a.author != self.us.me.id, a.created_at))
    }

    pub fn partner_check_in_is_new(&self) -> bool {
        match &self.check_in.partner {
            check_in::PartnerCheckIn::Revealed { check_in } => self.is_new(true, check_in.updated_at),
            _ => false,
        }
    }
}

/// Reads Today for the caller. With `mark_seen`, also remembers that they looked now, but only
/// when that changes something: on a first visit, or when the page shows something of the
/// partner's as new. A view with nothing new writes nothing, and what the partner keeps hidden
/// until the caller checks in is still new the day it is revealed.
pub async fn overview(ctx: &Ctx, me: &User, mark_seen: bool) -> Result<Overview> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let zone = us.me.time_zone.zone();
    let start = us.me.time_zone.today(now).to_zoned(zone).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let check_in = check_in::for_day(ctx, &us, us.me.time_zone.today(now)).await?;
    let (received, given): (Vec<_>, Vec<_>) =
        appreciation::since(ctx, &us, start, None).await?.into_iter().partition(|a| a.recipient == us.me.id);
    let last_seen = ctx.store.seen_at(us.me.id).await?;
    let overview = Overview { us, check_in, received, given, last_seen };
    if mark_seen && (last_seen.is_none() || overview.shows_something_new()) {
        ctx.store.set_seen_at(overview.us.me.id, now).await?;
    }
    Ok(overview)
}

/// Everything Today shows, read side by side: the reads are independent, so a page waits for
/// the slowest one rather than for their sum.
#[derive(Debug)]
pub struct Loaded {
    pub overview: Overview,
    pub talk: Option<crate::conversation::Seen>,
    pub evening: Option<crate::tech_free::Seen>,
    pub show_and_tell: Option<crate::ShowAndTellId>,
    pub listening: Option<crate::listening::Listening>,
    pub question: crate::questions::exchange::Seen,
    pub rhythm_today: Vec<crate::rhythm::TodayItem>,
    pub nudges: Vec<crate::reminder::Nudge>,
    pub guide_hidden: bool,
    pub together: Vec<TogetherLine>,
    /// What the page adds to the API's view ([`Extras::Page`]): a photo from this day in an
    /// earlier year, and whether to show the gentle hint about help.
    pub on_this_day: Option<(String, crate::photo::PhotoView)>,
    pub help_hint: bool,
}

/// Whether [`load`] reads what only the page shows, too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extras {
    Page,
    Api,
}

/// Reads Today for the caller, recording the visit (at most once a minute).
pub async fn load(ctx: &Ctx, me: &User, extras: Extras) -> Result<Loaded> {
    let overview = overview(ctx, me, true).await?;
    let us = &overview.us;
    let page = extras == Extras::Page;
    let (talk, evening, show_and_tell, listening, question, rhythm_today, nudges, guide_hidden, together) = tokio::try_join!(
        crate::conversation::current_in(ctx, us),
        crate::tech_free::current_in(ctx, us),
        crate::show_and_tell::open_in(ctx, us),
        crate::listening::open_in(ctx, us),
        crate::questions::exchange::question_for_today_in(ctx, us, false),
        crate::rhythm::today_line(ctx, us),
        crate::reminder::nudges_today(ctx, us),
        crate::account::guide_hidden(ctx, &us.me),
        together(ctx, us),
    )?;
    let (on_this_day, help_hint) = if page {
        tokio::try_join!(crate::memories::on_this_day(ctx, us), crate::help_hint::for_me(ctx, &us.me))?
    } else {
        (None, false)
    };
    Ok(Loaded {
        overview,
        talk,
        evening,
        show_and_tell,
        listening,
        question,
        rhythm_today,
        nudges,
        guide_hidden,
        together,
        on_this_day,
        help_hint,
    })
}

impl Loaded {
    pub fn pieces(&self) -> Pieces<'_> {
        Pieces {
            overview: &self.overview,
            talk: self.talk.as_ref(),
            evening: self.evening.as_ref(),
            show_and_tell: self.show_and_tell,
            listening: self.listening.as_ref(),
            question: Some(&self.question),
            rhythm_today: &self.rhythm_today,
            nudges: &self.nudges,
        }
    }
}

/// Today's pieces, as the page and the API both load them.
#[derive(Clone, Copy, Debug)]
pub struct Pieces<'a> {
    pub overview: &'a Overview,
    /// The couple's current conversation, if it needs this person.
    pub talk: Option<&'a crate::conversation::Seen>,
    pub evening: Option<&'a crate::tech_free::Seen>,
    /// A photo show-and-tell going on now.
    pub show_and_tell: Option<crate::ShowAndTellId>,
    pub listening: Option<&'a crate::listening::Listening>,
    pub question: Option<&'a crate::questions::exchange::Seen>,
    pub rhythm_today: &'a [crate::rhythm::TodayItem],
    pub nudges: &'a [crate::reminder::Nudge],
}

/// The facts the next step is chosen from: one reading, for the page and the API alike.
pub fn facts(p: &Pieces<'_>, now: Timestamp) -> Facts {
    use crate::conversation::Phase;
    use crate::questions::exchange::PartnerAnswer;
    let me = p.overview.us.me.id;
    Facts {
        evening_to_join: p.evening.is_some_and(|e| e.can_join),
        evening_on: p.evening.is_some_and(|e| !e.can_join),
        talk: p.talk.filter(|t| t.needs_me()).and_then(|t| match t.phase {
            Phase::Waiting { .. } if t.can_join() => Some(TalkFact::ToJoin),
            Phase::Speaking { .. } => Some(TalkFact::Running),
            Phase::Rating { .. } => Some(TalkFact::ToRate),
            _ => None,
        }),
        show_and_tell: p.show_and_tell.map(|id| id.0),
        listening_move: p.listening.is_some_and(|l| l.is_move_of(me, now)),
        nudged: p.nudges.iter().find(|n| !n.from_me).map(|n| n.practice),
        checked_in: p.overview.check_in.mine.is_some(),
        partner_checked_in: p.overview.check_in.partner != check_in::PartnerCheckIn::NotYet,
        answered_question: p.question.is_some_and(|q| q.mine.is_some()),
        partner_answered_question: p.question.is_some_and(|q| matches!(q.partner, PartnerAnswer::WaitingForYou)),
        planned_today: p.rhythm_today.iter().find(|r| !r.text.starts_with("This week")).map(|r| r.text.clone()),
        appreciated_today: !p.overview.given.is_empty(),
    }
}

/// What Today knows about the day, in a form the choice of the next step can read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The partner started a tech-free evening and this person can join it.
    pub evening_to_join: bool,
    /// A tech-free evening is on for both.
    pub evening_on: bool,
    /// A photo show-and-tell is going on (its id).
    pub show_and_tell: Option<i64>,
    /// A conversation: the partner's to join, one under way, or one to rate.
    pub talk: Option<TalkFact>,
    /// The partner shared something (or reflected) and it is this person's move.
    pub listening_move: bool,
    /// The partner nudged this person today about a practice.
    pub nudged: Option<crate::rhythm::Practice>,
    pub checked_in: bool,
    pub partner_checked_in: bool,
    /// Today's question: answered (or passed) by this person; the partner has answered.
    pub answered_question: bool,
    pub partner_answered_question: bool,
    /// Something on the rhythm for tonight or today (the text Today shows).
    pub planned_today: Option<String>,
    pub appreciated_today: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TalkFact {
    ToJoin,
    Running,
    ToRate,
}

/// The one thing that matters most now, for the top of Today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    JoinEvening,
    EveningOn,
    JoinTalk,
    BackToTalk,
    /// A photo show-and-tell is going on: join it (its id).
    ShowAndTell(i64),
    RateTalk,
    Listening,
    /// The partner checked in and waits to see this person's.
    CheckInPartnerWaiting,
    Nudged(crate::rhythm::Practice),
    CheckIn,
    /// The partner answered today's question and waits for this person's answer.
    QuestionPartnerWaiting,
    Question,
    Planned(String),
    Appreciate,
    /// Everything of the day is done.
    AllDone,
}

impl Next {
    /// Its name in the API.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::JoinEvening => "join-evening",
            Self::EveningOn => "evening-on",
            Self::JoinTalk => "join-conversation",
            Self::BackToTalk => "back-to-conversation",
            Self::ShowAndTell(_) => "show-and-tell",
            Self::RateTalk => "rate-conversation",
            Self::Listening => "listening",
            Self::CheckInPartnerWaiting => "check-in-partner-waiting",
            Self::Nudged(_) => "nudged",
            Self::CheckIn => "check-in",
            Self::QuestionPartnerWaiting => "question-partner-waiting",
            Self::Question => "question",
            Self::Planned(_) => "planned",
            Self::Appreciate => "appreciate",
            Self::AllDone => "all-done",
        }
    }

    /// Whether this step is the check-in (its form then opens at once).
    pub fn is_check_in(&self) -> bool {
        matches!(self, Self::CheckIn | Self::CheckInPartnerWaiting)
            || matches!(self, Self::Nudged(p) if *p == crate::rhythm::Practice::CheckIn)
    }

    pub fn is_appreciation(&self) -> bool {
        matches!(self, Self::Appreciate)
            || matches!(self, Self::Nudged(p) if *p == crate::rhythm::Practice::Appreciation)
    }
}

/// Chooses the next step: what someone else waits for first (a partner in a live practice,
/// then a partner waiting for a reveal), then this person's own daily practices, then what is
/// planned, then a kind word.
pub fn next(f: &Facts) -> Next {
    use crate::rhythm::Practice;
    if f.evening_to_join {
        return Next::JoinEvening;
    }
    if f.evening_on {
        return Next::EveningOn;
    }
    match f.talk {
        Some(TalkFact::ToJoin) => return Next::JoinTalk,
        Some(TalkFact::Running) => return Next::BackToTalk,
        _ => {}
    }
    if let Some(id) = f.show_and_tell {
        return Next::ShowAndTell(id);
    }
    if f.listening_move {
        return Next::Listening;
    }
    // Right after a conversation, how it felt is freshest.
    if f.talk == Some(TalkFact::ToRate) {
        return Next::RateTalk;
    }
    if !f.checked_in && f.partner_checked_in {
        return Next::CheckInPartnerWaiting;
    }
    if let Some(p) = f.nudged {
        let done = match p {
            Practice::CheckIn => f.checked_in,
            Practice::Appreciation => f.appreciated_today,
            _ => false,
        };
        if !done {
            return Next::Nudged(p);
        }
    }
    if !f.checked_in {
        return Next::CheckIn;
    }
    if !f.answered_question && f.partner_answered_question {
        return Next::QuestionPartnerWaiting;
    }
    if !f.appreciated_today {
        return Next::Appreciate;
    }
    if !f.answered_question {
        return Next::Question;
    }
    if let Some(text) = &f.planned_today {
        return Next::Planned(text.clone());
    }
    Next::AllDone
}

/// A zone as people name a place: `America/New_York` is "New York".
pub fn place_name(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

/// One day of a new couple's first week.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuideDay {
    pub day: u8,
    /// check-in, appreciation, question, hug, conversation, listening or rhythm.
    pub practice: String,
    pub title: String,
    /// One sentence of why, with its source.
    pub why: String,
    pub action: String,
}

impl GuideDay {
    /// Where the day's practice is.
    pub fn href(&self) -> &'static str {
        match self.practice.as_str() {
            "check-in" => "/today#check-in",
            "appreciation" => "/today#appreciate",
            "question" => "/questions",
            "hug" => "/hugs",
            "conversation" => "/conversations",
            "listening" => "/listening",
            "rhythm" => "/rhythm#plan",
            _ => "/today",
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GuideFile {
    days: Vec<GuideDay>,
}

/// The first week, from `content/guide/first-week.toml`.
pub fn first_week() -> &'static [GuideDay] {
    static DAYS: std::sync::OnceLock<Vec<GuideDay>> = std::sync::OnceLock::new();
    DAYS.get_or_init(|| {
        toml::from_str::<GuideFile>(include_str!("../../../content/guide/first-week.toml"))
            .map(|f| f.days)
            .unwrap_or_default()
    })
}

/// Today's step of the first week: day 1 is the day the couple paired, in this person's own
/// calendar; nothing after day 7.
pub fn guide_day(us: &Us, now: Timestamp) -> Option<&'static GuideDay> {
    let tz = &us.me.time_zone;
    let since = tz.today(us.since);
    let days = since.until(tz.today(now)).ok()?.get_days();
    let day = u8::try_from(days + 1).ok()?;
    first_week().iter().find(|d| d.day == day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rhythm::Practice;

    #[test]
    fn a_partner_waiting_comes_before_ones_own_practices() {
        assert_eq!(next(&Facts::default()), Next::CheckIn);
        let waiting = Facts { partner_checked_in: true, ..Facts::default() };
        assert_eq!(next(&waiting), Next::CheckInPartnerWaiting);
        let live = Facts { talk: Some(TalkFact::ToJoin), partner_checked_in: true, ..Facts::default() };
        assert_eq!(next(&live), Next::JoinTalk);
        let evening = Facts { evening_to_join: true, talk: Some(TalkFact::ToJoin), ..Facts::default() };
        assert_eq!(next(&evening), Next::JoinEvening);
        let photos = Facts { show_and_tell: Some(7), partner_checked_in: true, ..Facts::default() };
        assert_eq!(next(&photos), Next::ShowAndTell(7), "a show-and-tell going on comes before the day's own");
        assert_eq!(next(&Facts { talk: Some(TalkFact::Running), ..photos }), Next::BackToTalk);
    }

    #[test]
    fn then_the_day_in_order_and_done_at_last() {
        let checked = Facts { checked_in: true, ..Facts::default() };
        assert_eq!(next(&checked), Next::Appreciate);
        let their_answer = Facts { partner_answered_question: true, ..checked.clone() };
        assert_eq!(next(&their_answer), Next::QuestionPartnerWaiting);
        let appreciated = Facts { appreciated_today: true, ..checked.clone() };
        assert_eq!(next(&appreciated), Next::Question);
        let answered = Facts { answered_question: true, ..appreciated.clone() };
        assert_eq!(next(&answered), Next::AllDone);
        let planned = Facts { planned_today: Some("Tonight from 19:30: tech-free evening".into()), ..answered };
        assert_eq!(next(&planned), Next::Planned("Tonight from 19:30: tech-free evening".into()));
    }

    #[test]
    fn a_nudge_counts_until_it_is_done() {
        let nudged = Facts { nudged: Some(Practice::Hug), checked_in: true, ..Facts::default() };
        assert_eq!(next(&nudged), Next::Nudged(Practice::Hug));
        let done = Facts { nudged: Some(Practice::CheckIn), checked_in: true, ..Facts::default() };
        assert_eq!(next(&done), Next::Appreciate);
        assert!(Next::Nudged(Practice::CheckIn).is_check_in());
    }

    #[test]
    fn the_first_week_has_a_practice_a_day() {
        let week = first_week();
        assert_eq!(week.iter().map(|d| d.day).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6, 7]);
        for d in week {
            assert!(!d.title.is_empty() && !d.action.is_empty(), "{d:?}");
            assert!(d.why.ends_with('.') && d.why.len() < 260, "one sentence: {}", d.why);
            assert_ne!(d.href(), "/today", "a known practice: {}", d.practice);
        }
    }

    #[test]
    fn places_read_like_places() {
        assert_eq!(place_name("America/New_York"), "New York");
        assert_eq!(place_name("America/Argentina/Buenos_Aires"), "Buenos Aires");
        assert_eq!(place_name("UTC"), "UTC");
    }
}

/// What Today shows of play and goals: a line for each thing that involves this person now.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TogetherLine {
    /// "plan-to-accept", "plan-today", "plan-soon", "how-was-it", "ask", "celebrate".
    pub kind: &'static str,
    pub text: String,
    pub href: String,
}

/// How far ahead Today mentions an accepted plan.
const PLAN_SOON_DAYS: i64 = 7;
/// How long after a plan Today asks "how was it?".
const HOW_WAS_IT_DAYS: i64 = 3;

/// Plans waiting for this person's yes, plans coming up this week, "how was it?" for the
/// last few days' plans, asks promised for today, and goals done in the last few days.
pub async fn together(ctx: &Ctx, us: &Us) -> Result<Vec<TogetherLine>> {
    use crate::play::PlanStage;
    let now = ctx.now();
    let tz = &us.me.time_zone;
    let today = tz.today(now);
    let partner = &us.partner.display_name;
    let mut lines = Vec::new();
    let goals = ctx.store.goals(us.couple_id, us.me.id).await?;
    for g in crate::goals::to_celebrate(&goals, now) {
        let text = if g.owner == us.me.id {
            format!("You did it: “{}” is done! 🎉", g.title)
        } else {
            format!("{partner} did it: “{}” is done! 🎉 Tell them how proud you are.", g.title)
        };
        lines.push(TogetherLine { kind: "celebrate", text, href: format!("/goals/{}", g.id) });
    }
    for ask in crate::goals::asks_today(ctx, us).await? {
        lines.push(TogetherLine {
            kind: "ask",
            text: format!("You said you’d ask {partner} today how “{}” is going.", ask.goal.title),
            href: format!("/goals/{}", ask.goal.id),
        });
    }
    let soon = now.checked_add(jiff::SignedDuration::from_hours(24 * PLAN_SOON_DAYS)).unwrap_or(now);
    let recent = now.checked_sub(jiff::SignedDuration::from_hours(24 * HOW_WAS_IT_DAYS)).unwrap_or(now);
    let plans = crate::play::plans_in(ctx, us).await?;
    for p in plans.iter().rev() {
        let title = &p.idea.title;
        let href = format!("/play/plans/{}", p.id);
        let line = match p.stage {
            PlanStage::Proposed if !p.by_me => {
                Some(("plan-to-accept", format!("{partner} would like to plan “{title}” for {}. Say yes?", p.when)))
            }
            PlanStage::Upcoming if tz.today(p.at) == today => {
                let time = p.at.to_zoned(tz.zone()).strftime("%H:%M").to_string();
                Some(("plan-today", format!("Today at {time}: “{title}”, together.")))
            }
            PlanStage::Upcoming if p.at <= soon => Some(("plan-soon", format!("Coming up: “{title}”, {}.", p.when))),
            PlanStage::Happened if p.at >= recent && p.mine.is_none() => {
                Some(("how-was-it", format!("How was “{title}”? Tap how it felt.")))
            }
            _ => None,
        };
        if let Some((kind, text)) = line {
            lines.push(TogetherLine { kind, text, href });
        }
    }
    Ok(lines)
}
