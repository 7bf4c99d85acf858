//! Getting support: when to consider couples therapy or coaching, and the private safety
//! check. The texts live in `content/support/` and are built into the binary; the check's
//! answers are read, weighed and forgotten: nothing here stores, sends or logs them.

use crate::content::Source;
use serde::Deserialize;
use std::sync::OnceLock;

/// The Getting support page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportPage {
    pub title: String,
    pub summary: String,
    /// A line near the top pointing to the safety check.
    pub safety_note: String,
    pub options_heading: String,
    /// Couples therapy beside relationship coaching.
    pub options: Vec<SupportOption>,
    pub sections: Vec<SupportSection>,
    pub sources: Vec<Source>,
}

/// One kind of professional help.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportOption {
    pub name: String,
    pub focus: String,
    pub best_for: String,
    pub paragraphs: Vec<String>,
}

/// A part of the page: prose, then an optional list, then optional links out.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportSection {
    /// The section's anchor on the page.
    pub id: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub links: Vec<DirectoryLink>,
}

/// A plain link to a professional directory: nothing of it is embedded or loaded.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryLink {
    pub name: String,
    pub url: String,
    pub region: String,
}

/// Everything the safety check says.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyTexts {
    pub title: String,
    pub intro: Vec<String>,
    /// What the check leaves behind (nothing), said before the questions.
    pub privacy: String,
    pub emergency: String,
    /// Where "Quick exit" goes: a neutral site.
    pub quick_exit_url: String,
    pub questions: Vec<SafetyQuestion>,
    pub results: SafetyResults,
    /// Why couple work is not the step to take where there is abuse.
    pub advice: Prose,
    /// Said with every result: nothing was kept.
    pub reassurance: String,
    /// For a reader whose country is not listed.
    pub fallback: Fallback,
    pub countries: Vec<Country>,
    pub sources: Vec<Source>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyQuestion {
    /// The form field's name; one of [`SafetyAnswers::FIELDS`].
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyResults {
    pub concern: Prose,
    pub calm: Prose,
    pub unanswered: Prose,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prose {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fallback {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub links: Vec<FallbackLink>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FallbackLink {
    pub name: String,
    pub url: String,
}

/// A country's helplines.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: String,
    pub name: String,
    /// What to call in immediate danger.
    pub emergency: String,
    /// IANA time zones of the country, to guess where a reader is.
    pub zones: Vec<String>,
    pub lines: Vec<Line>,
}

/// One helpline.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub name: String,
    /// The number to call, as people write it there; none for a line reached by its site.
    #[serde(default)]
    pub call: Option<String>,
    /// Where to send a text message, and what to write, if the line takes texts.
    #[serde(default)]
    pub text: Option<TextLine>,
    /// Who the line is for, or when it answers.
    #[serde(default)]
    pub note: Option<String>,
    /// Answers day and night, every day.
    pub open_all_hours: bool,
    /// The official page this line was taken from.
    pub source: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextLine {
    pub to: String,
    #[serde(default)]
    pub body: Option<String>,
}

impl Line {
    /// A `tel:` address for the number: its digits, with `#` and `*` encoded so a code
    /// such as `#8008` dials as written.
    pub fn tel(&self) -> Option<String> {
        self.call.as_deref().map(|number| format!("tel:{}", dial_string(number)))
    }

    /// An `sms:` address that opens a new message, with the first word already written.
    pub fn sms(&self) -> Option<String> {
        let text = self.text.as_ref()?;
        let to = dial_string(&text.to);
        Some(match &text.body {
            // `?&body=` is read by both Android and iOS.
            Some(body) => format!("sms:{to}?&body={}", encode_word(body)),
            None => format!("sms:{to}"),
        })
    }
}

fn dial_string(number: &str) -> String {
    number
        .chars()
        .filter_map(|c| match c {
            '0'..='9' | '+' => Some(c.to_string()),
            '#' => Some("%23".into()),
            '*' => Some("*".into()),
            _ => None,
        })
        .collect()
}

fn encode_word(word: &str) -> String {
    word.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

const SUPPORT: &str = include_str!("../../../content/support/support.toml");
const SAFETY: &str = include_str!("../../../content/support/safety.toml");

/// The Getting support page. The file is checked by this module's tests; should a bad one
/// slip through, the page is empty rather than a crash.
pub fn support_page() -> &'static SupportPage {
    static PAGE: OnceLock<SupportPage> = OnceLock::new();
    PAGE.get_or_init(|| toml::from_str(SUPPORT).unwrap_or_default())
}

/// The safety check's texts and helplines.
pub fn safety() -> &'static SafetyTexts {
    static TEXTS: OnceLock<SafetyTexts> = OnceLock::new();
    TEXTS.get_or_init(|| toml::from_str(SAFETY).unwrap_or_default())
}

/// The helplines in the order to show them.
#[derive(Clone, Debug)]
pub struct Hotlines {
    pub countries: Vec<&'static Country>,
    /// Whether the first country is the reader's own, as their time zone suggests.
    pub local_first: bool,
}

/// Every country's helplines, the one whose time zones include `zone` first and the rest in
/// the order of the file.
pub fn hotlines_for(zone: Option<&str>) -> Hotlines {
    let all = &safety().countries;
    let local = zone.map(str::trim).and_then(|z| all.iter().position(|c| c.zones.iter().any(|cz| cz == z)));
    let mut countries: Vec<&'static Country> = Vec::with_capacity(all.len());
    if let Some(i) = local {
        countries.push(&all[i]);
    }
    countries.extend(all.iter().enumerate().filter(|(i, _)| Some(*i) != local).map(|(_, c)| c));
    Hotlines { countries, local_first: local.is_some() }
}

/// One answer to one question.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
}

impl Answer {
    /// "yes" or "no" in any case; anything else is no answer.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("yes") {
            Some(Self::Yes)
        } else if value.eq_ignore_ascii_case("no") {
            Some(Self::No)
        } else {
            None
        }
    }
}

