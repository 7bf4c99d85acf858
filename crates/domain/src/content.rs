//! Content as data: Tend's own texts, kept as TOML under `content/` and built into the
//! binary. Each kind of content is parsed and checked once, at first use.

use serde::Deserialize;
use std::sync::OnceLock;

/// One page of the Learn guide.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GuidePage {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub order: u32,
    pub sections: Vec<GuideSection>,
    #[serde(default)]
    pub sources: Vec<Source>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GuideSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub citation: String,
}

/// The guide's files, in the order they are read.
const GUIDE_FILES: &[(&str, &str)] = &[
    ("01-emotional-intimacy.toml", include_str!("../../../content/learn/01-emotional-intimacy.toml")),
    ("02-six-kinds.toml", include_str!("../../../content/learn/02-six-kinds.toml")),
    ("03-small-daily-practices.toml", include_str!("../../../content/learn/03-small-daily-practices.toml")),
    ("04-how-tend-works.toml", include_str!("../../../content/learn/04-how-tend-works.toml")),
    ("05-time-without-phones.toml", include_str!("../../../content/learn/05-time-without-phones.toml")),
    ("06-cheering-each-other.toml", include_str!("../../../content/learn/06-cheering-each-other.toml")),
];

/// The Learn guide, ordered. The files are checked by this crate's tests, so a bad file
/// never reaches a build; should one slip through, it is left out rather than crash.
pub fn guide() -> &'static [GuidePage] {
    static GUIDE: OnceLock<Vec<GuidePage>> = OnceLock::new();
    GUIDE.get_or_init(|| {
        let mut pages: Vec<GuidePage> = GUIDE_FILES.iter().filter_map(|(_, text)| toml::from_str(text).ok()).collect();
        pages.sort_by_key(|p| p.order);
        pages
    })
}

/// A sentence opening for an appreciation, to finish in one's own words.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Starter {
    pub id: String,
    pub kind: crate::appreciation::Kind,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StarterFile {
    starters: Vec<Starter>,
}

const STARTERS: &str = include_str!("../../../content/appreciations/starters.toml");

pub fn starters() -> &'static [Starter] {
    static STARTER_LIST: OnceLock<Vec<Starter>> = OnceLock::new();
    STARTER_LIST.get_or_init(|| toml::from_str::<StarterFile>(STARTERS).map(|f| f.starters).unwrap_or_default())
}

pub fn starter(id: &str) -> Option<&'static Starter> {
    starters().iter().find(|s| s.id == id)
}

pub fn guide_page(slug: &str) -> Option<&'static GuidePage> {
    guide().iter().find(|p| p.slug == slug)
}

/// What the Stress-Reducing Conversation's screens say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationTexts {
    pub speaker_reminder: String,
    pub guidelines: Vec<crate::conversation::Guideline>,
}

const CONVERSATION: &str = include_str!("../../../content/practices/conversation.toml");

pub fn conversation() -> &'static ConversationTexts {
    static TEXTS: OnceLock<ConversationTexts> = OnceLock::new();
    TEXTS.get_or_init(|| toml::from_str(CONVERSATION).unwrap_or_default())
}

/// What reflective listening offers beside the practice.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListeningTexts {
    pub feelings: Vec<String>,
    pub styles: Vec<crate::listening::Style>,
}

const LISTENING: &str = include_str!("../../../content/practices/listening.toml");

pub fn listening() -> &'static ListeningTexts {
    static TEXTS: OnceLock<ListeningTexts> = OnceLock::new();
    TEXTS.get_or_init(|| toml::from_str(LISTENING).unwrap_or_default())
}

/// The show-and-tell's words: the listener's prompts and the reactions.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoTexts {
    pub reactions: Vec<crate::show_and_tell::PhotoReaction>,
    pub prompts: Vec<crate::show_and_tell::PhotoPrompt>,
}

const PHOTO_PROMPTS: &str = include_str!("../../../content/memories/photo_prompts.toml");

