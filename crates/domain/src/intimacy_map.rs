//! Our intimacy map: each partner privately rates six kinds of intimacy (how nourished I feel,
//! 1–7, and whether I'd like less, as now or more), and the two maps are shown together.
//!
//! # Rounds and the reveal rule
//! Maps come in rounds. The first map a partner makes opens a round; the partner's next map
//! joins it, and from then on both see both. A retake by the one who opened the round, before
//! the other answered, replaces their map in it; any map after a round is complete opens the
//! next. What a partner may see of the other is only ever a *complete* round ([`Together`]):
//! a map waiting for its partner is shown to nobody but its author, so pages, the API and
//! events cannot disagree.
//!
//! This is a map for reflection, not a validated scale: no score is ever made from it.

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{CoupleId, UserId};
use crate::store::User;
use jiff::Timestamp;
use serde::Deserialize;
use std::sync::OnceLock;

pub const WORDS_MAX: usize = 280;

/// How long after a map Tend gently invites its author to take it again.
pub const RETAKE_AFTER_DAYS: i64 = 30;

/// The six kinds of intimacy, as the Learn page names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Emotional,
    Physical,
    Intellectual,
    Spiritual,
    Social,
    Recreational,
}

impl Kind {
    pub const ALL: [Kind; 6] =
        [Self::Emotional, Self::Physical, Self::Intellectual, Self::Spiritual, Self::Social, Self::Recreational];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Emotional => "emotional",
            Self::Physical => "physical",
            Self::Intellectual => "intellectual",
            Self::Spiritual => "spiritual",
            Self::Social => "social",
            Self::Recreational => "recreational",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Its name, explanation and suggestions, from `content/intimacy-map/kinds.toml`.
    pub fn info(self) -> &'static KindInfo {
        kinds().iter().find(|k| k.id == self).unwrap_or(&FALLBACK)
    }

    pub fn name(self) -> &'static str {
        let name = &self.info().name;
        if name.is_empty() { self.as_str() } else { name }
    }
}

/// What a partner would like of a kind of intimacy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Wish {
    Less,
    AsNow,
    More,
}

impl Wish {
    pub const ALL: [Wish; 3] = [Self::Less, Self::AsNow, Self::More];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Less => "less",
            Self::AsNow => "as-now",
            Self::More => "more",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Less => "Less",
            Self::AsNow => "As now",
            Self::More => "More",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.as_str() == s.trim())
    }
}

/// One kind, as one partner rated it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Rating {
    pub kind: Kind,
    /// How nourished I feel: 1 (not at all) to 7 (fully).
    pub nourished: u8,
    pub wish: Wish,
    /// Optional words; sealed with the author's key at rest.
    pub words: String,
}

/// One rating as stored, with its round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRating {
    pub round: i64,
    pub author: UserId,
    pub taken_at: Timestamp,
    pub rating: Rating,
}

/// A map ready to store: six ratings, one per kind, in [`Kind::ALL`] order.
#[derive(Clone, Debug)]
pub struct MapRecord {
    pub couple: CoupleId,
    pub author: UserId,
    pub ratings: Vec<Rating>,
    pub now: Timestamp,
}

/// One partner's map in one round.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Map {
    pub author: UserId,
    pub round: i64,
    pub taken_at: Timestamp,
    pub ratings: Vec<Rating>,
}

impl Map {
    pub fn rating(&self, kind: Kind) -> Option<&Rating> {
        self.ratings.iter().find(|r| r.kind == kind)
    }
}

/// One kind as typed (the API's body, and the page's form once read).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewRating {
    #[serde(default)]
    pub kind: String,
    /// 1 to 7; 0 when the form left it empty.
    #[serde(default)]
    pub nourished: i64,
    #[serde(default)]
    pub wish: String,
    #[serde(default)]
    pub words: String,
}

/// A map as typed: one rating per kind.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewMap {
    #[serde(default)]
    pub ratings: Vec<NewRating>,
}

