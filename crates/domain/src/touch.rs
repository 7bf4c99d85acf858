//! Ideas for non-sexual touch beyond the hug (`content/hugs/touch.toml`): one is suggested
//! each day, the same for both partners, for variety.
//!
//! Why: warm touch is linked with calmer bodies: ten minutes of hand-holding and a 20-second
//! hug before a stressful task went with smaller rises in blood pressure and heart rate
//! (Grewen et al., 2003).

use crate::ids::CoupleId;
use jiff::civil::Date;
use serde::Deserialize;
use std::sync::OnceLock;

/// One idea for affectionate touch.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct TouchIdea {
    pub id: String,
    pub title: String,
    pub text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TouchFile {
    ideas: Vec<TouchIdea>,
}

const TOUCH: &str = include_str!("../../../content/hugs/touch.toml");

/// Every touch idea, in the order written.
pub fn ideas() -> &'static [TouchIdea] {
    static IDEAS: OnceLock<Vec<TouchIdea>> = OnceLock::new();
    IDEAS.get_or_init(|| toml::from_str::<TouchFile>(TOUCH).expect("content/hugs/touch.toml is valid").ideas)
}

/// The idea suggested to a couple on a day: both partners see the same one, consecutive days
/// differ, and different couples walk the list in different orders.
pub fn of_the_day(couple: CoupleId, day: Date) -> &'static TouchIdea {
    let all = ideas();
    let n = i64::try_from(all.len()).unwrap_or(1).max(1);
    let days = day.since(Date::constant(2000, 1, 1)).map_or(0, |s| i64::from(s.get_days()));
    // A step coprime with the list's length visits every idea before one comes back.
    let step = (1..n).rev().find(|s| gcd(*s, n) == 1 && *s <= n / 2 + 1).unwrap_or(1);
    let start = couple.0.rem_euclid(n);
    let index = (start + days.rem_euclid(n) * step).rem_euclid(n);
    &all[usize::try_from(index).unwrap_or(0)]
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_days_differ_and_every_idea_comes_round() {
        let start = Date::constant(2026, 12, 1);
        let n = ideas().len();
        let mut seen = std::collections::HashSet::new();
        let mut day = start;
        let mut last = "";
        for _ in 0..n {
            let idea = of_the_day(CoupleId(7), day);
            assert_ne!(idea.id, last, "the same idea two days running");
            last = &idea.id;
            seen.insert(idea.id.clone());
            day = day.tomorrow().expect("a date in range");
        }
        assert_eq!(seen.len(), n, "every idea is suggested once in {n} days");
    }
}
