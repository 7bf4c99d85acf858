//! Checks on the written content behind play and touch: `content/play/ideas.toml`,
//! `content/hugs/touch.toml`, and the Learn page on cheering each other on.

use super::{Cost, Energy, Idea, Length, Place, Season, deck};
use crate::questions::similarity;
use crate::touch::{self, TouchIdea};
use std::collections::HashSet;

const ID_MAX: usize = 40;
const IDEA_TITLE_MAX: usize = 80;
const IDEA_DETAIL_MAX: usize = 300;
const TOUCH_TITLE_MAX: usize = 60;
const TOUCH_TEXT_MAX: usize = 240;
/// Two texts at least this alike by their content words count as near-duplicates.
const NEAR_DUPLICATE: f64 = 0.35;

/// Words that assume a partner's gender or a kind of relationship.
const EXCLUDING_WORDS: &[&str] =
    &["husband", "wife", "boyfriend", "girlfriend", "he", "she", "him", "her", "his", "hers", "himself", "herself"];

fn text_of(idea: &Idea) -> String {
    format!("{} {}", idea.title, idea.detail)
}

fn touch_text_of(idea: &TouchIdea) -> String {
    format!("{} {}", idea.title, idea.text)
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= ID_MAX
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

fn assert_trimmed_within(what: &str, id: &str, text: &str, max: usize) {
    assert!(!text.trim().is_empty(), "{id}: empty {what}");
    assert_eq!(text, text.trim(), "{id}: {what} has leading or trailing spaces");
    let len = text.chars().count();
    assert!(len <= max, "{id}: {what} is {len} characters, over {max}");
}

/// Every pair of texts at least [`NEAR_DUPLICATE`] alike, described for a failure message.
fn near_duplicates(texts: &[(&str, String)]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, (a_id, a)) in texts.iter().enumerate() {
        for (b_id, b) in &texts[i + 1..] {
            let s = similarity(a, b);
            if s >= NEAR_DUPLICATE {
                found.push(format!("{a_id} and {b_id} ({s:.2}):\n  {a}\n  {b}"));
            }
        }
    }
    found
}

/// The excluding words a text uses, whole words, any case.
fn excluding_words_in(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| EXCLUDING_WORDS.contains(&w.as_str()))
        .collect()
}

#[test]
fn the_deck_and_the_touch_list_are_big_enough() {
    let ideas = deck().len();
    assert!(ideas >= 150, "only {ideas} play ideas; the deck needs at least 150");
    let touches = touch::ideas().len();
    assert!(touches >= 30, "only {touches} touch ideas; the list needs at least 30");
}

#[test]
fn ids_are_unique_and_kebab_case() {
    let mut seen = HashSet::new();
    for idea in deck() {
        assert!(is_kebab_case(&idea.id), "play idea id {:?} is not kebab-case of at most {ID_MAX}", idea.id);
        assert!(!idea.id.starts_with("own-"), "play idea id {:?} clashes with own-idea keys", idea.id);
        assert!(seen.insert(idea.id.as_str()), "play idea id {:?} is used twice", idea.id);
    }
    let mut seen = HashSet::new();
    for idea in touch::ideas() {
        assert!(is_kebab_case(&idea.id), "touch idea id {:?} is not kebab-case of at most {ID_MAX}", idea.id);
        assert!(seen.insert(idea.id.as_str()), "touch idea id {:?} is used twice", idea.id);
    }
}

#[test]
fn titles_and_texts_are_trimmed_and_within_length() {
    for idea in deck() {
        assert_trimmed_within("title", &idea.id, &idea.title, IDEA_TITLE_MAX);
        assert_trimmed_within("detail", &idea.id, &idea.detail, IDEA_DETAIL_MAX);
    }
    for idea in touch::ideas() {
        assert_trimmed_within("title", &idea.id, &idea.title, TOUCH_TITLE_MAX);
        assert_trimmed_within("text", &idea.id, &idea.text, TOUCH_TEXT_MAX);
    }
}

#[test]
fn the_deck_is_spread_across_its_tags() {
    let ideas = deck();
    let count = |keep: &dyn Fn(&Idea) -> bool| ideas.iter().filter(|i| keep(i)).count();
    let mut short = Vec::new();
    let mut at_least = |what: &str, n: usize, min: usize| {
        if n < min {
            short.push(format!("{what}: {n}, needs at least {min}"));
        }
    };
    at_least("home", count(&|i| i.place == Place::Home), 60);
    at_least("out", count(&|i| i.place == Place::Out), 60);
    at_least("free", count(&|i| i.cost == Cost::Free), 40);
    at_least("low", count(&|i| i.cost == Cost::Low), 40);
    at_least("higher", count(&|i| i.cost == Cost::Higher), 20);
    at_least("short", count(&|i| i.length == Length::Short), 30);
    at_least("evening", count(&|i| i.length == Length::Evening), 50);
    at_least("day", count(&|i| i.length == Length::Day), 25);
    at_least("calm", count(&|i| i.energy == Energy::Calm), 50);
    at_least("lively", count(&|i| i.energy == Energy::Lively), 50);
    for &season in Season::ALL {
        at_least(season.as_str(), count(&|i| i.seasons.contains(&season)), 10);
    }
    at_least("any season", count(&|i| i.seasons.is_empty()), 70);
    let new = count(&|i| i.new);
    at_least("new", new, 40);
    assert!(short.is_empty(), "the deck is thin on some tags:\n{}", short.join("\n"));
    assert!(new <= 110, "{new} ideas are marked new; at most 110 may be, or the tag stops meaning much");
}

