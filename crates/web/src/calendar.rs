//! A person's calendar feed: the couple's agreed rhythm as recurring iCalendar events, each
//! in the zone its time was agreed in, so a calendar shows "Thursdays 19:30" at 19:30 on
//! both sides of a daylight-saving change.

use icalendar::{Calendar, Component, Event, Property};
use jiff::Timestamp;
use tend_domain::play::Length;
use tend_domain::reminder::Feed;
use tend_domain::rhythm::{Cadence, Practice, Slot};

/// The feed as text (`text/calendar`).
pub fn render(feed: &Feed, now: Timestamp) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", "-//Tend//Our rhythm//EN"));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    calendar.name("Our rhythm (Tend)");
    calendar.description("The times you agreed in Tend. They change when you agree new ones.");
    calendar.timezone(feed.owner.time_zone.as_str());
    // Ask calendar apps to look again every few hours.
    calendar.append_property(Property::new("REFRESH-INTERVAL", "PT6H").add_parameter("VALUE", "DURATION").done());
    calendar.append_property(Property::new("X-PUBLISHED-TTL", "PT6H"));
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    for (practice, slot, agreed_at) in &feed.slots {
        let Some(first) = first_start(slot, *agreed_at) else { continue };
        let with = if feed.partner_name.is_empty() { String::new() } else { format!(" with {}", feed.partner_name) };
        let mut event = Event::new();
        event
            .uid(&format!("{}-{}@tend", practice.as_str(), feed.owner.id))
            .summary(&practice.info().name)
            .description(&format!("On your rhythm{with}: {}.", slot.describe()))
            .append_property(Property::new("DTSTAMP", stamp.as_str()))
            .append_property(
                Property::new("DTSTART", first.strftime("%Y%m%dT%H%M%S").to_string())
                    .add_parameter("TZID", slot.zone.as_str())
                    .done(),
            )
            .append_property(Property::new("DURATION", format!("PT{}M", slot.minutes)))
            .append_property(Property::new("RRULE", rule(*practice, slot)))
            .append_property(Property::new("TRANSP", "OPAQUE"));
        calendar.push(event.done());
    }
    let with = if feed.partner_name.is_empty() { String::new() } else { format!(" with {}", feed.partner_name) };
    for plan in &feed.plans {
        let minutes = match plan.length {
            Length::Short => 30,
            Length::Evening => 180,
            Length::Day => 480,
        };
        let mut event = Event::new();
        event
            .uid(&format!("plan-{}-{}@tend", plan.id, feed.owner.id))
            .summary(&plan.title)
            .description(&format!("Something new{with}, planned together in Tend."))
            .append_property(Property::new("DTSTAMP", stamp.as_str()))
            .append_property(Property::new("DTSTART", plan.at.strftime("%Y%m%dT%H%M%SZ").to_string()))
            .append_property(Property::new("DURATION", format!("PT{minutes}M")))
            .append_property(Property::new("TRANSP", "OPAQUE"));
        calendar.push(event.done());
    }
    let partner = if feed.partner_name.is_empty() { "your partner" } else { feed.partner_name.as_str() };
    for (cheer, day) in &feed.asks {
        let mut event = Event::new();
        event
            .uid(&format!("ask-{cheer}-{}@tend", feed.owner.id))
            .summary(&format!("Ask {partner} how their goal is going"))
            .description("You said you’d ask today. Their goal is on the Goals page in Tend.")
            .append_property(Property::new("DTSTAMP", stamp.as_str()))
            .append_property(
                Property::new("DTSTART", day.strftime("%Y%m%d").to_string()).add_parameter("VALUE", "DATE").done(),
            )
            .append_property(Property::new("TRANSP", "TRANSPARENT"));
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

/// The first time on or after the day it was agreed, in the slot's zone.
fn first_start(slot: &Slot, agreed_at: Timestamp) -> Option<jiff::civil::DateTime> {
    let from = agreed_at.to_zoned(slot.zone.zone()).date().to_zoned(slot.zone.zone()).ok()?.timestamp();
    slot.next_start(from).map(|z| z.datetime())
}

/// The recurrence rule (RFC 5545 3.3.10) for a slot.
pub fn rule(practice: Practice, slot: &Slot) -> String {
    let day = |w: jiff::civil::Weekday| match w {
        jiff::civil::Weekday::Monday => "MO",
        jiff::civil::Weekday::Tuesday => "TU",
        jiff::civil::Weekday::Wednesday => "WE",
        jiff::civil::Weekday::Thursday => "TH",
        jiff::civil::Weekday::Friday => "FR",
        jiff::civil::Weekday::Saturday => "SA",
        jiff::civil::Weekday::Sunday => "SU",
    };
    match (slot.weekday, slot.nth) {
        (Some(w), Some(n)) => format!("FREQ=MONTHLY;BYDAY={n}{}", day(w)),
        (Some(w), None) => format!("FREQ=WEEKLY;BYDAY={}", day(w)),
        (None, _) if practice.cadence() == Cadence::Monthly => "FREQ=MONTHLY".into(),
        (None, _) => "FREQ=DAILY".into(),
    }
}