impl NewMap {
    /// Reads the page's form, where each kind has its own fields: `emotional` (1–7),
    /// `emotional_wish` and `emotional_words`. A number that isn't one counts as not given.
    pub fn from_form(fields: &std::collections::HashMap<String, String>) -> Self {
        let get = |key: String| fields.get(&key).map(|s| s.trim().to_owned()).unwrap_or_default();
        let ratings = Kind::ALL
            .into_iter()
            .map(|k| NewRating {
                kind: k.as_str().into(),
                nourished: get(k.as_str().to_owned()).parse().unwrap_or(0),
                wish: get(format!("{}_wish", k.as_str())),
                words: get(format!("{}_words", k.as_str())),
            })
            .collect();
        Self { ratings }
    }
}

/// Checks a map: every kind once, each with a rating from 1 to 7 and a wish.
pub fn parse(form: &NewMap) -> Result<Vec<Rating>> {
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let given: Vec<&NewRating> = form.ratings.iter().filter(|r| Kind::parse(&r.kind) == Some(kind)).collect();
        let field = kind.as_str();
        let [r] = given.as_slice() else {
            errors.add(field, format!("Please rate {} intimacy once.", kind.name().to_lowercase()));
            continue;
        };
        let nourished = match u8::try_from(r.nourished) {
            Ok(n @ 1..=7) => Some(n),
            _ => {
                errors.add(field, "Please choose from 1 (not at all) to 7 (fully).");
                None
            }
        };
        let wish = Wish::parse(&r.wish);
        if wish.is_none() {
            errors.add(field, "Please choose less, as now or more.");
        }
        let words = errors.take(field, crate::text::clean(&r.words, WORDS_MAX, "your words"));
        if let (Some(nourished), Some(wish), Some(words)) = (nourished, wish, words) {
            out.push(Rating { kind, nourished, wish, words });
        }
    }
    for r in &form.ratings {
        if Kind::parse(&r.kind).is_none() {
            errors.add("ratings", format!("There is no kind of intimacy called {:?} on the map.", r.kind));
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// A round both partners answered: the only way either sees the other's map.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Together {
    pub round: i64,
    /// When the round was complete (the later of the two maps).
    pub at: Timestamp,
    pub mine: Map,
    pub theirs: Map,
}

/// Where the partner's map stands for the latest round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerMap {
    /// The partner hasn't made a map in this round (or at all).
    NotYet,
    /// The partner has; you will see it once you have made yours.
    WaitingForYou,
    /// Both maps of the latest round are shown.
    Revealed,
}

/// The intimacy map as one partner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MapView {
    /// Your latest map, in whatever round.
    pub mine: Option<Map>,
    pub partner: PartnerMap,
    /// The latest round you both answered.
    pub latest: Option<Together>,
    /// Every round you both answered, oldest first.
    pub history: Vec<Together>,
    /// Your last map is a month old or more (or you have none): a gentle invitation.
    pub invite_retake: bool,
}

/// Builds what `me` may see from every rating of the couple.
pub fn view_of(us: &Us, ratings: Vec<StoredRating>, now: Timestamp) -> MapView {
    let mut maps: Vec<Map> = Vec::new();
    for r in ratings {
        match maps.iter_mut().find(|m| m.round == r.round && m.author == r.author) {
            Some(m) => {
                m.taken_at = m.taken_at.max(r.taken_at);
                m.ratings.push(r.rating);
            }
            None => maps.push(Map { author: r.author, round: r.round, taken_at: r.taken_at, ratings: vec![r.rating] }),
        }
    }
    for m in &mut maps {
        m.ratings.sort_by_key(|r| r.kind);
    }
    maps.sort_by_key(|m| m.round);
    let mine = maps.iter().rfind(|m| m.author == us.me.id).cloned();
    let latest_round = maps.last().map(|m| m.round);
    let in_round = |round: i64, who: UserId| maps.iter().find(|m| m.round == round && m.author == who).cloned();
    let mut history = Vec::new();
    let mut rounds: Vec<i64> = maps.iter().map(|m| m.round).collect();
    rounds.dedup();
    for round in rounds {
        if let (Some(mine), Some(theirs)) = (in_round(round, us.me.id), in_round(round, us.partner.id)) {
            history.push(Together { round, at: mine.taken_at.max(theirs.taken_at), mine, theirs });
        }
    }
    let partner = match latest_round {
        None => PartnerMap::NotYet,
        Some(round) => match (in_round(round, us.me.id).is_some(), in_round(round, us.partner.id).is_some()) {
            (true, true) => PartnerMap::Revealed,
            (false, true) => PartnerMap::WaitingForYou,
            _ => PartnerMap::NotYet,
        },
    };
    let invite_retake = mine
        .as_ref()
        .is_none_or(|m| now.duration_since(m.taken_at) >= jiff::SignedDuration::from_hours(24 * RETAKE_AFTER_DAYS));
    MapView { mine, partner, latest: history.last().cloned(), history, invite_retake }
}

