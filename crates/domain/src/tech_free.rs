//! The tech-free evening: once a week, phones away and time for each other.
//!
//! Either partner taps "Phones away"; the other's phone asks them to join. While it runs,
//! both phones show a calm screen with the end time and one thing to tap, "We're back", and
//! Tend sends nothing. Afterwards the couple may note in one line what they did, and the
//! evening counts for the week.
//!
//! Why: device interruptions in a couple's time together ("technoference") are linked with
//! more conflict and lower satisfaction (McDaniel & Coyne, 2016), and partner phubbing with
//! lower relationship satisfaction (Roberts & David, 2016). See the guide page
//! "time-without-phones".

use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::ids::{EveningId, UserId};
use crate::rhythm::Practice;
use crate::store::User;
use crate::{Ctx, text};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::sync::OnceLock;

pub const NOTE_MAX: usize = 200;
/// How long an evening lasts when the couple has no agreed slot with its own length.
pub const DEFAULT_LENGTH: SignedDuration = SignedDuration::from_mins(180);

/// One evening as stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Evening {
    pub id: EveningId,
    pub started_by: UserId,
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
    /// When the other partner joined.
    pub joined_at: Option<Timestamp>,
    /// When one of them tapped "We're back"; an evening past `ends_at` is over too.
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<UserId>,
    /// The shared "what we did" line.
    pub note: Option<String>,
    pub noted_by: Option<UserId>,
}

/// Where an evening stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Started by one, the other hasn't joined yet.
    Waiting,
    /// Both have their phones away.
    Together,
    Over,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Together => "together",
            Self::Over => "over",
        }
    }
}

impl Evening {
    pub fn stage(&self, now: Timestamp) -> Stage {
        if self.ended_at.is_some() || now >= self.ends_at {
            Stage::Over
        } else if self.joined_at.is_some() {
            Stage::Together
        } else {
            Stage::Waiting
        }
    }

    /// When it ended: the tap on "We're back", or its end time.
    pub fn ended(&self) -> Timestamp {
        self.ended_at.map_or(self.ends_at, |t| t.min(self.ends_at))
    }

    pub fn is_open(&self, now: Timestamp) -> bool {
        self.stage(now) != Stage::Over
    }
}

/// An idea for undistracted time, from `content/rhythm/tech-free-ideas.toml`.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Idea {
    pub id: String,
    pub title: String,
    pub text: String,
    pub setting: Setting,
    pub cost: Cost,
    pub energy: Energy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    Home,
    Out,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cost {
    Free,
    Low,
    Some,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Energy {
    Calm,
    Some,
    Lively,
}

impl Setting {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Out => "out",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Home => "at home",
            Self::Out => "out",
        }
    }
}

impl Cost {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Low => "low",
            Self::Some => "some",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Low => "costs a little",
            Self::Some => "costs something",
        }
    }
}

impl Energy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calm => "calm",
            Self::Some => "some",
            Self::Lively => "lively",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Calm => "calm",
            Self::Some => "a bit of energy",
            Self::Lively => "lively",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdeaFile {
    ideas: Vec<Idea>,
}

const IDEAS: &str = include_str!("../../../content/rhythm/tech-free-ideas.toml");

pub fn ideas() -> &'static [Idea] {
    static LIST: OnceLock<Vec<Idea>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<IdeaFile>(IDEAS).map(|f| f.ideas).unwrap_or_default())
}

/// A few ideas for tonight, different each day and the same on both phones.
pub fn ideas_for(day: jiff::civil::Date, count: usize) -> Vec<&'static Idea> {
    let all = ideas();
    if all.is_empty() {
        return Vec::new();
    }
    let start =
        usize::try_from(day.to_zoned(jiff::tz::TimeZone::UTC).map_or(0, |z| z.timestamp().as_second() / 86_400))
            .unwrap_or(0)
            .wrapping_mul(7);
    (0..count.min(all.len())).map(|i| &all[(start + i * 13) % all.len()]).collect()
}

/// The evening as one partner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub evening: Evening,
    pub stage: Stage,
    pub started_by_me: bool,
    /// The other partner started it and this partner can still join.
    pub can_join: bool,
    pub partner_name: String,
}

fn seen(us: &Us, evening: Evening, now: Timestamp) -> Seen {
    let stage = evening.stage(now);
    let started_by_me = evening.started_by == us.me.id;
    Seen {
        can_join: stage == Stage::Waiting && !started_by_me,
        started_by_me,
        stage,
        partner_name: us.partner.display_name.clone(),
        evening,
    }
}

/// The evening that is on now, if any.
pub async fn current(ctx: &Ctx, me: &User) -> Result<Option<Seen>> {
    current_in(ctx, &couple::us(ctx, me).await?).await
}

/// [`current`] for a couple already read.
pub async fn current_in(ctx: &Ctx, us: &Us) -> Result<Option<Seen>> {
    let now = ctx.now();
    Ok(ctx.store.open_evening(us.couple_id, now).await?.map(|e| seen(us, e, now)))
}

