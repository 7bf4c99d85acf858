//! The idea deck (`content/play/ideas.toml`), the couple's own ideas, filters, and marks.

use super::{Mark, Match, MyMark, OwnIdea, own_key};
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::OwnIdeaId;
use crate::store::User;
use crate::store::play::{MarkChange, MarkRecord, NewOwnIdea};
use crate::{Ctx, text};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

pub const TITLE_MAX: usize = 100;
pub const DETAIL_MAX: usize = 400;

macro_rules! tag {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal, $label:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $key,)*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)*
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|t| t.as_str() == s.trim())
            }
        }
    };
}

tag!(
    /// Where it happens.
    Place { Home = "home", "At home"; Out = "out", "Out"; }
);
tag!(
    /// What it costs.
    Cost { Free = "free", "Free"; Low = "low", "Low cost"; Higher = "higher", "Higher cost"; }
);
tag!(
    /// How long it takes.
    Length { Short = "short", "Under 30 minutes"; Evening = "evening", "An evening"; Day = "day", "A day"; }
);
tag!(
    /// How much energy it asks for.
    Energy { Calm = "calm", "Calm"; Lively = "lively", "Lively"; }
);
tag!(
    /// When in the year it suits; an idea with none suits any season.
    Season { Spring = "spring", "Spring"; Summer = "summer", "Summer"; Autumn = "autumn", "Autumn"; Winter = "winter", "Winter"; }
);

/// An idea: one of Tend's deck, or one of the couple's own.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Idea {
    /// A deck idea's id, or an own idea's key (`own-12`).
    pub id: String,
    pub title: String,
    pub detail: String,
    pub place: Place,
    pub cost: Cost,
    pub length: Length,
    pub energy: Energy,
    /// Empty: any season.
    #[serde(default)]
    pub seasons: Vec<Season>,
    /// New to most couples.
    #[serde(default)]
    pub new: bool,
    /// Who added it, for an own idea.
    #[serde(skip_deserializing)]
    pub added_by: Option<crate::ids::UserId>,
    /// For an own idea: whether its author shared it.
    #[serde(skip_deserializing)]
    pub shared: bool,
}

impl Idea {
    pub fn suits(&self, season: Season) -> bool {
        self.seasons.is_empty() || self.seasons.contains(&season)
    }

    fn from_own(own: &OwnIdea) -> Self {
        Self {
            id: own.key(),
            title: own.title.clone(),
            detail: own.detail.clone(),
            place: own.place,
            cost: own.cost,
            length: own.length,
            energy: own.energy,
            seasons: Vec::new(),
            new: false,
            added_by: Some(own.author),
            shared: own.shared_at.is_some(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckFile {
    ideas: Vec<Idea>,
}

const DECK: &str = include_str!("../../../../content/play/ideas.toml");

/// Tend's idea deck, in the order written.
pub fn deck() -> &'static [Idea] {
    static IDEAS: OnceLock<Vec<Idea>> = OnceLock::new();
    IDEAS.get_or_init(|| toml::from_str::<DeckFile>(DECK).expect("content/play/ideas.toml is valid").ideas)
}

/// One idea of the deck by id.
pub fn deck_idea(id: &str) -> Option<&'static Idea> {
    static INDEX: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let index = INDEX.get_or_init(|| deck().iter().enumerate().map(|(i, idea)| (idea.id.as_str(), i)).collect());
    index.get(id).map(|&i| &deck()[i])
}

/// Which ideas to show; each tag narrows, none set shows all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Filter {
    pub place: Option<Place>,
    pub cost: Option<Cost>,
    pub length: Option<Length>,
    pub energy: Option<Energy>,
    pub season: Option<Season>,
    /// Only ideas new to most couples.
    #[serde(default)]
    pub new: bool,
    /// Only ideas the caller has not marked yet.
    #[serde(default)]
    pub unmarked: bool,
}

impl Filter {
    /// Reads a filter from query fields, with a message per field that does not parse.
    pub fn parse(fields: &HashMap<String, String>) -> Result<Self> {
        let mut errors = FieldErrors::default();
        fn pick<T: Copy>(
            fields: &HashMap<String, String>,
            errors: &mut FieldErrors,
            name: &'static str,
            all: &[T],
            parse: fn(&str) -> Option<T>,
            key: fn(T) -> &'static str,
        ) -> Option<T> {
            let raw = fields.get(name).map(|s| s.trim()).filter(|s| !s.is_empty() && *s != "any")?;
            let found = parse(raw);
            if found.is_none() {
                let keys: Vec<&str> = all.iter().map(|t| key(*t)).collect();
                errors.add(name, format!("Choose one of: {}.", keys.join(", ")));
            }
            found
        }
        let flag = |name: &str| fields.get(name).is_some_and(|v| matches!(v.trim(), "1" | "true" | "on" | "yes"));
        let filter = Self {
            place: pick(fields, &mut errors, "place", Place::ALL, Place::parse, Place::as_str),
            cost: pick(fields, &mut errors, "cost", Cost::ALL, Cost::parse, Cost::as_str),
            length: pick(fields, &mut errors, "length", Length::ALL, Length::parse, Length::as_str),
            energy: pick(fields, &mut errors, "energy", Energy::ALL, Energy::parse, Energy::as_str),
            season: pick(fields, &mut errors, "season", Season::ALL, Season::parse, Season::as_str),
            new: flag("new"),
            unmarked: flag("unmarked"),
        };
        errors.into_result().map(|()| filter)
    }

