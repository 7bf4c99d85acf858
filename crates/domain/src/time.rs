//! Time zones and local dates: "today" is always the partner's own local date.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// A validated IANA time zone name, such as `Europe/Berlin`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("Please choose your time zone.".into());
        }
        if s.len() > 64 {
            return Err("That time zone name is too long.".into());
        }
        match TimeZone::get(s) {
            Ok(tz) => Ok(Self(tz.iana_name().unwrap_or(s).to_owned())),
            Err(_) => Err(format!("“{s}” is not a time zone we know. Try one like Europe/Berlin or America/Chicago.")),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.0).unwrap_or(TimeZone::UTC)
    }

    /// The local calendar date at `now` in this zone.
    pub fn today(&self, now: Timestamp) -> Date {
        now.to_zoned(self.zone()).date()
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self("UTC".into())
    }
}

/// Every zone name Tend offers, sorted, for the time zone picker.
pub fn all_zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("posix/") && !n.starts_with("right/"))
        .collect();
    names.push("UTC".into());
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_zones_parse_and_unknown_ones_do_not() {
        assert_eq!(TimeZoneName::parse(" Europe/Berlin ").map(|z| z.0), Ok("Europe/Berlin".into()));
        assert!(TimeZoneName::parse("Mars/Olympus_Mons").is_err());
        assert!(TimeZoneName::parse("").is_err());
        assert!(TimeZoneName::parse(&"A".repeat(100)).is_err());
        assert!(TimeZoneName::parse("../../etc/passwd").is_err());
    }

    #[test]
    fn today_is_the_local_date() {
        let now: Timestamp = "2026-03-01T23:30:00Z".parse().expect("valid");
        let auckland = TimeZoneName::parse("Pacific/Auckland").expect("zone");
        let honolulu = TimeZoneName::parse("Pacific/Honolulu").expect("zone");
        assert_eq!(auckland.today(now).to_string(), "2026-03-02");
        assert_eq!(honolulu.today(now).to_string(), "2026-03-01");
    }

    #[test]
    fn the_zone_list_is_usable() {
        let names = all_zone_names();
        assert!(names.len() > 300, "{} zones", names.len());
        assert!(names.iter().any(|n| n == "America/New_York"));
        assert!(names.iter().all(|n| TimeZoneName::parse(n).is_ok()));
    }
}