#[test]
fn every_tag_value_is_used() {
    let ideas = deck();
    for &place in Place::ALL {
        assert!(ideas.iter().any(|i| i.place == place), "no idea has place {}", place.as_str());
    }
    for &cost in Cost::ALL {
        assert!(ideas.iter().any(|i| i.cost == cost), "no idea has cost {}", cost.as_str());
    }
    for &length in Length::ALL {
        assert!(ideas.iter().any(|i| i.length == length), "no idea has length {}", length.as_str());
    }
    for &energy in Energy::ALL {
        assert!(ideas.iter().any(|i| i.energy == energy), "no idea has energy {}", energy.as_str());
    }
    for &season in Season::ALL {
        assert!(ideas.iter().any(|i| i.seasons.contains(&season)), "no idea names season {}", season.as_str());
        assert!(
            ideas.iter().filter(|i| i.suits(season)).count() > ideas.iter().filter(|i| i.seasons.is_empty()).count(),
            "no idea is picked out for {}",
            season.as_str()
        );
    }
    assert!(ideas.iter().any(|i| i.new) && ideas.iter().any(|i| !i.new), "new must mark some ideas and not others");
    for idea in ideas {
        let unique: HashSet<Season> = idea.seasons.iter().copied().collect();
        assert_eq!(unique.len(), idea.seasons.len(), "{}: a season is listed twice", idea.id);
        assert!(idea.seasons.len() < Season::ALL.len(), "{}: all four seasons; leave seasons out instead", idea.id);
    }
}

#[test]
fn no_two_play_ideas_are_near_duplicates() {
    let texts: Vec<(&str, String)> = deck().iter().map(|i| (i.id.as_str(), text_of(i))).collect();
    let twins = [("a", "Fold dumplings at home".to_owned()), ("b", "Fold dumplings at home tonight".to_owned())];
    assert_eq!(near_duplicates(&twins).len(), 1, "the check itself finds a near-duplicate pair");
    let found = near_duplicates(&texts);
    assert!(found.is_empty(), "play ideas too alike (similarity ≥ {NEAR_DUPLICATE}):\n{}", found.join("\n"));
}

#[test]
fn no_two_touch_ideas_are_near_duplicates() {
    let texts: Vec<(&str, String)> = touch::ideas().iter().map(|i| (i.id.as_str(), touch_text_of(i))).collect();
    let found = near_duplicates(&texts);
    assert!(found.is_empty(), "touch ideas too alike (similarity ≥ {NEAR_DUPLICATE}):\n{}", found.join("\n"));
}

#[test]
fn the_wording_is_inclusive() {
    let texts = deck()
        .iter()
        .map(|i| (i.id.as_str(), text_of(i)))
        .chain(touch::ideas().iter().map(|i| (i.id.as_str(), touch_text_of(i))));
    let mut found = Vec::new();
    for (id, text) in texts {
        let words = excluding_words_in(&text);
        if !words.is_empty() {
            found.push(format!("{id}: {}", words.join(", ")));
        }
    }
    assert!(found.is_empty(), "use words that fit partners of any gender:\n{}", found.join("\n"));
    // The check itself: whole words, any case, and not inside longer words.
    assert_eq!(excluding_words_in("Ask Her, then HIS turn"), ["her", "his"]);
    assert!(excluding_words_in("fresh herbs, the shell, a heather hill").is_empty());
}

#[test]
fn the_learn_page_on_cheering_each_other_is_listed_and_cites_its_sources() {
    let page = crate::content::guide()
        .iter()
        .find(|p| p.slug == "cheering-each-other")
        .expect("the Learn page cheering-each-other is in the guide");
    assert_eq!(page.title, "Cheering each other on");
    assert_eq!(page.order, 6);
    assert!(crate::content::guide_page("cheering-each-other").is_some(), "the page is found by its slug");
    let cites = |author: &str| page.sources.iter().any(|s| s.citation.starts_with(author));
    assert!(cites("Feeney, B. C. (2004)"), "the page cites Feeney (2004)");
    assert!(
        cites("Gable, S. L., Reis, H. T., Impett, E. A., & Asher, E. R. (2004)"),
        "the page cites Gable et al. (2004)"
    );
    let body: String = page.sections.iter().flat_map(|s| s.paragraphs.iter()).map(|p| format!("{p} ")).collect();
    assert!(body.contains("Feeney, 2004") && body.contains("Gable et al., 2004"), "the text refers to both studies");
    assert!(body.contains("Dreams and good news"), "the page points to the Dreams and good news deck");
    let words = body.split_whitespace().count();
    assert!((300..=600).contains(&words), "the page has {words} words; it should be a short read");
}