/// The caller's view of the map.
pub async fn view(ctx: &Ctx, me: &User) -> Result<(Us, MapView)> {
    let us = couple::us(ctx, me).await?;
    let ratings = ctx.store.intimacy_ratings(us.couple_id).await?;
    let view = view_of(&us, ratings, ctx.now());
    Ok((us, view))
}

/// Saves the caller's map (a first one, or a retake).
pub async fn take(ctx: &Ctx, me: &User, form: &NewMap) -> Result<(Us, MapView)> {
    let us = couple::us(ctx, me).await?;
    let ratings = parse(form)?;
    let now = ctx.now();
    ctx.store.save_intimacy_map(&MapRecord { couple: us.couple_id, author: us.me.id, ratings, now }).await?;
    ctx.notify(us.couple_id, EventKind::IntimacyMap).await;
    let view = view_of(&us, ctx.store.intimacy_ratings(us.couple_id).await?, now);
    Ok((us, view))
}

/// "You meet on intellectual intimacy. Mira would like more social time; you would like more
/// physical affection." Plain words, no score; `partner` is the partner's name.
pub fn summary(together: &Together, partner: &str) -> String {
    let pairs: Vec<(Kind, &Rating, &Rating)> =
        Kind::ALL.into_iter().filter_map(|k| Some((k, together.mine.rating(k)?, together.theirs.rating(k)?))).collect();
    let names = |kinds: &[Kind]| -> String {
        let names: Vec<String> = kinds.iter().map(|k| k.name().to_lowercase()).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    };
    let phrases = |kinds: &[Kind]| -> String {
        let names: Vec<&str> = kinds.iter().map(|k| k.info().more_of.as_str()).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    };
    let mut sentences = Vec::new();
    let mut meet: Vec<(Kind, u8)> = pairs
        .iter()
        .filter(|(_, a, b)| a.nourished >= 5 && b.nourished >= 5)
        .map(|(k, a, b)| (*k, a.nourished + b.nourished))
        .collect();
    meet.sort_by_key(|m| std::cmp::Reverse(m.1));
    let meet: Vec<Kind> = meet.into_iter().take(2).map(|(k, _)| k).collect();
    if !meet.is_empty() {
        sentences.push(format!("You meet on {} intimacy.", names(&meet)));
    }
    let wanting = |mine: bool, wish: Wish| -> Vec<Kind> {
        let mut ks: Vec<(Kind, u8)> = pairs
            .iter()
            .map(|(k, a, b)| (*k, if mine { *a } else { *b }))
            .filter(|(_, r)| r.wish == wish)
            .map(|(k, r)| (k, r.nourished))
            .collect();
        ks.sort_by_key(|(_, n)| *n);
        ks.into_iter().map(|(k, _)| k).collect()
    };
    let more_mine = wanting(true, Wish::More);
    let more_theirs = wanting(false, Wish::More);
    let both: Vec<Kind> = more_mine.iter().filter(|k| more_theirs.contains(k)).copied().take(2).collect();
    let only = |list: &[Kind]| -> Vec<Kind> { list.iter().filter(|k| !both.contains(k)).copied().take(2).collect() };
    let (more_mine, more_theirs) = (only(&more_mine), only(&more_theirs));
    if !both.is_empty() {
        sentences.push(format!("You would both like more {}.", phrases(&both)));
    }
    let theirs_more = (!more_theirs.is_empty()).then(|| format!("{partner} would like more {}", phrases(&more_theirs)));
    let mine_more = (!more_mine.is_empty()).then(|| format!("would like more {}", phrases(&more_mine)));
    match (theirs_more, mine_more) {
        (Some(t), Some(m)) => sentences.push(format!("{t}; you {m}.")),
        (Some(t), None) => sentences.push(format!("{t}.")),
        (None, Some(m)) => sentences.push(format!("You {m}.")),
        (None, None) => {}
    }
    let less_theirs: Vec<Kind> = wanting(false, Wish::Less).into_iter().take(2).collect();
    let less_mine: Vec<Kind> = wanting(true, Wish::Less).into_iter().take(2).collect();
    if !less_theirs.is_empty() {
        sentences.push(format!("{partner} would like a little less {}.", phrases(&less_theirs)));
    }
    if !less_mine.is_empty() {
        sentences.push(format!("You would like a little less {}.", phrases(&less_mine)));
    }
    if sentences.len() == usize::from(!meet.is_empty()) {
        sentences.push("Neither of you asked for a change: things feel about right as they are.".into());
    }
    sentences.join(" ")
}

