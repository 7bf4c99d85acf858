//! Questions, everything about them under one name: the decks (questions written for Tend,
//! each with its intimacy types and a depth, and the one-tap replies a partner can send after
//! reading the other's answer), the [`exchange`] of two partners' answers to one question
//! (and the question of the day), and the [`ladder`] that lets a couple go deeper together.
//! The words live in `content/questions/`; this module loads them and a test holds them to
//! the rules (unique ids, valid types and depths, sensible length, no duplicate or
//! near-duplicate text).

pub mod exchange;
pub mod ladder;

use serde::Deserialize;
use std::sync::OnceLock;

/// The six kinds of intimacy Tend reflects on (a practitioner's typology, not a validated scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IntimacyType {
    Emotional,
    Physical,
    Intellectual,
    Spiritual,
    Social,
    Recreational,
}

impl IntimacyType {
    pub const ALL: [Self; 6] =
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
}

/// 1 light (preferences, everyday life), 2 personal (experiences, hopes, worries),
/// 3 deep (fears, regrets, needs, the relationship itself).
pub const DEPTHS: [u8; 3] = [1, 2, 3];

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub depth: u8,
    pub types: Vec<IntimacyType>,
    pub text: String,
    /// Filled in from the file the question is in.
    #[serde(skip_deserializing)]
    pub deck: String,
}

/// Which replies suit a deck: support for what is shared, or celebration for good news and
/// dreams (active and constructive: enthusiastic, curious).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplySet {
    Supportive,
    Celebrate,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    pub id: String,
    pub name: String,
    pub blurb: String,
    pub replies: ReplySet,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    Understanding,
    Validation,
    Care,
    Enthusiasm,
    Curiosity,
}

impl ReplyKind {
    pub fn set(self) -> ReplySet {
        match self {
            Self::Understanding | Self::Validation | Self::Care => ReplySet::Supportive,
            Self::Enthusiasm | Self::Curiosity => ReplySet::Celebrate,
        }
    }
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub id: String,
    pub kind: ReplyKind,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckFile {
    deck: Vec<Deck>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    question: Vec<Question>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyFile {
    reply: Vec<Reply>,
}

const DECKS: &str = include_str!("../../../../content/questions/decks.toml");
const REPLIES: &str = include_str!("../../../../content/questions/replies.toml");
const QUESTION_FILES: &[(&str, &str)] = &[
    ("today", include_str!("../../../../content/questions/today.toml")),
    ("love-map", include_str!("../../../../content/questions/love-map.toml")),
    ("dreams", include_str!("../../../../content/questions/dreams.toml")),
    ("memories", include_str!("../../../../content/questions/memories.toml")),
    ("values", include_str!("../../../../content/questions/values.toml")),
    ("play", include_str!("../../../../content/questions/play.toml")),
    ("us", include_str!("../../../../content/questions/us.toml")),
];

pub fn decks() -> &'static [Deck] {
    static LIST: OnceLock<Vec<Deck>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<DeckFile>(DECKS).map(|f| f.deck).unwrap_or_default())
}

pub fn deck(id: &str) -> Option<&'static Deck> {
    decks().iter().find(|d| d.id == id)
}

/// Every question, deck by deck in the decks' order.
pub fn questions() -> &'static [Question] {
    static LIST: OnceLock<Vec<Question>> = OnceLock::new();
    LIST.get_or_init(|| {
        QUESTION_FILES
            .iter()
            .flat_map(|(deck, text)| {
                let file = toml::from_str::<QuestionFile>(text).map(|f| f.question).unwrap_or_default();
                file.into_iter().map(move |q| Question { deck: (*deck).to_owned(), ..q })
            })
            .collect()
    })
}

pub fn question(id: &str) -> Option<&'static Question> {
    questions().iter().find(|q| q.id == id)
}

pub fn replies() -> &'static [Reply] {
    static LIST: OnceLock<Vec<Reply>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<ReplyFile>(REPLIES).map(|f| f.reply).unwrap_or_default())
}

/// The one-tap replies that suit a question's deck.
pub fn replies_for(question: &Question) -> impl Iterator<Item = &'static Reply> {
    let set = deck(&question.deck).map_or(ReplySet::Supportive, |d| d.replies);
    replies().iter().filter(move |r| r.kind.set() == set)
}

/// A short choice of replies for one question: two of each kind in its set, a different two
/// for different questions, so the list stays easy to take in.
pub fn suggested_replies(question: &Question) -> Vec<&'static Reply> {
    let offset = question.id.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
    let kinds =
        [ReplyKind::Understanding, ReplyKind::Validation, ReplyKind::Care, ReplyKind::Enthusiasm, ReplyKind::Curiosity];
    let set = deck(&question.deck).map_or(ReplySet::Supportive, |d| d.replies);
    kinds
        .into_iter()
        .filter(|k| k.set() == set)
        .flat_map(|k| {
            let of_kind: Vec<&'static Reply> = replies().iter().filter(|r| r.kind == k).collect();
            let n = of_kind.len().max(1);
            (0..2).filter_map(move |i| of_kind.get((offset + i) % n).copied())
        })
        .collect()
}

/// The words of a text that carry meaning, for comparing texts: lowercase runs of letters,
/// three letters or more.
pub fn content_words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 3).map(str::to_lowercase).collect()
}