pub async fn get(ctx: &Ctx, me: &User, id: EveningId) -> Result<Seen> {
    let us = couple::us(ctx, me).await?;
    let evening = ctx.store.evening(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    Ok(seen(&us, evening, ctx.now()))
}

/// "Phones away": starts the evening, lasting as long as the couple's agreed slot says (three
/// hours without one). When one is already on, joins it instead.
pub async fn start(ctx: &Ctx, me: &User) -> Result<Seen> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let length = crate::rhythm::agreed_slot(ctx, &us, Practice::TechFreeEvening)
        .await?
        .map_or(DEFAULT_LENGTH, |s| SignedDuration::from_mins(i64::from(s.minutes)));
    let ends_at = now.checked_add(length).map_err(|e| Error::Internal(e.to_string()))?;
    match ctx.store.start_evening(us.couple_id, us.me.id, now, ends_at).await? {
        Some(id) => {
            ctx.notify(us.couple_id, EventKind::Evening).await;
            get(ctx, me, id).await
        }
        None => {
            let open = ctx.store.open_evening(us.couple_id, now).await?.ok_or(Error::NotFound)?;
            if open.started_by != us.me.id && open.joined_at.is_none() {
                return join(ctx, me, open.id).await;
            }
            Ok(seen(&us, open, now))
        }
    }
}

pub async fn join(ctx: &Ctx, me: &User, id: EveningId) -> Result<Seen> {
    let us = couple::us(ctx, me).await?;
    if ctx.store.join_evening(us.couple_id, id, us.me.id, ctx.now()).await? {
        ctx.notify(us.couple_id, EventKind::Evening).await;
    }
    get(ctx, me, id).await
}

/// "We're back": ends the evening for both.
pub async fn end(ctx: &Ctx, me: &User, id: EveningId) -> Result<Seen> {
    let us = couple::us(ctx, me).await?;
    if ctx.store.end_evening(us.couple_id, id, us.me.id, ctx.now()).await? {
        ctx.notify(us.couple_id, EventKind::Evening).await;
    }
    get(ctx, me, id).await
}

/// The shared "what we did" line, once the evening is over.
pub async fn note(ctx: &Ctx, me: &User, id: EveningId, words: &str) -> Result<Seen> {
    let us = couple::us(ctx, me).await?;
    let words = text::one_line(words, NOTE_MAX, "what you did").map_err(|e| Error::field("note", e))?;
    let Some(words) = words else {
        return Err(Error::field("note", "Please write a few words, or leave it be."));
    };
    let before = get(ctx, me, id).await?;
    if before.stage != Stage::Over {
        return Err(Error::Rejected("The evening is still on: note it once you’re back.".into()));
    }
    if ctx.store.note_evening(us.couple_id, id, us.me.id, &words, ctx.now()).await? {
        ctx.notify(us.couple_id, EventKind::Evening).await;
    }
    get(ctx, me, id).await
}

/// Evenings since `since`, newest first, as this partner sees them.
pub async fn since(ctx: &Ctx, us: &Us, since: Timestamp) -> Result<Vec<Seen>> {
    let now = ctx.now();
    Ok(ctx.store.evenings_since(us.couple_id, since).await?.into_iter().map(|e| seen(us, e, now)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ideas_are_many_varied_and_distinct() {
        let file: IdeaFile = toml::from_str(IDEAS).expect("tech-free-ideas.toml parses");
        assert!(file.ideas.len() >= 40, "at least 40 ideas");
        let ids: HashSet<&str> = file.ideas.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), file.ideas.len(), "ids are unique");
        let titles: HashSet<String> = file.ideas.iter().map(|i| i.title.to_lowercase()).collect();
        assert_eq!(titles.len(), file.ideas.len(), "titles are unique");
        for i in &file.ideas {
            assert!(i.title.chars().count() <= 60 && i.text.chars().count() <= 220, "{}: short", i.id);
            assert!(!i.text.to_lowercase().contains("screen") || i.text.contains("no screen"), "{}", i.id);
        }
        for setting in [Setting::Home, Setting::Out] {
            assert!(file.ideas.iter().filter(|i| i.setting == setting).count() >= 10, "{setting:?}");
        }
        assert!(file.ideas.iter().filter(|i| i.cost == Cost::Free).count() >= 10);
        let day: jiff::civil::Date = "2026-03-12".parse().expect("date");
        let tonight = ideas_for(day, 3);
        assert_eq!(tonight.len(), 3);
        assert_eq!(tonight.iter().map(|i| &i.id).collect::<HashSet<_>>().len(), 3, "three different ideas");
    }

    #[test]
    fn an_evening_is_over_when_ended_or_past_its_time() {
        let t = |s: &str| -> Timestamp { s.parse().expect("t") };
        let mut e = Evening {
            id: EveningId(1),
            started_by: UserId(1),
            started_at: t("2026-03-12T18:30:00Z"),
            ends_at: t("2026-03-12T21:30:00Z"),
            joined_at: None,
            ended_at: None,
            ended_by: None,
            note: None,
            noted_by: None,
        };
        assert_eq!(e.stage(t("2026-03-12T19:00:00Z")), Stage::Waiting);
        e.joined_at = Some(t("2026-03-12T18:35:00Z"));
        assert_eq!(e.stage(t("2026-03-12T19:00:00Z")), Stage::Together);
        assert_eq!(e.stage(t("2026-03-12T21:30:00Z")), Stage::Over);
        e.ended_at = Some(t("2026-03-12T20:00:00Z"));
        assert_eq!(e.stage(t("2026-03-12T20:00:01Z")), Stage::Over);
        assert_eq!(e.ended(), t("2026-03-12T20:00:00Z"));
    }
}