/// The kinds one of you would like more of, most wanted first: where the suggestions go.
pub fn wanted_more(together: &Together) -> Vec<Kind> {
    let mut out: Vec<(Kind, u8)> = Kind::ALL
        .into_iter()
        .filter_map(|k| {
            let (a, b) = (together.mine.rating(k)?, together.theirs.rating(k)?);
            let wanted = [a, b].iter().filter(|r| r.wish == Wish::More).count();
            (wanted > 0).then(|| (k, a.nourished.min(b.nourished)))
        })
        .collect();
    out.sort_by_key(|(_, n)| *n);
    out.into_iter().map(|(k, _)| k).collect()
}

/// A kind of intimacy as Tend describes it.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct KindInfo {
    pub id: Kind,
    pub name: String,
    pub short: String,
    pub explain: String,
    /// How a wish for more of it is said: "would like more ___".
    pub more_of: String,
    pub suggestions: Vec<Suggestion>,
}

/// Something concrete to try, perhaps with a place in Tend.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Suggestion {
    pub text: String,
    #[serde(default)]
    pub href: Option<String>,
}

static FALLBACK: KindInfo = KindInfo {
    id: Kind::Emotional,
    name: String::new(),
    short: String::new(),
    explain: String::new(),
    more_of: String::new(),
    suggestions: Vec::new(),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindsFile {
    kinds: Vec<KindInfo>,
}

const KINDS: &str = include_str!("../../../content/intimacy-map/kinds.toml");

/// The six kinds in map order. The file is checked by this crate's tests.
pub fn kinds() -> &'static [KindInfo] {
    static LIST: OnceLock<Vec<KindInfo>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<KindsFile>(KINDS).map(|f| f.kinds).unwrap_or_default())
}

