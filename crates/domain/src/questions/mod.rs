//! Questions, everything about them under one name: the decks (questions written for Tend,
//! each with its intimacy types, a depth and a tone, and the one-tap replies a partner can send
//! after reading the other's answer, offered only where they fit the question's tone), the
//! [`exchange`] of two partners' answers to one question (and the question of the day), and
//! the [`ladder`] that lets a couple go deeper together.
//! The words live in `content/questions/`; this module loads them and a test holds them to
//! the rules (unique ids, valid types and depths, sensible length, no duplicate or
//! near-duplicate text, enough fitting replies for every question, stored reply ids kept).

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

/// How a question feels to answer, which decides the one-tap replies that fit it: a silly
/// question wants a smile back, a painful one wants to be heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    /// Silly or light.
    Playful,
    /// Warm, everyday sharing.
    Tender,
    /// Worries, hurts, fears and needs.
    Serious,
    /// Dreams and plans.
    Hopeful,
    /// Good news and wins.
    Joyful,
}

impl Tone {
    pub const ALL: [Self; 5] = [Self::Playful, Self::Tender, Self::Serious, Self::Hopeful, Self::Joyful];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Playful => "playful",
            Self::Tender => "tender",
            Self::Serious => "serious",
            Self::Hopeful => "hopeful",
            Self::Joyful => "joyful",
        }
    }
}

/// What a question takes for granted that not every couple has. The question for today, which
/// every couple is offered, never presumes anything; a deck may, where the question needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presumption {
    Children,
    Parents,
    Siblings,
    /// A family that showed love.
    LovingFamily,
    Friends,
    Pets,
    Job,
    Faith,
    LivingTogether,
    /// Being in the same place, not apart.
    SamePlace,
    ChildhoodPhotos,
    Hearing,
    Sight,
    Mobility,
}

/// The broad areas a question's theme belongs to, which the content test holds to quotas so
/// that no part of a couple's life is left thin.
pub const AREAS: &[&str] = &[
    "everyday",
    "fun",
    "new-things",
    "our-history",
    "past",
    "dreams",
    "good-news",
    "feelings",
    "outside-stress",
    "conflict-repair",
    "household",
    "values",
    "ideas",
    "body",
    "people",
    "us",
    "self",
];

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub depth: u8,
    pub tone: Tone,
    pub types: Vec<IntimacyType>,
    /// `area/topic`: the area (one of [`AREAS`]) and the particular subject. At most two
    /// questions share a theme at one depth, which keeps near-twins out.
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub presumes: Vec<Presumption>,
    /// Taken out of the decks: never drawn or listed, but kept so answers given to it still
    /// read with their question.
    #[serde(default)]
    pub retired: bool,
    pub text: String,
    /// Filled in from the file the question is in.
    #[serde(skip_deserializing)]
    pub deck: String,
}

impl Question {
    /// The area of the question's theme, such as `good-news`.
    pub fn area(&self) -> &str {
        self.theme.split('/').next().unwrap_or_default()
    }
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deck {
    pub id: String,
    pub name: String,
    pub blurb: String,
    /// A Learn page about what the deck practises, by slug, with the words of its link.
    #[serde(default)]
    pub learn: Option<DeckLearn>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeckLearn {
    pub slug: String,
    pub link: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyKind {
    Understanding,
    Validation,
    Care,
    Enthusiasm,
    Curiosity,
    /// Smiling back, teasing gently, playing along: for a silly question.
    Playful,
}

impl ReplyKind {
    pub const ALL: [Self; 6] =
        [Self::Understanding, Self::Validation, Self::Care, Self::Enthusiasm, Self::Curiosity, Self::Playful];
}

/// A one-tap reply. Its id is stored with each response, so an id keeps its words for good.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub id: String,
    pub kind: ReplyKind,
    /// The tones of question it fits; it is offered only there.
    pub tones: Vec<Tone>,
    pub text: String,
}

impl Reply {
    pub fn fits(&self, question: &Question) -> bool {
        self.tones.contains(&question.tone)
    }
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

/// Every question in the decks, deck by deck in the decks' order; retired ones are left out.
pub fn questions() -> &'static [Question] {
    static LIST: OnceLock<Vec<Question>> = OnceLock::new();
    LIST.get_or_init(|| every_question().iter().filter(|q| !q.retired).cloned().collect())
}

/// Every question ever written, retired ones included, as answers may name any of them.
fn every_question() -> &'static [Question] {
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

/// A question by its id, retired ones included, through an index built once at first use.
pub fn question(id: &str) -> Option<&'static Question> {
    static BY_ID: OnceLock<std::collections::HashMap<&'static str, &'static Question>> = OnceLock::new();
    BY_ID.get_or_init(|| every_question().iter().map(|q| (q.id.as_str(), q)).collect()).get(id).copied()
}

pub fn replies() -> &'static [Reply] {
    static LIST: OnceLock<Vec<Reply>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<ReplyFile>(REPLIES).map(|f| f.reply).unwrap_or_default())
}