pub fn photo_texts() -> &'static PhotoTexts {
    static TEXTS: OnceLock<PhotoTexts> = OnceLock::new();
    TEXTS.get_or_init(|| toml::from_str(PHOTO_PROMPTS).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_guide_file_is_listed_and_valid() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../content/learn");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("content/learn exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let listed: Vec<String> = GUIDE_FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(on_disk, listed, "GUIDE_FILES must list every file in content/learn");

        let mut slugs = HashSet::new();
        for (name, text) in GUIDE_FILES {
            let page: GuidePage = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(slugs.insert(page.slug.clone()), "{name}: duplicate slug");
            assert!(page.slug.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{name}: slug");
            assert!(!page.title.is_empty() && page.title.len() < 80, "{name}: title");
            assert!(!page.sections.is_empty(), "{name}: no sections");
            for s in &page.sections {
                assert!(!s.heading.is_empty() && !s.paragraphs.is_empty(), "{name}: empty section");
                for p in &s.paragraphs {
                    assert!(!p.trim().is_empty() && p.len() < 800, "{name}: paragraph length");
                    assert!(!p.contains('<') && !p.contains("**"), "{name}: plain text only");
                }
            }
        }
        assert_eq!(guide().len(), GUIDE_FILES.len());
    }

    #[test]
    fn practice_texts_parse_and_are_complete() {
        let talk: ConversationTexts = toml::from_str(CONVERSATION).expect("conversation.toml parses");
        assert_eq!(talk.guidelines.len(), 8, "the eight listener guidelines");
        assert!(!talk.speaker_reminder.trim().is_empty());
        for g in &talk.guidelines {
            assert!(!g.name.trim().is_empty() && g.cue.chars().count() <= 120, "{}: a short cue", g.name);
        }
        let listen: ListeningTexts = toml::from_str(LISTENING).expect("listening.toml parses");
        assert_eq!(listen.styles.len(), 3, "distracted, active, empathic");
        assert!(listen.feelings.len() >= 12);
        let distinct: HashSet<&String> = listen.feelings.iter().collect();
        assert_eq!(distinct.len(), listen.feelings.len(), "no feeling twice");
        assert!(listen.feelings.iter().all(|f| f.chars().count() <= crate::listening::FEELING_MAX));
    }

    #[test]
    fn appreciation_starters_are_valid_and_distinct() {
        let file: StarterFile = toml::from_str(STARTERS).expect("starters.toml parses");
        assert_eq!(file.starters.len(), starters().len());
        assert!(file.starters.len() >= 60);
        let mut ids = HashSet::new();
        let mut texts = HashSet::new();
        for s in &file.starters {
            assert!(ids.insert(s.id.clone()), "duplicate id {}", s.id);
            assert!(s.id.starts_with(s.kind.as_str()), "{}: id names its kind", s.id);
            assert!(texts.insert(s.text.to_lowercase()), "duplicate text {}", s.text);
            let n = s.text.chars().count();
            assert!((15..=100).contains(&n), "{}: length {n}", s.id);
            assert!(s.text.ends_with('…'), "{}: a starter is an opening", s.id);
        }
    }

    #[test]
    fn photo_prompts_are_many_distinct_and_questions() {
        let texts: PhotoTexts = toml::from_str(PHOTO_PROMPTS).expect("photo_prompts.toml parses");
        assert!(texts.prompts.len() >= 30, "at least 30 prompts, found {}", texts.prompts.len());
        assert!((4..=8).contains(&texts.reactions.len()));
        let ids: HashSet<&str> = texts.prompts.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), texts.prompts.len(), "prompt ids are unique");
        let reaction_ids: HashSet<&str> = texts.reactions.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(reaction_ids.len(), texts.reactions.len(), "reaction ids are unique");
        for p in &texts.prompts {
            let words = p.text.split_whitespace().count();
            assert!((4..=16).contains(&words), "{}: {words} words", p.id);
            assert!(p.text.ends_with('?') || p.text.starts_with("Tell me"), "{} asks something", p.id);
        }
        for (i, a) in texts.prompts.iter().enumerate() {
            for b in &texts.prompts[i + 1..] {
                let overlap = crate::questions::similarity(&a.text, &b.text);
                assert!(overlap < 0.5, "{} and {} are near-twins ({overlap:.2})", a.id, b.id);
            }
        }
    }
}