/// Rejects a stored rating that cannot be read.
pub fn stored(kind: &str, nourished: i64, wish: &str, words: String) -> std::result::Result<Rating, String> {
    Ok(Rating {
        kind: Kind::parse(kind).ok_or_else(|| format!("intimacy kind {kind:?}"))?,
        nourished: u8::try_from(nourished)
            .ok()
            .filter(|n| (1..=7).contains(n))
            .ok_or_else(|| format!("nourished {nourished}"))?,
        wish: Wish::parse(wish).ok_or_else(|| format!("wish {wish:?}"))?,
        words,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::time::TimeZoneName;

    fn user(id: i64, name: &str) -> User {
        User {
            id: UserId(id),
            email: format!("{id}@example.org"),
            display_name: name.into(),
            time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
            couple_id: Some(CoupleId(1)),
            created_at: Timestamp::UNIX_EPOCH,
            hide_counts: false,
        }
    }

    fn us() -> Us {
        Us { couple_id: CoupleId(1), me: user(1, "Alex"), partner: user(2, "Mira"), since: Timestamp::UNIX_EPOCH }
    }

    fn at(days: i64) -> Timestamp {
        Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(24 * days)
    }

    fn map(author: i64, round: i64, day: i64, values: [(u8, Wish); 6]) -> Vec<StoredRating> {
        Kind::ALL
            .into_iter()
            .zip(values)
            .map(|(kind, (nourished, wish))| StoredRating {
                round,
                author: UserId(author),
                taken_at: at(day),
                rating: Rating { kind, nourished, wish, words: String::new() },
            })
            .collect()
    }

    const CALM: [(u8, Wish); 6] = [(4, Wish::AsNow); 6];

    #[test]
    fn the_content_has_six_kinds_in_order_with_suggestions() {
        let file: KindsFile = toml::from_str(KINDS).expect("kinds.toml parses");
        let ids: Vec<Kind> = file.kinds.iter().map(|k| k.id).collect();
        assert_eq!(ids, Kind::ALL.to_vec());
        let routes = [
            "/questions/deck/",
            "/conversations",
            "/listening",
            "/hugs",
            "/appreciations",
            "/tech-free",
            "/show-and-tell",
            "/rhythm",
            "/learn/six-kinds",
        ];
        for k in &file.kinds {
            assert!(!k.name.is_empty() && !k.short.is_empty() && !k.more_of.is_empty(), "{:?}", k.id);
            assert!((60..=240).contains(&k.explain.chars().count()), "{:?}: explain length", k.id);
            assert!((2..=3).contains(&k.suggestions.len()), "{:?}: 2–3 suggestions", k.id);
            for s in &k.suggestions {
                assert!((20..=140).contains(&s.text.chars().count()), "{:?}: {}", k.id, s.text);
                if let Some(href) = &s.href {
                    assert!(routes.iter().any(|r| href.starts_with(r)), "{:?}: unknown link {href}", k.id);
                }
            }
        }
        assert_eq!(kinds().len(), 6);
    }

    #[test]
    fn a_map_needs_every_kind_once_with_a_rating_and_a_wish() {
        let good = || NewMap {
            ratings: Kind::ALL
                .into_iter()
                .map(|k| NewRating {
                    kind: k.as_str().into(),
                    nourished: 4,
                    wish: "as-now".into(),
                    words: String::new(),
                })
                .collect(),
        };
        assert_eq!(parse(&good()).expect("valid").len(), 6);
        let mut missing = good();
        missing.ratings.pop();
        let Err(Error::Invalid(e)) = parse(&missing) else { panic!("five kinds accepted") };
        assert!(e.get("recreational").is_some());
        let mut twice = good();
        twice.ratings.push(NewRating {
            kind: "social".into(),
            nourished: 2,
            wish: "more".into(),
            ..NewRating::default()
        });
        assert!(parse(&twice).is_err(), "a kind twice");
        for (n, wish) in [(0, "more"), (8, "more"), (-1, "less"), (4, "lots"), (4, "")] {
            let mut bad = good();
            bad.ratings[0].nourished = n;
            bad.ratings[0].wish = wish.into();
            let Err(Error::Invalid(e)) = parse(&bad) else { panic!("{n} {wish} accepted") };
            assert!(e.get("emotional").is_some());
        }
        let mut stranger = good();
        stranger.ratings.push(NewRating {
            kind: "sexual".into(),
            nourished: 4,
            wish: "more".into(),
            ..NewRating::default()
        });
        assert!(parse(&stranger).is_err(), "an unknown kind is refused, not ignored");
        let mut long = good();
        long.ratings[2].words = "é".repeat(WORDS_MAX + 1);
        assert!(parse(&long).is_err());
    }

    #[test]
    fn the_form_reads_each_kinds_fields_and_garbage_is_not_given() {
        let fields: std::collections::HashMap<String, String> =
            [("emotional", "5"), ("emotional_wish", "more"), ("emotional_words", " closer "), ("physical", "seven")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let form = NewMap::from_form(&fields);
        assert_eq!(form.ratings.len(), 6);
        assert_eq!(
            (form.ratings[0].nourished, form.ratings[0].wish.as_str(), form.ratings[0].words.as_str()),
            (5, "more", "closer")
        );
        assert_eq!(form.ratings[1].nourished, 0);
    }

    #[test]
    fn a_partners_map_shows_only_in_a_round_you_both_answered() {
        let us = us();
        // Nothing yet.
        let v = view_of(&us, Vec::new(), at(0));
        assert_eq!(v.partner, PartnerMap::NotYet);
        assert!(v.latest.is_none() && v.mine.is_none() && v.invite_retake);
        // Mira made hers: waiting for me; nothing of hers is shown.
        let v = view_of(&us, map(2, 1, 0, CALM), at(1));
        assert_eq!(v.partner, PartnerMap::WaitingForYou);
        assert!(v.latest.is_none() && v.history.is_empty());
        // Both: revealed.
        let both: Vec<StoredRating> = map(2, 1, 0, CALM).into_iter().chain(map(1, 1, 2, CALM)).collect();
        let v = view_of(&us, both.clone(), at(3));
        assert_eq!(v.partner, PartnerMap::Revealed);
        let latest = v.latest.expect("together");
        assert_eq!((latest.mine.author, latest.theirs.author, latest.at), (UserId(1), UserId(2), at(2)));
        assert!(!v.invite_retake);
        // Mira retakes: round 2 waits for me, and round 1 is still ours to see.
        let more: Vec<StoredRating> = both.iter().cloned().chain(map(2, 2, 40, CALM)).collect();
        let v = view_of(&us, more.clone(), at(41));
        assert_eq!(v.partner, PartnerMap::WaitingForYou);
        assert_eq!(v.latest.as_ref().map(|t| t.round), Some(1));
        assert!(v.invite_retake, "my map is 39 days old");
        // I retake first instead: Mira hasn't yet, and I still see round 1.
        let mine_first: Vec<StoredRating> = both.into_iter().chain(map(1, 2, 40, CALM)).collect();
        let v = view_of(&us, mine_first, at(41));
        assert_eq!(v.partner, PartnerMap::NotYet);
        assert_eq!(v.mine.as_ref().map(|m| m.round), Some(2));
        assert_eq!(v.history.len(), 1);
    }

    #[test]
    fn the_summary_says_where_you_meet_and_who_would_like_more() {
        let us = us();
        let mine =
            [(3, Wish::More), (5, Wish::AsNow), (6, Wish::AsNow), (4, Wish::AsNow), (4, Wish::AsNow), (4, Wish::AsNow)];
        let theirs =
            [(5, Wish::AsNow), (4, Wish::AsNow), (6, Wish::AsNow), (4, Wish::AsNow), (2, Wish::More), (4, Wish::AsNow)];
        let all: Vec<StoredRating> = map(1, 1, 0, mine).into_iter().chain(map(2, 1, 0, theirs)).collect();
        let t = view_of(&us, all, at(0)).latest.expect("together");
        let s = summary(&t, "Mira");
        assert!(s.starts_with("You meet on intellectual intimacy."), "{s}");
        assert!(
            s.contains(&format!(
                "Mira would like more {}; you would like more {}.",
                Kind::Social.info().more_of,
                Kind::Emotional.info().more_of
            )),
            "{s}"
        );
        assert_eq!(wanted_more(&t), vec![Kind::Social, Kind::Emotional]);

        let calm: Vec<StoredRating> = map(1, 1, 0, CALM).into_iter().chain(map(2, 1, 0, CALM)).collect();
        let t = view_of(&us, calm, at(0)).latest.expect("together");
        assert!(summary(&t, "Mira").contains("Neither of you asked for a change"));
        assert!(wanted_more(&t).is_empty());

        let both = [(3, Wish::More); 6];
        let all: Vec<StoredRating> = map(1, 1, 0, both).into_iter().chain(map(2, 1, 0, both)).collect();
        let t = view_of(&us, all, at(0)).latest.expect("together");
        assert!(summary(&t, "Mira").starts_with("You would both like more"), "{}", summary(&t, "Mira"));
    }
}