/// What the reader answered; every question may be left out. Its `Debug` shows no answer, so
/// no log line can carry one by accident.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SafetyAnswers {
    pub afraid: Option<Answer>,
    pub hurt: Option<Answer>,
    pub controlled: Option<Answer>,
    pub pressured: Option<Answer>,
    pub careful: Option<Answer>,
}

impl std::fmt::Debug for SafetyAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SafetyAnswers { .. }")
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Answer")
    }
}

impl SafetyAnswers {
    /// The form's field names, one per question.
    pub const FIELDS: [&'static str; 5] = ["afraid", "hurt", "controlled", "pressured", "careful"];

    /// Reads a submitted form's fields. Unknown fields and values other than yes and no are
    /// ignored; a question sent twice counts as "yes" if either says so, so a muddled form
    /// never hides help.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut answers = Self::default();
        for (key, value) in pairs {
            let Some(answer) = Answer::parse(value.as_ref()) else { continue };
            let slot = match key.as_ref() {
                "afraid" => &mut answers.afraid,
                "hurt" => &mut answers.hurt,
                "controlled" => &mut answers.controlled,
                "pressured" => &mut answers.pressured,
                "careful" => &mut answers.careful,
                _ => continue,
            };
            if *slot != Some(Answer::Yes) {
                *slot = Some(answer);
            }
        }
        answers
    }

    fn all(&self) -> [Option<Answer>; 5] {
        [self.afraid, self.hurt, self.controlled, self.pressured, self.careful]
    }
}

/// What the check shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafetyOutcome {
    /// At least one "yes": helplines first, and the advice about couple work.
    Concern,
    /// Answered, and every answer "no": helplines still, gently.
    Calm,
    /// Nothing answered: helplines, with no judgement either way.
    Unanswered,
}

impl SafetyOutcome {
    pub fn is_concern(self) -> bool {
        self == Self::Concern
    }
}

/// Weighs the answers. Any "yes" is a concern: each question asks about something that on its
/// own is reason enough to talk to someone.
pub fn assess(answers: &SafetyAnswers) -> SafetyOutcome {
    let all = answers.all();
    if all.contains(&Some(Answer::Yes)) {
        SafetyOutcome::Concern
    } else if all.iter().any(Option::is_some) {
        SafetyOutcome::Calm
    } else {
        SafetyOutcome::Unanswered
    }
}

