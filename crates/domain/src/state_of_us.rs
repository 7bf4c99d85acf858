//! State of Us: once a week, each partner privately says what went well between you, what
//! they need more and less of next week, a feeling word, and perhaps one topic to talk about.
//!
//! # The week
//! An answer belongs to the week (Monday to Sunday) of its author's own local date, and can be
//! changed until that week ends. Two partners' answers pair by week, as check-ins pair by date.
//!
//! # The reveal rule
//! You see *that* your partner answered this week; you see *what* they said only once you
//! have answered the same week. What a partner may see is its own type, [`Shared`]: it has no
//! room for the private "we keep having the same argument" mark, which only its author and
//! the private help hint ever read.

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{CoupleId, UserId};
use crate::store::User;
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use std::sync::OnceLock;

pub const TEXT_MAX: usize = 500;
pub const TOPIC_MAX: usize = 200;

/// One partner's State of Us for one week, as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StateOfUs {
    pub author: UserId,
    /// The Monday of the week it is for.
    pub week: Date,
    pub went_well: String,
    pub need_more: String,
    pub need_less: String,
    pub feeling: String,
    pub topic: String,
    /// "We keep having the same argument": private to its author, never shown to the partner.
    pub stuck: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a partner may see of the other's State of Us: everything but the private mark.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shared {
    pub week: Date,
    pub went_well: String,
    pub need_more: String,
    pub need_less: String,
    pub feeling: String,
    pub topic: String,
    pub updated_at: Timestamp,
}

impl From<StateOfUs> for Shared {
    fn from(s: StateOfUs) -> Self {
        Self {
            week: s.week,
            went_well: s.went_well,
            need_more: s.need_more,
            need_less: s.need_less,
            feeling: s.feeling,
            topic: s.topic,
            updated_at: s.updated_at,
        }
    }
}

/// A State of Us ready to store, for the author's current week.
#[derive(Clone, Debug)]
pub struct StateOfUsRecord {
    pub couple: CoupleId,
    pub author: UserId,
    pub week: Date,
    pub went_well: String,
    pub need_more: String,
    pub need_less: String,
    pub feeling: String,
    pub topic: String,
    pub stuck: bool,
    pub now: Timestamp,
}

/// A State of Us as typed.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewStateOfUs {
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub need_more: String,
    #[serde(default)]
    pub need_less: String,
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub topic: String,
    /// A checkbox: any value but empty, "false", "off" or "0" means yes.
    #[serde(default)]
    pub stuck: Option<String>,
}

fn yes(raw: Option<&str>) -> bool {
    raw.map(str::trim).is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "false" | "off" | "0" | "no"))
}

/// Checks a State of Us for `me`'s week starting `week`.
pub fn parse(form: &NewStateOfUs, couple: CoupleId, me: UserId, week: Date, now: Timestamp) -> Result<StateOfUsRecord> {
    let mut errors = FieldErrors::default();
    let went_well = errors.take("went_well", crate::text::clean(&form.went_well, TEXT_MAX, "what went well"));
    let need_more = errors.take("need_more", crate::text::clean(&form.need_more, TEXT_MAX, "what you need more of"));
    let need_less = errors.take("need_less", crate::text::clean(&form.need_less, TEXT_MAX, "what you need less of"));
    let topic = errors.take("topic", crate::text::clean(&form.topic, TOPIC_MAX, "your topic"));
    let feeling = form.feeling.trim().to_lowercase();
    if feeling.is_empty() {
        errors.add("feeling", "Please choose a feeling word for this week.");
    } else if !feeling_words().any(|w| w == feeling) {
        errors.add("feeling", "Please choose one of the feeling words on the list.");
    }
    if went_well.as_deref() == Some("") {
        errors.add("went_well", "Please say one thing that went well between you, even a small one.");
    }
    if need_more.as_deref() == Some("") && need_less.as_deref() == Some("") {
        errors.add("need_more", "Please say what you need more of, or less of, next week.");
    }
    errors.into_result()?;
    let (Some(went_well), Some(need_more), Some(need_less), Some(topic)) = (went_well, need_more, need_less, topic)
    else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    Ok(StateOfUsRecord {
        couple,
        author: me,
        week,
        went_well,
        need_more,
        need_less,
        feeling,
        topic,
        stuck: yes(form.stuck.as_deref()),
        now,
    })
}