/// Any reply by its id, whatever it fits: what was sent stays readable.
pub fn reply(id: &str) -> Option<&'static Reply> {
    replies().iter().find(|r| r.id == id)
}

/// The one-tap replies that fit a question's tone: the only ones a partner may send on it.
pub fn replies_for(question: &Question) -> impl Iterator<Item = &'static Reply> {
    replies().iter().filter(move |r| r.fits(question))
}

/// How many one-tap replies a question offers at once.
pub const SUGGESTED: usize = 6;

/// A short choice of fitting replies for one question, taking the kinds in turn so the choice
/// is varied, and starting at a different place for different questions so it doesn't read
/// the same every time.
pub fn suggested_replies(question: &Question) -> Vec<&'static Reply> {
    let offset = question.id.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)));
    let groups: Vec<Vec<&'static Reply>> = ReplyKind::ALL
        .into_iter()
        .map(|k| {
            let mut of_kind: Vec<&'static Reply> = replies_for(question).filter(|r| r.kind == k).collect();
            let n = of_kind.len().max(1);
            of_kind.rotate_left(offset % n);
            of_kind
        })
        .filter(|g| !g.is_empty())
        .collect();
    let longest = groups.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest).flat_map(|i| groups.iter().filter_map(move |g| g.get(i).copied())).take(SUGGESTED).collect()
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
            .filter(|n| !["decks", "replies", "twins", "well-known"].contains(&n.as_str()))
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
    }

    #[test]
    fn questions_follow_the_rules() {
        let written = written();
        let all = questions();
        assert_eq!(all.len(), written.iter().filter(|q| !q.retired).count(), "every question loads");
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
    fn replies_are_short_distinct_and_each_is_offered_or_retired() {
        let file: ReplyFile = toml::from_str(REPLIES).expect("replies.toml parses");
        assert_eq!(file.reply.len(), replies().len());
        let mut ids = HashSet::new();
        let mut texts = HashSet::new();
        let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
        for r in &file.reply {
            assert!(ids.insert(r.id.clone()) && texts.insert(r.text.to_lowercase()), "{}: repeated", r.id);
            assert!(r.id.starts_with(&format!("{:?}-", r.kind).to_lowercase()), "{}: id names its kind", r.id);
            let n = r.text.chars().count();
            assert!((5..60).contains(&n), "{}: {n} characters", r.id);
            // A reply that fits no tone is retired: kept only so old responses still read.
            let retired = STORED_REPLIES.iter().any(|(id, _)| *id == r.id);
            assert!(!r.tones.is_empty() || retired, "{}: fits no tone, so it would never be offered", r.id);
            let unique: HashSet<_> = r.tones.iter().collect();
            assert_eq!(unique.len(), r.tones.len(), "{}: a tone twice", r.id);
            *per_kind.entry(format!("{:?}", r.kind)).or_default() += 1;
        }
        assert_eq!(per_kind.len(), ReplyKind::ALL.len(), "every kind of reply: {per_kind:?}");
    }

    /// Every reply id that has ever been offered, with its words: responses store the id, so
    /// an old id must stay and keep saying what it said. New replies get new ids.
    const STORED_REPLIES: &[(&str, &str)] = &[
        ("understanding-1", "I get why that matters to you."),
        ("understanding-2", "That makes a lot of sense to me."),
        ("understanding-3", "I can see where you're coming from."),
        ("understanding-4", "Thanks for explaining. I understand you better now."),
        ("understanding-5", "I hadn't seen it that way before. Now I do."),
        ("understanding-6", "That helps me understand you more."),
        ("understanding-7", "I can picture how that felt."),
        ("understanding-8", "That sounds like a lot to carry."),
        ("validation-1", "Your feelings about this make sense."),
        ("validation-2", "It's okay to feel that way."),
        ("validation-3", "Anyone would find that hard."),
        ("validation-4", "You're not overreacting."),
        ("validation-5", "That was a fair thing to want."),
        ("validation-6", "What you felt was real, and it matters."),
        ("validation-7", "You handled that better than you think."),
        ("validation-8", "That took courage to share."),
        ("care-1", "I'm here with you."),
        ("care-2", "Thank you for telling me this."),
        ("care-3", "Want a hug next time we're together?"),
        ("care-4", "I'm on your side."),
        ("care-5", "Is there anything I can do to help?"),
        ("care-6", "I love knowing this about you."),
        ("care-7", "Let's talk more whenever you're ready."),
        ("care-8", "I'm glad you trusted me with this."),
        ("enthusiasm-1", "That's wonderful news!"),
        ("enthusiasm-2", "I'm so happy for you!"),
        ("enthusiasm-3", "You worked hard for this and it shows."),
        ("enthusiasm-4", "This made my day."),
        ("enthusiasm-5", "I love this for you."),
        ("enthusiasm-6", "We have to celebrate this!"),
        ("enthusiasm-7", "I'm really proud of you."),
        ("enthusiasm-8", "Yes! This is so exciting."),
        ("curiosity-1", "Tell me everything. How did it happen?"),
        ("curiosity-2", "What was the best part?"),
        ("curiosity-3", "How did it feel when you found out?"),
        ("curiosity-4", "What are you most excited about next?"),
        ("curiosity-5", "I want to hear more. What happened then?"),
        ("curiosity-6", "When did you first start hoping for this?"),
        ("curiosity-7", "How do you want to celebrate?"),
        ("curiosity-8", "What would this mean for you?"),
    ];

    #[test]
    fn stored_reply_ids_keep_their_words() {
        for (id, text) in STORED_REPLIES {
            assert_eq!(reply(id).map(|r| r.text.as_str()), Some(*text), "{id} must keep meaning what it meant");
        }
    }

    #[test]
    fn every_question_has_a_tone_and_at_least_three_fitting_replies() {
        let file_tones = QUESTION_FILES.iter().map(|(_, text)| text.matches("\ntone = ").count()).sum::<usize>();
        assert_eq!(file_tones, written().len(), "every question names its tone in its file");
        for q in questions() {
            let fitting: Vec<&Reply> = replies_for(q).collect();
            assert!(fitting.len() >= 3, "{} ({}): {} fitting replies", q.id, q.tone.as_str(), fitting.len());
            let offered = suggested_replies(q);
            assert!(offered.len() >= 3 && offered.len() <= SUGGESTED, "{}: {} offered", q.id, offered.len());
            assert!(offered.iter().all(|r| r.fits(q)), "{}: only fitting replies are offered", q.id);
            let ids: HashSet<&str> = offered.iter().map(|r| r.id.as_str()).collect();
            assert_eq!(ids.len(), offered.len(), "{}: a reply offered twice", q.id);
        }
        for t in Tone::ALL {
            let replies = replies().iter().filter(|r| r.tones.contains(&t)).count();
            assert!(replies >= SUGGESTED, "{}: {replies} replies, fewer than a full choice", t.as_str());
            assert!(questions().iter().any(|q| q.tone == t), "{}: no question uses it", t.as_str());
        }
    }

    #[test]
    fn tones_follow_depth_and_deck() {
        for q in questions() {
            if q.depth == 1 {
                assert_ne!(q.tone, Tone::Serious, "{}: a light question is not a serious one", q.id);
            }
            if q.depth == 3 {
                assert_ne!(q.tone, Tone::Playful, "{}: a deep question is not a playful one", q.id);
            }
            if q.deck == "play" {
                assert_ne!(q.tone, Tone::Serious, "{}: the play deck stays light", q.id);
            }
        }
        // The question that found the problem: a mascot gets a smile, not comfort.
        let mascot = question("play-001").expect("the mascot question");
        assert_eq!(mascot.tone, Tone::Playful);
        let offered: Vec<&str> = suggested_replies(mascot).iter().map(|r| r.text.as_str()).collect();
        assert!(
            suggested_replies(mascot).iter().any(|r| r.kind == ReplyKind::Playful),
            "a silly question is offered a playful reply: {offered:?}"
        );
        for comfort in ["It's okay to feel that way.", "I'm here with you."] {
            assert!(!offered.contains(&comfort), "{comfort:?} offered on the mascot question: {offered:?}");
            assert!(!replies_for(mascot).any(|r| r.text == comfort));
        }
        let fear = question("us-033").expect("a question about arguments");
        assert!(replies_for(fear).all(|r| r.kind != ReplyKind::Enthusiasm), "no cheering on a fear");
        let news = question("dreams-004").expect("a good-news question");
        assert_eq!(news.tone, Tone::Joyful);
        assert!(replies_for(news).any(|r| r.id == "enthusiasm-1"), "good news gets celebrated");
    }

    /// Every question ever written, straight from the files, retired ones included.
    fn written() -> Vec<Question> {
        QUESTION_FILES
            .iter()
            .flat_map(|(deck, text)| {
                let file: QuestionFile = toml::from_str(text).unwrap_or_else(|e| panic!("{deck}.toml: {e}"));
                file.question.into_iter().map(move |q| Question { deck: (*deck).to_owned(), ..q })
            })
            .collect()
    }

    #[test]
    fn no_question_is_ever_removed_only_retired() {
        // Ids are numbered in order within a deck; a gap would mean a question was deleted and
        // the answers given to it lost their question.
        for (deck, _) in QUESTION_FILES {
            let mut numbers: Vec<u32> = written()
                .iter()
                .filter(|q| q.deck == *deck)
                .map(|q| q.id[deck.len() + 1..].parse().unwrap_or_else(|_| panic!("{}: numbered id", q.id)))
                .collect();
            numbers.sort_unstable();
            let expected: Vec<u32> = (1..=u32::try_from(numbers.len()).unwrap_or(0)).collect();
            assert_eq!(numbers, expected, "{deck}: ids run from 1 with no gap");
        }
        let retired = written().into_iter().filter(|q| q.retired).collect::<Vec<_>>();
        for q in &retired {
            assert!(question(&q.id).is_some(), "{}: a retired question still reads", q.id);
            assert!(questions().iter().all(|l| l.id != q.id), "{}: a retired question is never offered", q.id);
        }
    }

    #[test]
    fn every_question_has_a_theme_and_no_theme_crowds_a_depth() {
        let mut per_theme: BTreeMap<(&str, u8), Vec<&str>> = BTreeMap::new();
        for q in questions() {
            let (area, topic) = q.theme.split_once('/').unwrap_or_else(|| panic!("{}: theme is area/topic", q.id));
            assert!(AREAS.contains(&area), "{}: {area} is not one of the areas", q.id);
            assert!(
                !topic.is_empty() && topic.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}: topic {topic:?} is a lowercase slug",
                q.id
            );
            let unique: HashSet<_> = q.presumes.iter().collect();
            assert_eq!(unique.len(), q.presumes.len(), "{}: presumes something twice", q.id);
            per_theme.entry((q.theme.as_str(), q.depth)).or_default().push(q.id.as_str());
        }
        for ((theme, depth), ids) in per_theme {
            assert!(ids.len() <= 2, "{} questions of {theme} at depth {depth}: {ids:?}", ids.len());
        }
    }

    /// Words that take a problem between the partners for granted.
    const PRESUMING: &[&str] = &[
        "a hurt",
        "hurt between us",
        "an apology",
        "apologize",
        "apologise",
        "resent",
        "let you down",
        "let each other down",
        "grudge",
        "unresolved",
        "haven't forgiven",
        "not forgiven",
        "betray",
        "disappointed in me",
        "hasn't fully healed",
        "still hurts",
    ];
    /// Words that leave room for there being none.
    const SOFTENING: &[&str] =
        &["if any", "if there is", "if there's", "if there was", "if ever", "if one comes to mind", "if you have one"];
    /// First words of a question that can be answered yes or no.
    const YES_NO: &[&str] = &[
        "do", "does", "did", "are", "is", "was", "were", "have", "has", "had", "can", "could", "would", "will",
        "should", "shall", "may", "might", "must", "am",
    ];

    #[test]
    fn questions_are_worded_to_open_up() {
        for q in questions() {
            let text = q.text.to_lowercase();
            let first = text.split(|c: char| !c.is_alphabetic() && c != '\'').next().unwrap_or_default();
            let would_you_rather = text.starts_with("would you rather");
            if q.deck != "play" {
                assert!(!YES_NO.contains(&first), "{}: a yes/no opener belongs in Play only: {:?}", q.id, q.text);
            }
            // A list to choose from after a colon ends with a way out of it.
            let menu = text.rsplit_once(':').map(|(_, list)| list).unwrap_or_default();
            if menu.contains(" or ") && !would_you_rather {
                assert!(menu.contains("else"), "{}: a fixed menu ends with an open option: {:?}", q.id, q.text);
            }
            // Word starts only: "resent" is not in "present".
            let words = format!(" {}", text.replace(|c: char| !c.is_alphabetic() && c != '\'', " "));
            if q.depth < 3 && PRESUMING.iter().any(|p| words.contains(&format!(" {p}"))) {
                assert!(
                    SOFTENING.iter().any(|s| text.contains(s)),
                    "{}: presumes a problem below the deepest level; soften it with \"if any\": {:?}",
                    q.id,
                    q.text
                );
            }
        }
        let play = questions().iter().filter(|q| q.deck == "play").count();
        let closed = questions()
            .iter()
            .filter(|q| q.deck == "play")
            .filter(|q| {
                let text = q.text.to_lowercase();
                YES_NO.contains(&text.split(|c: char| !c.is_alphabetic()).next().unwrap_or_default())
            })
            .count();
        assert!(closed * 3 <= play, "{closed} of {play} Play questions are yes/no or either/or");
    }

    #[test]
    fn the_decks_cover_every_kind_of_closeness_at_every_depth() {
        let all = questions();
        assert!(all.len() >= 1000, "at least 1,000 questions, found {}", all.len());
        for t in IntimacyType::ALL {
            for d in DEPTHS {
                let n = all.iter().filter(|q| q.depth == d && q.types.contains(&t)).count();
                let least = if t == IntimacyType::Recreational && d == 3 { 10 } else { 25 };
                assert!(n >= least, "{} at depth {d}: {n} questions, at least {least}", t.as_str());
            }
        }
        for (area, least) in [
            ("outside-stress", 40),
            ("feelings", 30),
            ("good-news", 40),
            ("our-history", 30),
            ("new-things", 30),
            ("conflict-repair", 25),
        ] {
            let n = all.iter().filter(|q| q.area() == area).count();
            assert!(n >= least, "{area}: {n} questions, at least {least}");
        }
        let deep_not_heavy = all.iter().filter(|q| q.depth == 3 && q.tone != Tone::Serious).count();
        assert!(deep_not_heavy >= 40, "deep questions that are not heavy: {deep_not_heavy}");
    }

    /// 64-bit FNV-1a, as scripts/question-twins computes it over what its scan looked at.
    fn fnv1a(text: &str) -> String {
        let hash =
            text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        format!("{hash:016x}")
    }

    #[derive(Deserialize)]
    struct Twins {
        fingerprint: String,
        questions: usize,
        #[serde(default)]
        pair: Vec<Reviewed>,
        #[serde(default)]
        echo: Vec<Reviewed>,
    }

    #[derive(Deserialize)]
    struct Reviewed {
        verdict: String,
        why: String,
        #[serde(default)]
        a: String,
        #[serde(default)]
        b: String,
        #[serde(default)]
        question: String,
    }

    #[derive(Deserialize)]
    struct WellKnown {
        theme: Vec<String>,
    }

    #[test]
    fn the_meaning_scan_is_current_and_every_near_twin_is_reviewed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/questions");
        let read = |name: &str| std::fs::read_to_string(format!("{dir}/{name}")).expect("content file");
        let twins: Twins = toml::from_str(&read("twins.toml")).expect("twins.toml parses");
        let known: WellKnown = toml::from_str(&read("well-known.toml")).expect("well-known.toml parses");
        let mut live: Vec<&Question> = questions().iter().collect();
        live.sort_by(|a, b| a.id.cmp(&b.id));
        let scanned: String = live.iter().map(|q| format!("{}\t{}\n", q.id, q.text)).collect::<String>()
            + &known.theme.iter().map(|t| format!("{t}\n")).collect::<String>();
        assert_eq!(
            (twins.fingerprint.as_str(), twins.questions),
            (fnv1a(&scanned).as_str(), live.len()),
            "the questions changed since the meaning scan: run scripts/question-twins and review what it lists"
        );
        for p in twins.pair.iter().chain(&twins.echo) {
            let what = if p.question.is_empty() { format!("{} and {}", p.a, p.b) } else { p.question.clone() };
            assert_eq!(p.verdict, "distinct", "{what}: not reviewed (retire one of a near-twin pair, or say why not)");
            assert!(p.why.len() >= 10, "{what}: say why they are distinct");
        }
        assert!(known.theme.len() >= 30, "the well-known themes to keep clear of");
    }

    #[test]
    fn similarity_counts_shared_content_words() {
        assert!((similarity("What made you laugh today?", "What made you laugh today?") - 1.0).abs() < 1e-9);
        assert!(similarity("Which song lifts you up?", "Where would you walk at dawn?") < 0.2);
        assert!(similarity("", "") < 1e-9);
    }
}