impl SafetyTexts {
    /// The words for an outcome.
    pub fn result(&self, outcome: SafetyOutcome) -> &Prose {
        match outcome {
            SafetyOutcome::Concern => &self.results.concern,
            SafetyOutcome::Calm => &self.results.calm,
            SafetyOutcome::Unanswered => &self.results.unanswered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn plain(text: &str, what: &str) {
        assert!(!text.trim().is_empty(), "{what}: empty");
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains("**") && !text.contains("]("),
            "{what}: plain text only: {text}"
        );
        assert!(text.len() < 900, "{what}: too long");
    }

    fn prose(p: &Prose, what: &str) {
        plain(&p.heading, what);
        assert!(!p.paragraphs.is_empty(), "{what}: no paragraphs");
        for text in &p.paragraphs {
            plain(text, what);
        }
    }

    fn https(url: &str, what: &str) {
        assert!(url.starts_with("https://") && url.len() > "https://x.y".len(), "{what}: {url} is not https");
        assert!(!url.contains(char::is_whitespace) && !url.contains('"'), "{what}: {url}");
    }

    fn sources(list: &[Source], what: &str) {
        assert!(!list.is_empty(), "{what}: no sources");
        for s in list {
            plain(&s.citation, what);
            assert!(s.citation.contains('(') && s.citation.contains(')'), "{what}: a full reference: {}", s.citation);
        }
    }

    /// Every "(Name…, 1999)" in `text` matches a listed source by first author and year.
    fn cited(text: &str, list: &[Source], what: &str) {
        for (i, _) in text.match_indices(", 19").chain(text.match_indices(", 20")) {
            let year = &text[i + 2..i + 6];
            if !year.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            let open = text[..i].rfind(['(', ';']).unwrap_or(0);
            let author: String = text[open + 1..].trim_start().chars().take_while(|c| c.is_alphabetic()).collect();
            assert!(
                list.iter().any(|s| s.citation.starts_with(&author) && s.citation.contains(&format!("({year})"))),
                "{what}: “{author} … {year}” is cited but not listed under sources"
            );
        }
    }

    #[test]
    fn the_support_page_is_complete_plain_and_cited() {
        let page: SupportPage = toml::from_str(SUPPORT).unwrap_or_else(|e| panic!("support.toml: {e}"));
        plain(&page.title, "title");
        plain(&page.summary, "summary");
        plain(&page.safety_note, "safety note");
        plain(&page.options_heading, "options heading");
        assert_eq!(page.options.len(), 2, "therapy beside coaching");
        for o in &page.options {
            for text in [&o.name, &o.focus, &o.best_for].into_iter().chain(&o.paragraphs) {
                plain(text, &o.name);
                cited(text, &page.sources, &o.name);
            }
            assert!(!o.paragraphs.is_empty(), "{}: no paragraphs", o.name);
        }
        let ids: Vec<&str> = page.sections.iter().map(|s| s.id.as_str()).collect();
        for needed in ["signs", "look-for", "directories", "first-session", "not-first"] {
            assert!(ids.contains(&needed), "a section with id {needed}");
        }
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "section ids are unique");
        for s in &page.sections {
            assert!(s.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}: id", s.id);
            plain(&s.heading, &s.id);
            assert!(!s.paragraphs.is_empty(), "{}: no paragraphs", s.id);
            for text in s.paragraphs.iter().chain(&s.items) {
                plain(text, &s.id);
                cited(text, &page.sources, &s.id);
            }
            for link in &s.links {
                plain(&link.name, &s.id);
                plain(&link.region, &s.id);
                https(&link.url, &link.name);
            }
        }
        let directories = page.sections.iter().find(|s| s.id == "directories").expect("directories");
        assert!(directories.links.len() >= 4, "several directories");
        sources(&page.sources, "support sources");
        let all = page.sources.iter().map(|s| s.citation.as_str()).collect::<Vec<_>>().join("\n");
        for needed in ["Johnson, S. M.", "Christensen, A.", "Gottman, J. M.", "Hawkins, A. J.", "Stith, S. M."] {
            assert!(all.contains(needed), "support sources cite {needed}");
        }
        assert_eq!(support_page().options.len(), 2, "the built-in page parses");
    }

