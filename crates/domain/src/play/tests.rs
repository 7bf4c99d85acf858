//! The rules of play that need no store: filters, where a plan stands, its time, and the
//! monthly count.

use super::*;
use crate::couple::Us;
use crate::ids::{CoupleId, PlanId, UserId};
use crate::store::User;
use crate::time::TimeZoneName;
use std::collections::HashMap;

fn t(s: &str) -> Timestamp {
    s.parse().expect("time")
}

fn person(id: i64, zone: &str) -> User {
    User {
        id: UserId(id),
        email: format!("{id}@example.org"),
        display_name: format!("P{id}"),
        time_zone: TimeZoneName::parse(zone).expect("zone"),
        couple_id: Some(CoupleId(1)),
        created_at: t("2026-01-01T00:00:00Z"),
        hide_counts: false,
    }
}

fn us() -> Us {
    Us {
        couple_id: CoupleId(1),
        me: person(1, "Europe/Berlin"),
        partner: person(2, "America/New_York"),
        since: t("2026-01-01T00:00:00Z"),
    }
}

fn plan(at: &str, accepted: bool, cancelled: bool) -> Plan {
    Plan {
        id: PlanId(1),
        idea: "slow-chess".into(),
        proposed_by: UserId(1),
        at: t(at),
        proposed_at: t("2026-11-01T10:00:00Z"),
        accepted_at: accepted.then(|| t("2026-11-02T10:00:00Z")),
        cancelled_at: cancelled.then(|| t("2026-11-02T11:00:00Z")),
        afterwards: Vec::new(),
    }
}

#[test]
fn a_plan_stands_where_its_yes_and_its_time_put_it() {
    let now = t("2026-12-06T12:00:00Z");
    assert_eq!(plan("2026-12-07T18:00:00Z", false, false).stage(now), PlanStage::Proposed);
    assert_eq!(plan("2026-12-07T18:00:00Z", true, false).stage(now), PlanStage::Upcoming);
    assert_eq!(plan("2026-12-05T18:00:00Z", true, false).stage(now), PlanStage::Happened);
    assert_eq!(plan("2026-12-05T18:00:00Z", false, false).stage(now), PlanStage::Lapsed);
    assert_eq!(plan("2026-12-07T18:00:00Z", true, true).stage(now), PlanStage::Cancelled);
    // Its very moment counts as having come.
    assert_eq!(plan("2026-12-06T12:00:00Z", true, false).stage(now), PlanStage::Happened);
}

#[test]
fn a_plan_time_is_read_in_the_proposers_zone_and_must_be_to_come() {
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("zone");
    let now = t("2026-12-06T12:00:00Z");
    let form = |date: &str, time: &str| PlanForm { idea: "slow-chess".into(), date: date.into(), time: time.into() };
    assert_eq!(form("2026-12-06", "19:30").when(&zone, now).expect("to come"), t("2026-12-06T18:30:00Z"));
    let past = form("2026-12-06", "12:30").when(&zone, now).expect_err("13:00 Berlin is past");
    assert!(matches!(past, crate::Error::Invalid(ref e) if e.get("date").is_some_and(|m| m.contains("passed"))));
    assert!(form("2028-01-01", "10:00").when(&zone, now).is_err(), "more than a year ahead");
    let bad = form("6 December", "half past seven").when(&zone, now).expect_err("neither parses");
    assert!(matches!(bad, crate::Error::Invalid(ref e) if e.get("date").is_some() && e.get("time").is_some()));
}

#[test]
fn filters_parse_every_tag_and_name_what_they_do_not_know() {
    let fields = |pairs: &[(&str, &str)]| {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<HashMap<_, _>>()
    };
    let f = Filter::parse(&fields(&[("place", "out"), ("cost", "free"), ("season", "winter"), ("new", "on")]))
        .expect("valid");
    assert_eq!((f.place, f.cost, f.season, f.new), (Some(Place::Out), Some(Cost::Free), Some(Season::Winter), true));
    let any = Filter::parse(&fields(&[("place", "any"), ("energy", "")])).expect("any and empty mean no filter");
    assert!(any.is_empty());
    let bad = Filter::parse(&fields(&[("length", "forever")])).expect_err("unknown length");
    assert!(matches!(bad, crate::Error::Invalid(ref e) if e.get("length").is_some_and(|m| m.contains("evening"))));
    let winter = Filter { season: Some(Season::Winter), ..Filter::default() };
    assert!(
        deck().iter().filter(|i| winter.keeps(i)).all(|i| i.seasons.is_empty() || i.seasons.contains(&Season::Winter))
    );
    assert!(deck().iter().any(|i| !winter.keeps(i)), "some ideas are for other seasons only");
}

#[test]
fn something_new_is_counted_by_month_in_the_viewers_zone() {
    let us = us();
    let now = t("2026-12-06T12:00:00Z");
    let plans = vec![
        plan("2026-12-01T20:00:00Z", true, false),
        // 30 November 23:30 UTC is already 1 December in Berlin.
        plan("2026-11-30T23:30:00Z", true, false),
        plan("2026-11-10T20:00:00Z", true, false),
        plan("2026-11-12T20:00:00Z", false, false),
        plan("2026-11-14T20:00:00Z", true, true),
        plan("2026-12-20T20:00:00Z", true, false),
    ];
    let months = tried_by_month(&us, &plans, now, 3);
    let counts: Vec<(&str, u32)> = months.iter().map(|m| (m.month.as_str(), m.tried)).collect();
    assert_eq!(counts, [("2026-12", 2), ("2026-11", 1), ("2026-10", 0)]);
}

#[test]
fn only_yes_and_maybe_can_make_a_match() {
    assert!(Mark::Yes.is_open() && Mark::Maybe.is_open() && !Mark::NotForMe.is_open());
    for m in Mark::ALL {
        assert_eq!(Mark::parse(m.as_str()), Some(m));
    }
    assert_eq!(Mark::parse("no"), None);
}