/// How alike two texts are by their content words: shared words over all words, 0 to 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (content_words(a), content_words(b));
    let union = a.union(&b).count();
    if union == 0 {
        return 0.0;
    }
    let shared = a.intersection(&b).count();
    #[allow(clippy::cast_precision_loss)]
    let ratio = shared as f64 / union as f64;
    ratio
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    #[test]
    fn every_question_file_is_listed_and_every_deck_has_one() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/questions");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("content/questions exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().trim_end_matches(".toml").to_owned())
            .filter(|n| n != "decks" && n != "replies")
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = QUESTION_FILES.iter().map(|(n, _)| (*n).to_owned()).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "QUESTION_FILES lists every deck file");
        let file: DeckFile = toml::from_str(DECKS).expect("decks.toml parses");
        let deck_ids: Vec<&str> = file.deck.iter().map(|d| d.id.as_str()).collect();
        let file_ids: Vec<&str> = QUESTION_FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(deck_ids, file_ids, "one file per deck, in the decks' order");
        for d in &file.deck {
            assert!(!d.name.is_empty() && d.blurb.len() > 20 && d.blurb.len() < 160, "{}: name and blurb", d.id);
        }
        assert_eq!(deck("dreams").map(|d| d.replies), Some(ReplySet::Celebrate), "good news gets celebration");
    }

    #[test]
    fn questions_follow_the_rules() {
        let mut total = 0;
        for (deck, text) in QUESTION_FILES {
            let file: QuestionFile = toml::from_str(text).unwrap_or_else(|e| panic!("{deck}.toml: {e}"));
            total += file.question.len();
        }
        let all = questions();
        assert_eq!(all.len(), total, "every question loads");
        assert!(all.len() >= 400, "at least 400 questions, found {}", all.len());
        let mut ids = HashSet::new();
        for q in all {
            assert!(ids.insert(q.id.as_str()), "duplicate id {}", q.id);
            assert!(q.id.starts_with(&format!("{}-", q.deck)), "{}: id names its deck", q.id);
            assert!(DEPTHS.contains(&q.depth), "{}: depth {}", q.id, q.depth);
            assert!(!q.types.is_empty(), "{}: at least one type", q.id);
            let unique: HashSet<_> = q.types.iter().collect();
            assert_eq!(unique.len(), q.types.len(), "{}: a type twice", q.id);
            let n = q.text.chars().count();
            assert!((20..=200).contains(&n), "{}: {n} characters", q.id);
            assert_eq!(q.text.trim(), q.text, "{}: stray spaces", q.id);
            assert!(!q.text.contains("  ") && q.text.ends_with('?'), "{}: one question, tidy", q.id);
            if q.deck == "us" {
                assert!(q.depth >= 2, "{}: the Us deck is personal or deep", q.id);
            }
        }
        let at = |d: u8| all.iter().filter(|q| q.depth == d).count();
        assert!(at(2) >= 100 && at(3) >= 80, "depth 2: {}, depth 3: {}", at(2), at(3));
        for t in IntimacyType::ALL {
            let n = all.iter().filter(|q| q.types.contains(&t)).count();
            assert!(n >= 40, "{} has {n} questions", t.as_str());
        }
        let photos = all.iter().filter(|q| q.deck == "memories" && q.text.to_lowercase().contains("photo")).count();
        assert!(photos >= 10, "photo show-and-tell prompts: {photos}");
    }

    #[test]
    fn no_two_questions_are_the_same_or_nearly() {
        let all = questions();
        let normal = |t: &str| content_words(t).into_iter().collect::<Vec<_>>().join(" ");
        let mut seen = HashSet::new();
        for q in all {
            assert!(seen.insert(normal(&q.text)), "{}: the same words as another question", q.id);
        }
        let words: Vec<_> = all.iter().map(|q| content_words(&q.text)).collect();
        for (i, a) in words.iter().enumerate() {
            for (j, b) in words.iter().enumerate().skip(i + 1) {
                let union = a.union(b).count().max(1);
                let shared = a.intersection(b).count();
                let (qa, qb) = (&all[i], &all[j]);
                assert!(shared * 2 < union, "{} and {} are too alike: {:?} / {:?}", qa.id, qb.id, qa.text, qb.text);
            }
        }
    }

    #[test]
    fn replies_are_short_distinct_and_cover_both_sets() {
        let file: ReplyFile = toml::from_str(REPLIES).expect("replies.toml parses");
        assert_eq!(file.reply.len(), replies().len());
        let mut ids = HashSet::new();
        let mut texts = HashSet::new();
        let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
        for r in &file.reply {
            assert!(ids.insert(r.id.clone()) && texts.insert(r.text.to_lowercase()), "{}: repeated", r.id);
            let n = r.text.chars().count();
            assert!((5..60).contains(&n), "{}: {n} characters", r.id);
            *per_kind.entry(format!("{:?}", r.kind)).or_default() += 1;
        }
        assert_eq!(per_kind.len(), 5, "every kind of reply: {per_kind:?}");
        assert!(per_kind.values().all(|n| *n >= 6), "{per_kind:?}");
        let dream = questions().iter().find(|q| q.deck == "dreams").expect("a dream question");
        assert!(replies_for(dream).all(|r| r.kind.set() == ReplySet::Celebrate));
        let us = questions().iter().find(|q| q.deck == "us").expect("an us question");
        assert!(replies_for(us).all(|r| r.kind.set() == ReplySet::Supportive));
        let short = suggested_replies(us);
        assert_eq!(short.len(), 6, "two of each supportive kind");
        assert!(short.iter().all(|r| replies_for(us).any(|s| s.id == r.id)));
        assert_eq!(suggested_replies(dream).len(), 4, "two enthusiastic, two curious");
    }

    #[test]
    fn similarity_counts_shared_content_words() {
        assert!((similarity("What made you laugh today?", "What made you laugh today?") - 1.0).abs() < 1e-9);
        assert!(similarity("Which song lifts you up?", "Where would you walk at dawn?") < 0.2);
        assert!(similarity("", "") < 1e-9);
    }
}