    #[test]
    fn the_safety_check_is_complete_plain_and_cited() {
        let texts: SafetyTexts = toml::from_str(SAFETY).unwrap_or_else(|e| panic!("safety.toml: {e}"));
        plain(&texts.title, "title");
        assert!(!texts.intro.is_empty());
        for text in texts.intro.iter().chain([&texts.privacy, &texts.emergency, &texts.reassurance]) {
            plain(text, "safety texts");
        }
        https(&texts.quick_exit_url, "quick exit");
        let ids: Vec<&str> = texts.questions.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, SafetyAnswers::FIELDS, "one question per answer field, in order");
        assert!((3..=5).contains(&texts.questions.len()));
        for q in &texts.questions {
            plain(&q.text, &q.id);
            assert!(q.text.ends_with('?'), "{}: a question", q.id);
        }
        assert!(texts.questions.iter().any(|q| q.text == "Do you ever feel afraid of your partner?"));
        for outcome in [SafetyOutcome::Concern, SafetyOutcome::Calm, SafetyOutcome::Unanswered] {
            prose(texts.result(outcome), "result");
        }
        prose(&texts.advice, "advice");
        for text in &texts.advice.paragraphs {
            cited(text, &texts.sources, "advice");
        }
        assert!(texts.advice.paragraphs.iter().any(|p| p.contains("not advised")), "the honest advice");
        sources(&texts.sources, "safety sources");
        prose(
            &Prose { heading: texts.fallback.heading.clone(), paragraphs: texts.fallback.paragraphs.clone() },
            "fallback",
        );
        assert!(!texts.fallback.links.is_empty(), "an international directory");
        for link in &texts.fallback.links {
            plain(&link.name, "fallback");
            https(&link.url, &link.name);
        }
        assert_eq!(safety().questions.len(), texts.questions.len(), "the built-in file parses");
    }

    #[test]
    fn helplines_cover_at_least_twelve_countries_each_with_a_source() {
        let texts: SafetyTexts = toml::from_str(SAFETY).expect("safety.toml parses");
        assert!(texts.countries.len() >= 12, "{} countries", texts.countries.len());
        let mut codes = HashSet::new();
        let mut zones = HashSet::new();
        for c in &texts.countries {
            assert!(codes.insert(c.code.clone()), "{}: country listed twice", c.code);
            assert!(c.code.len() == 2 && c.code.chars().all(|ch| ch.is_ascii_uppercase()), "{}: code", c.code);
            plain(&c.name, &c.code);
            plain(&c.emergency, &c.code);
            assert!(!c.zones.is_empty(), "{}: time zones", c.code);
            for z in &c.zones {
                assert!(jiff::tz::TimeZone::get(z).is_ok(), "{}: {z} is not an IANA zone", c.code);
                assert!(zones.insert(z.clone()), "{z} belongs to two countries");
            }
            assert!(!c.lines.is_empty(), "{}: no lines", c.code);
            assert!(c.lines.iter().any(|l| l.call.is_some()), "{}: a number to call", c.code);
            for l in &c.lines {
                let what = format!("{}: {}", c.code, l.name);
                plain(&l.name, &what);
                https(&l.source, &what);
                if let Some(note) = &l.note {
                    plain(note, &what);
                }
                if let Some(call) = &l.call {
                    assert!(call.chars().all(|ch| ch.is_ascii_digit() || " -+#*".contains(ch)), "{what}: {call}");
                    let tel = l.tel().expect("tel");
                    assert!(tel.len() > "tel:".len() + 2, "{what}: {tel}");
                    assert!(tel["tel:".len()..].chars().all(|ch| ch.is_ascii_alphanumeric() || "+%*".contains(ch)));
                }
                if let Some(text) = &l.text {
                    assert!(text.to.chars().all(|ch| ch.is_ascii_digit()), "{what}: text to {}", text.to);
                }
            }
        }
        for needed in ["US", "GB", "CA", "AU", "NZ", "IE", "DE", "FR", "ES", "IT", "NL", "IN", "ZA", "JP", "BR"] {
            assert!(codes.contains(needed), "helplines for {needed}");
        }
        assert_eq!(texts.countries.first().map(|c| c.code.as_str()), Some("US"), "the US list leads by default");
    }

    #[test]
    fn the_readers_country_comes_first() {
        let berlin = hotlines_for(Some("Europe/Berlin"));
        assert!(berlin.local_first);
        assert_eq!(berlin.countries[0].code, "DE");
        assert_eq!(berlin.countries.len(), safety().countries.len(), "no country is left out");
        let codes: HashSet<&str> = berlin.countries.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes.len(), berlin.countries.len(), "none twice");

        assert_eq!(hotlines_for(Some("Australia/Perth")).countries[0].code, "AU");
        assert_eq!(hotlines_for(Some("America/Chicago")).countries[0].code, "US");
        assert_eq!(hotlines_for(Some("Asia/Tokyo")).countries[0].code, "JP");

        for unknown in [None, Some("UTC"), Some("Mars/Olympus_Mons"), Some(""), Some("Europe")] {
            let h = hotlines_for(unknown);
            assert!(!h.local_first, "{unknown:?}");
            let order: Vec<&str> = h.countries.iter().map(|c| c.code.as_str()).collect();
            let file: Vec<&str> = safety().countries.iter().map(|c| c.code.as_str()).collect();
            assert_eq!(order, file, "{unknown:?}: the file's order");
        }
    }

    #[test]
    fn dialling_addresses_are_clean() {
        let line = |call: &str| Line { call: Some(call.into()), ..Line::default() };
        assert_eq!(line("800-799-7233").tel().as_deref(), Some("tel:8007997233"));
        assert_eq!(line("0808 2000 247").tel().as_deref(), Some("tel:08082000247"));
        assert_eq!(line("#8008").tel().as_deref(), Some("tel:%238008"));
        let texting =
            Line { text: Some(TextLine { to: "88788".into(), body: Some("START".into()) }), ..Line::default() };
        assert_eq!(texting.sms().as_deref(), Some("sms:88788?&body=START"));
        assert_eq!(texting.tel(), None);
        let plain_text = Line { text: Some(TextLine { to: "988".into(), body: None }), ..Line::default() };
        assert_eq!(plain_text.sms().as_deref(), Some("sms:988"));
    }

    #[test]
    fn any_yes_is_a_concern_and_garbage_is_no_answer() {
        let none: [(&str, &str); 0] = [];
        assert_eq!(assess(&SafetyAnswers::from_pairs(none)), SafetyOutcome::Unanswered);
        assert_eq!(assess(&SafetyAnswers::from_pairs([("afraid", "no")])), SafetyOutcome::Calm);
        let all_no: Vec<(&str, &str)> = SafetyAnswers::FIELDS.iter().map(|f| (*f, "no")).collect();
        assert_eq!(assess(&SafetyAnswers::from_pairs(all_no)), SafetyOutcome::Calm);
        for field in SafetyAnswers::FIELDS {
            let answers = SafetyAnswers::from_pairs([("afraid", "no"), (field, " YES ")]);
            assert_eq!(assess(&answers), SafetyOutcome::Concern, "{field}");
            assert!(assess(&answers).is_concern());
        }
        let garbage = SafetyAnswers::from_pairs([
            ("afraid", "maybe"),
            ("hurt", "<script>"),
            ("controlled", ""),
            ("unknown", "yes"),
            ("csrf", "yes"),
            ("pressured", "y\u{0}es"),
        ]);
        assert_eq!(garbage, SafetyAnswers::default());
        assert_eq!(assess(&garbage), SafetyOutcome::Unanswered);
        // A question sent twice: "yes" wins, in either order.
        assert!(assess(&SafetyAnswers::from_pairs([("hurt", "yes"), ("hurt", "no")])).is_concern());
        assert!(assess(&SafetyAnswers::from_pairs([("hurt", "no"), ("hurt", "yes")])).is_concern());
    }

    #[test]
    fn answers_never_show_in_debug_output() {
        let answers = SafetyAnswers::from_pairs([("afraid", "yes"), ("hurt", "no")]);
        let shown = format!("{answers:?} {:?}", Answer::Yes);
        assert!(!shown.contains("Yes") && !shown.contains("No") && !shown.contains("afraid"), "{shown}");
    }
}