/// What one partner may see of the other's State of Us for a week.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PartnerState {
    NotYet,
    WaitingForYou,
    Revealed { state_of_us: Shared },
}

/// The reveal rule, in one place.
pub fn reveal(mine: Option<&StateOfUs>, theirs: Option<StateOfUs>) -> PartnerState {
    match (mine, theirs) {
        (_, None) => PartnerState::NotYet,
        (None, Some(_)) => PartnerState::WaitingForYou,
        (Some(_), Some(s)) => PartnerState::Revealed { state_of_us: s.into() },
    }
}

/// One week as a partner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WeekView {
    pub week: Date,
    pub mine: Option<StateOfUs>,
    pub partner: PartnerState,
}

/// The Monday of the week holding `date`.
pub fn week_of(date: Date) -> Result<Date> {
    crate::rhythm::week_start(date)
}

fn split(us: &Us, week: Date, all: &[StateOfUs]) -> WeekView {
    let mine = all.iter().find(|s| s.week == week && s.author == us.me.id).cloned();
    let theirs = all.iter().find(|s| s.week == week && s.author == us.partner.id).cloned();
    WeekView { week, partner: reveal(mine.as_ref(), theirs), mine }
}

/// The caller's this week.
pub async fn this_week(ctx: &Ctx, me: &User) -> Result<(Us, WeekView)> {
    let us = couple::us(ctx, me).await?;
    let week = week_of(us.me.time_zone.today(ctx.now()))?;
    let all = ctx.store.states_of_us(us.couple_id, week, week).await?;
    let view = split(&us, week, &all);
    Ok((us, view))
}

/// Records (or changes) the caller's State of Us for their current week.
pub async fn record(ctx: &Ctx, me: &User, form: &NewStateOfUs) -> Result<(Us, WeekView)> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let week = week_of(us.me.time_zone.today(now))?;
    let record = parse(form, us.couple_id, us.me.id, week, now)?;
    ctx.store.save_state_of_us(&record).await?;
    ctx.notify(us.couple_id, EventKind::StateOfUs).await;
    let all = ctx.store.states_of_us(us.couple_id, week, week).await?;
    let view = split(&us, week, &all);
    Ok((us, view))
}

/// The weeks before this one, newest first, up to `count` of them, each as the caller may see it.
pub async fn earlier(ctx: &Ctx, us: &Us, count: i64) -> Result<Vec<WeekView>> {
    let this = week_of(us.me.time_zone.today(ctx.now()))?;
    let last = this.checked_sub(1.week()).map_err(|e| Error::Internal(e.to_string()))?;
    let first = this.checked_sub(count.weeks()).map_err(|e| Error::Internal(e.to_string()))?;
    let all = ctx.store.states_of_us(us.couple_id, first, last).await?;
    let mut weeks: Vec<Date> = all.iter().map(|s| s.week).collect();
    weeks.sort_by(|a, b| b.cmp(a));
    weeks.dedup();
    Ok(weeks.into_iter().map(|w| split(us, w, &all)).collect())
}

/// Every week of the couple either answered, newest first, each as the caller may see it.
pub async fn all_weeks(ctx: &Ctx, us: &Us) -> Result<Vec<WeekView>> {
    let last = week_of(us.me.time_zone.today(ctx.now()))?;
    let first = week_of(us.since.to_zoned(us.me.time_zone.zone()).date())?;
    let all = ctx.store.states_of_us(us.couple_id, first, last).await?;
    let mut weeks: Vec<Date> = all.iter().map(|s| s.week).collect();
    weeks.sort_by(|a, b| b.cmp(a));
    weeks.dedup();
    Ok(weeks.into_iter().map(|w| split(us, w, &all)).collect())
}

/// The caller's own topic this week, to start a conversation with.
pub async fn my_topic(ctx: &Ctx, me: &User) -> Result<Option<String>> {
    let (_, view) = this_week(ctx, me).await?;
    Ok(view.mine.map(|m| m.topic).filter(|t| !t.is_empty()))
}