    pub fn keeps(&self, idea: &Idea) -> bool {
        self.place.is_none_or(|p| idea.place == p)
            && self.cost.is_none_or(|c| idea.cost == c)
            && self.length.is_none_or(|l| idea.length == l)
            && self.energy.is_none_or(|e| idea.energy == e)
            && self.season.is_none_or(|s| idea.suits(s))
            && (!self.new || idea.new)
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// An idea as the caller sees it: with their own mark, and whether it is a match.
#[derive(Clone, Debug, serde::Serialize)]
pub struct IdeaView {
    #[serde(flatten)]
    pub idea: Idea,
    /// The caller's own mark; the partner's is never here.
    pub my_mark: Option<Mark>,
    pub matched: bool,
}

/// Every idea the caller may see (the deck, then the couple's own ideas they may see), each
/// with the caller's mark, filtered.
pub async fn ideas(ctx: &Ctx, me: &User, filter: &Filter) -> Result<(Us, Vec<IdeaView>)> {
    let us = couple::us(ctx, me).await?;
    let own = ctx.store.own_ideas(us.couple_id, us.me.id).await?;
    let mine: HashMap<String, Mark> =
        ctx.store.marks_of(us.couple_id, us.me.id).await?.into_iter().map(|m| (m.idea, m.mark)).collect();
    let matched: std::collections::HashSet<String> =
        ctx.store.matches(us.couple_id).await?.into_iter().map(|m| m.idea).collect();
    let all = own.iter().map(Idea::from_own).chain(deck().iter().cloned());
    let views = all
        .filter(|idea| filter.keeps(idea))
        .map(|idea| IdeaView { my_mark: mine.get(&idea.id).copied(), matched: matched.contains(&idea.id), idea })
        .filter(|v| !filter.unmarked || v.my_mark.is_none())
        .collect();
    Ok((us, views))
}

/// The idea with this key, if the caller may see it: a deck idea, their own idea, or the
/// partner's once shared. Anything else is "not found".
pub(super) async fn visible_idea(ctx: &Ctx, us: &Us, key: &str) -> Result<Idea> {
    if let Some(idea) = deck_idea(key) {
        return Ok(idea.clone());
    }
    let id: OwnIdeaId = key.strip_prefix("own-").and_then(|n| n.parse().ok()).ok_or(Error::NotFound)?;
    let own = ctx.store.own_ideas(us.couple_id, us.me.id).await?;
    own.iter().find(|o| o.id == id).map(Idea::from_own).ok_or(Error::NotFound)
}

/// Every idea the caller may see, by key, for naming matches and plans.
pub(super) async fn idea_names(ctx: &Ctx, us: &Us) -> Result<HashMap<String, Idea>> {
    let own = ctx.store.own_ideas(us.couple_id, us.me.id).await?;
    Ok(own.iter().map(Idea::from_own).map(|i| (i.id.clone(), i)).collect())
}

/// Looks an idea up among the deck and `own`.
pub(super) fn find_idea(own: &HashMap<String, Idea>, key: &str) -> Option<Idea> {
    deck_idea(key).cloned().or_else(|| own.get(key).cloned())
}

/// Sets (or with `None` clears) the caller's mark on an idea they may see. Marking again
/// replaces the mark. The partner hears of it only when it makes or unmakes a match.
pub async fn mark(ctx: &Ctx, me: &User, key: &str, mark: Option<Mark>) -> Result<(Us, MarkChange)> {
    let us = couple::us(ctx, me).await?;
    visible_idea(ctx, &us, key).await?;
    let record = MarkRecord { couple: us.couple_id, author: us.me.id, idea: key.to_owned(), mark, now: ctx.now() };
    let change = ctx.store.set_mark(&record).await?;
    if change.was_match != change.is_match {
        ctx.notify(us.couple_id, EventKind::Play).await;
    }
    Ok((us, change))
}

/// The caller's own marks, newest first.
pub async fn marks_of(ctx: &Ctx, me: &User) -> Result<Vec<MyMark>> {
    let us = couple::us(ctx, me).await?;
    Ok(ctx.store.marks_of(us.couple_id, us.me.id).await?)
}

/// What a person types to add an idea of their own.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
pub struct OwnIdeaForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub length: String,
    #[serde(default)]
    pub energy: String,
}

impl OwnIdeaForm {
    fn parse(&self) -> Result<(String, String, Place, Cost, Length, Energy)> {
        let mut errors = FieldErrors::default();
        let title = match text::one_line(&self.title, TITLE_MAX, "the idea") {
            Ok(Some(t)) => t,
            Ok(None) => {
                errors.add("title", "Please say in a few words what the idea is.");
                String::new()
            }
            Err(m) => {
                errors.add("title", m);
                String::new()
            }
        };
        let detail = text::clean(&self.detail, DETAIL_MAX, "the details").unwrap_or_else(|m| {
            errors.add("detail", m);
            String::new()
        });
        fn tag<T: Copy>(
            errors: &mut FieldErrors,
            name: &'static str,
            raw: &str,
            default: T,
            parse: fn(&str) -> Option<T>,
        ) -> T {
            if raw.trim().is_empty() {
                return default;
            }
            parse(raw).unwrap_or_else(|| {
                errors.add(name, "Please choose one of the options.");
                default
            })
        }
        let place = tag(&mut errors, "place", &self.place, Place::Home, Place::parse);
        let cost = tag(&mut errors, "cost", &self.cost, Cost::Free, Cost::parse);
        let length = tag(&mut errors, "length", &self.length, Length::Evening, Length::parse);
        let energy = tag(&mut errors, "energy", &self.energy, Energy::Calm, Energy::parse);
        errors.into_result().map(|()| (title, detail, place, cost, length, energy))
    }
}

/// Adds an idea of the caller's own, private to them until they share it.
pub async fn add_own_idea(ctx: &Ctx, me: &User, form: &OwnIdeaForm) -> Result<Idea> {
    let us = couple::us(ctx, me).await?;
    let (title, detail, place, cost, length, energy) = form.parse()?;
    let new = NewOwnIdea {
        couple: us.couple_id,
        author: us.me.id,
        title,
        detail,
        place,
        cost,
        length,
        energy,
        now: ctx.now(),
    };
    let id = ctx.store.add_own_idea(&new).await?;
    visible_idea(ctx, &us, &own_key(id)).await
}

/// Shares one of the caller's own ideas with the partner, with the caller's "yes" on it, so
/// the partner's yes or maybe makes it a match.
pub async fn share_own_idea(ctx: &Ctx, me: &User, id: OwnIdeaId) -> Result<Idea> {
    let us = couple::us(ctx, me).await?;
    let idea = visible_idea(ctx, &us, &own_key(id)).await?;
    if idea.added_by != Some(us.me.id) {
        return Err(Error::NotFound);
    }
    let now = ctx.now();
    if ctx.store.share_own_idea(us.couple_id, id, us.me.id, now).await? {
        let record =
            MarkRecord { couple: us.couple_id, author: us.me.id, idea: idea.id.clone(), mark: Some(Mark::Yes), now };
        ctx.store.set_mark(&record).await?;
        ctx.notify(us.couple_id, EventKind::Play).await;
    }
    visible_idea(ctx, &us, &idea.id).await
}

/// The couple's matches with their ideas, newest first.
pub(super) async fn named_matches(ctx: &Ctx, us: &Us) -> Result<Vec<(Idea, Match)>> {
    let own = idea_names(ctx, us).await?;
    let matches = ctx.store.matches(us.couple_id).await?;
    Ok(matches.into_iter().filter_map(|m| Some((find_idea(&own, &m.idea)?, m))).collect())
}