/// A group of feeling words.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeelingGroup {
    pub name: String,
    pub words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeelingsFile {
    groups: Vec<FeelingGroup>,
}

const FEELINGS: &str = include_str!("../../../content/state-of-us/feelings.toml");

/// The feeling words, grouped, from `content/state-of-us/feelings.toml`.
pub fn feelings() -> &'static [FeelingGroup] {
    static LIST: OnceLock<Vec<FeelingGroup>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<FeelingsFile>(FEELINGS).map(|f| f.groups).unwrap_or_default())
}

pub fn feeling_words() -> impl Iterator<Item = &'static str> {
    feelings().iter().flat_map(|g| g.words.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn form() -> NewStateOfUs {
        NewStateOfUs {
            went_well: "Sunday's walk".into(),
            need_more: "Time to talk".into(),
            feeling: "Hopeful".into(),
            ..NewStateOfUs::default()
        }
    }

    fn monday() -> Date {
        "2026-03-02".parse().expect("date")
    }

    #[test]
    fn there_are_many_distinct_feeling_words() {
        let file: FeelingsFile = toml::from_str(FEELINGS).expect("feelings.toml parses");
        let words: Vec<&String> = file.groups.iter().flat_map(|g| &g.words).collect();
        assert!(words.len() >= 60, "at least 60 feeling words, found {}", words.len());
        let distinct: HashSet<&String> = words.iter().copied().collect();
        assert_eq!(distinct.len(), words.len(), "no word twice");
        for w in words {
            assert!(w.chars().count() <= 18 && w.to_lowercase() == **w && !w.trim().is_empty(), "{w:?}");
        }
        for hard in ["angry", "jealous", "ashamed", "guilty", "lonely"] {
            assert!(feeling_words().any(|w| w == hard), "{hard} is on the list");
        }
    }

    #[test]
    fn a_state_of_us_needs_what_went_well_a_need_and_a_listed_feeling() {
        let r = parse(&form(), CoupleId(1), UserId(1), monday(), Timestamp::UNIX_EPOCH).expect("valid");
        assert_eq!((r.feeling.as_str(), r.stuck), ("hopeful", false));
        let mut f = form();
        f.stuck = Some("on".into());
        assert!(parse(&f, CoupleId(1), UserId(1), monday(), Timestamp::UNIX_EPOCH).expect("valid").stuck);
        for (field, change) in [
            ("went_well", (|f: &mut NewStateOfUs| f.went_well = " ".into()) as fn(&mut NewStateOfUs)),
            ("need_more", |f| f.need_more = String::new()),
            ("feeling", |f| f.feeling = "purple".into()),
            ("feeling", |f| f.feeling = String::new()),
            ("topic", |f| f.topic = "x".repeat(TOPIC_MAX + 1)),
            ("went_well", |f| f.went_well = "bell \u{7}".into()),
        ] {
            let mut f = form();
            change(&mut f);
            let Err(Error::Invalid(e)) = parse(&f, CoupleId(1), UserId(1), monday(), Timestamp::UNIX_EPOCH) else {
                panic!("{field} accepted")
            };
            assert!(e.get(field).is_some(), "{field}");
        }
        let mut less_only = form();
        less_only.need_more = String::new();
        less_only.need_less = "Late nights".into();
        assert!(parse(&less_only, CoupleId(1), UserId(1), monday(), Timestamp::UNIX_EPOCH).is_ok());
    }

    #[test]
    fn the_partner_sees_nothing_before_answering_and_never_the_private_mark() {
        let s = |author| StateOfUs {
            author: UserId(author),
            week: monday(),
            went_well: "w".into(),
            need_more: "m".into(),
            need_less: String::new(),
            feeling: "calm".into(),
            topic: "t".into(),
            stuck: true,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        };
        assert_eq!(reveal(None, None), PartnerState::NotYet);
        assert_eq!(reveal(Some(&s(1)), None), PartnerState::NotYet);
        assert_eq!(reveal(None, Some(s(2))), PartnerState::WaitingForYou);
        let PartnerState::Revealed { state_of_us } = reveal(Some(&s(1)), Some(s(2))) else { panic!("not revealed") };
        let json = serde_json::to_string(&state_of_us).expect("json");
        assert!(!json.contains("stuck"), "{json}");
    }
}
