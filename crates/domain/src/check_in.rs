//! The daily check-in: a high, a low, how close you feel (1–7), and one thing you need.
//!
//! # The date rule
//! A check-in belongs to its author's own local date at the moment it is written, and can be
//! edited until that date ends in the author's zone (a 23- or 25-hour day on a daylight-saving
//! change is still one day). Two partners' check-ins pair by calendar date: Alex's check-in
//! for 2 March pairs with Sam's for 2 March, whenever each of them lived that date. Partners
//! in far-apart zones therefore reach a date at different times; the one who is ahead waits
//! for the other, which is what "the same day" means when days differ.
//!
//! # The reveal rule
//! You see *that* your partner checked in on a date; you see *what* they wrote only once you
//! have checked in for that same date yourself. Every read below goes through [`reveal`], so
//! pages, API, events and history cannot disagree.

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{CoupleId, UserId};
use crate::store::User;
use jiff::Timestamp;
use jiff::civil::Date;

pub const TEXT_MAX: usize = 280;
pub const NEED_MAX: usize = 200;
pub const CLOSENESS_LABELS: [&str; 7] =
    ["Far apart", "A little distant", "Somewhat apart", "In between", "Fairly close", "Very close", "As one"];

/// A stored check-in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CheckIn {
    pub author: UserId,
    pub day: Date,
    pub high: String,
    pub low: String,
    pub closeness: u8,
    pub need: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A check-in ready to store: parsed, for the author's today.
#[derive(Clone, Debug)]
pub struct CheckInRecord {
    pub couple: CoupleId,
    pub author: UserId,
    pub day: Date,
    pub high: String,
    pub low: String,
    pub closeness: u8,
    pub need: String,
    pub now: Timestamp,
}

/// A check-in as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewCheckIn {
    #[serde(default)]
    pub high: String,
    #[serde(default)]
    pub low: String,
    /// 1 (far apart) to 7 (as one); text so that a form's empty choice is an error, not a crash.
    #[serde(default)]
    pub closeness: String,
    #[serde(default)]
    pub need: String,
    /// The date this is for; must be the author's today when given.
    #[serde(default)]
    pub day: Option<String>,
}

pub fn parse_closeness(s: &str) -> Result<u8, String> {
    match s.trim().parse::<u8>() {
        Ok(n @ 1..=7) => Ok(n),
        _ => Err("Please choose how close you feel, from 1 (far apart) to 7 (as one).".into()),
    }
}

/// Parses a check-in for `me` on `today`.
pub fn parse(form: &NewCheckIn, couple: CoupleId, me: &User, today: Date, now: Timestamp) -> Result<CheckInRecord> {
    let mut errors = FieldErrors::default();
    let high = errors.take("high", crate::text::clean(&form.high, TEXT_MAX, "your high"));
    let low = errors.take("low", crate::text::clean(&form.low, TEXT_MAX, "your low"));
    let closeness = errors.take("closeness", parse_closeness(&form.closeness));
    let need = errors.take("need", crate::text::clean(&form.need, NEED_MAX, "what you need"));
    if let (Some(h), Some(l)) = (&high, &low)
        && h.is_empty()
        && l.is_empty()
    {
        errors.add("high", "Share a high or a low (or both) — even a small one counts.");
    }
    if let Some(day) = form.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        match day.parse::<Date>() {
            Ok(d) if d == today => {}
            _ => errors.add("day", format!("Check-ins are for today only, and your today is {today}.")),
        }
    }
    errors.into_result()?;
    let (Some(high), Some(low), Some(closeness), Some(need)) = (high, low, closeness, need) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    Ok(CheckInRecord { couple, author: me.id, day: today, high, low, closeness, need, now })
}

/// What one partner may see of the other's check-in for a date.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PartnerCheckIn {
    /// The partner hasn't checked in for this date.
    NotYet,
    /// The partner has; you will see it once you have too.
    WaitingForYou,
    Revealed {
        check_in: CheckIn,
    },
}

/// The reveal rule, in one place.
pub fn reveal(mine: Option<&CheckIn>, theirs: Option<CheckIn>) -> PartnerCheckIn {
    match (mine, theirs) {
        (_, None) => PartnerCheckIn::NotYet,
        (None, Some(_)) => PartnerCheckIn::WaitingForYou,
        (Some(_), Some(check_in)) => PartnerCheckIn::Revealed { check_in },
    }
}

/// One date as a partner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DayView {
    pub day: Date,
    pub mine: Option<CheckIn>,
    pub partner: PartnerCheckIn,
}

fn split(us: &Us, day: Date, check_ins: Vec<CheckIn>) -> DayView {
    let (mine, theirs): (Vec<_>, Vec<_>) =
        check_ins.into_iter().filter(|c| c.day == day).partition(|c| c.author == us.me.id);
    let mine = mine.into_iter().next();
    let theirs = theirs.into_iter().find(|c| c.author == us.partner.id);
    DayView { day, partner: reveal(mine.as_ref(), theirs), mine }
}

/// Records (or updates) the caller's check-in for their today.
pub async fn record(ctx: &Ctx, me: &User, form: NewCheckIn) -> Result<DayView> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let today = us.me.time_zone.today(now);
    let record = parse(&form, us.couple_id, &us.me, today, now)?;
    ctx.store.upsert_check_in(&record).await?;
    ctx.notify(us.couple_id, EventKind::CheckIn).await;
    for_day(ctx, &us, today).await
}

/// The caller's today: their check-in and what they may see of their partner's.
pub async fn today(ctx: &Ctx, me: &User) -> Result<DayView> {
    let us = couple::us(ctx, me).await?;
    let today = us.me.time_zone.today(ctx.now());
    for_day(ctx, &us, today).await
}

/// One date for the couple, as the caller may see it.
pub async fn for_day(ctx: &Ctx, us: &Us, day: Date) -> Result<DayView> {
    let check_ins = ctx.store.check_ins_between(us.couple_id, day, day).await?;
    Ok(split(us, day, check_ins))
}

/// Dates from `from` to `to` (inclusive, newest first), each as the caller may see it.
pub async fn days(ctx: &Ctx, us: &Us, from: Date, to: Date) -> Result<Vec<DayView>> {
    if from > to {
        return Ok(Vec::new());
    }
    let check_ins = ctx.store.check_ins_between(us.couple_id, from, to).await?;
    let mut out = Vec::new();
    let mut day = to;
    while day >= from {
        out.push(split(us, day, check_ins.clone()));
        match day.yesterday() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    Ok(out)
}

/// How a date went for the two of you, without saying who did what.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Connected {
    Both,
    One,
    None,
}

/// "Days we connected" for one month: each date's state, and the counts unless the caller
/// chose to hide them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Month {
    pub first: Date,
    pub days: Vec<(Date, Connected)>,
    pub counts: Option<(u32, u32)>,
}

/// The month a person asked for (`2026-03`), or this month when they didn't say; never a
/// month in the future, where there is nothing to show.
pub fn parse_month(raw: Option<&str>, today: Date) -> Result<Date, String> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(today.first_of_month());
    };
    let parsed = raw.split_once('-').and_then(|(y, m)| Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok());
    parsed
        .filter(|d| d.year() >= 2000 && *d <= today)
        .ok_or_else(|| "Months look like 2026-03, and can’t be in the future.".to_owned())
}

pub async fn month(ctx: &Ctx, me: &User, first: Date) -> Result<Month> {
    let us = couple::us(ctx, me).await?;
    let first = first.first_of_month();
    let last = first.last_of_month();
    let check_ins = ctx.store.check_ins_between(us.couple_id, first, last).await?;
    let mut days = Vec::new();
    let mut day = first;
    loop {
        let n = check_ins.iter().filter(|c| c.day == day).count();
        days.push((
            day,
            match n {
                0 => Connected::None,
                1 => Connected::One,
                _ => Connected::Both,
            },
        ));
        if day >= last {
            break;
        }
        day = day.tomorrow().map_err(|e| Error::Internal(e.to_string()))?;
    }
    let count = |c: Connected| u32::try_from(days.iter().filter(|(_, s)| *s == c).count()).unwrap_or(0);
    let counts = (!us.me.hide_counts).then(|| (count(Connected::Both), count(Connected::One)));
    Ok(Month { first, days, counts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeZoneName;
    use jiff::ToSpan;

    fn user(zone: &str) -> User {
        User {
            id: UserId(1),
            email: "a@example.org".into(),
            display_name: "A".into(),
            time_zone: TimeZoneName::parse(zone).expect("zone"),
            couple_id: Some(CoupleId(1)),
            created_at: Timestamp::UNIX_EPOCH,
            hide_counts: false,
        }
    }

    fn form(high: &str, low: &str, closeness: &str) -> NewCheckIn {
        NewCheckIn { high: high.into(), low: low.into(), closeness: closeness.into(), ..NewCheckIn::default() }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    fn check_in(author: i64) -> CheckIn {
        CheckIn {
            author: UserId(author),
            day: "2026-03-01".parse().expect("date"),
            high: "h".into(),
            low: String::new(),
            closeness: 4,
            need: String::new(),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn months_are_parsed_and_never_in_the_future() {
        let today: Date = "2026-03-14".parse().expect("date");
        assert_eq!(parse_month(None, today).map(|d| d.to_string()), Ok("2026-03-01".into()));
        assert_eq!(parse_month(Some(" 2026-02 "), today).map(|d| d.to_string()), Ok("2026-02-01".into()));
        for bad in ["2026-04", "2026-13", "soon", "1999-01", "2026"] {
            assert!(parse_month(Some(bad), today).is_err(), "{bad}");
        }
    }

    #[test]
    fn nothing_is_revealed_before_you_check_in() {
        assert_eq!(reveal(None, None), PartnerCheckIn::NotYet);
        assert_eq!(reveal(Some(&check_in(1)), None), PartnerCheckIn::NotYet);
        assert_eq!(reveal(None, Some(check_in(2))), PartnerCheckIn::WaitingForYou);
        assert_eq!(reveal(Some(&check_in(1)), Some(check_in(2))), PartnerCheckIn::Revealed { check_in: check_in(2) });
    }

    #[test]
    fn a_check_in_needs_a_high_or_a_low_and_a_closeness() {
        let me = user("Europe/Berlin");
        let today: Date = "2026-03-01".parse().expect("date");
        let now = at("2026-03-01T12:00:00Z");
        assert!(parse(&form("A walk", "", "5"), CoupleId(1), &me, today, now).is_ok());
        assert!(parse(&form("", "Tired", "1"), CoupleId(1), &me, today, now).is_ok());
        let Err(Error::Invalid(e)) = parse(&form(" ", "", "5"), CoupleId(1), &me, today, now) else {
            panic!("empty accepted")
        };
        assert!(e.get("high").is_some());
        for bad in ["0", "8", "", "three", "-1", "4.5"] {
            let Err(Error::Invalid(e)) = parse(&form("x", "", bad), CoupleId(1), &me, today, now) else {
                panic!("{bad} accepted")
            };
            assert!(e.get("closeness").is_some(), "{bad}");
        }
        let long = "x".repeat(TEXT_MAX + 1);
        assert!(parse(&form(&long, "", "3"), CoupleId(1), &me, today, now).is_err());
        assert!(
            parse(&form(&"é".repeat(TEXT_MAX), "", "3"), CoupleId(1), &me, today, now).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn a_check_in_is_for_the_authors_today_only() {
        let me = user("Europe/Berlin");
        let today: Date = "2026-03-01".parse().expect("date");
        let now = at("2026-03-01T12:00:00Z");
        let mut f = form("x", "", "3");
        f.day = Some("2026-03-01".into());
        assert!(parse(&f, CoupleId(1), &me, today, now).is_ok());
        for other in ["2026-02-28", "2026-03-02", "yesterday", "2026-13-01"] {
            f.day = Some(other.into());
            let Err(Error::Invalid(e)) = parse(&f, CoupleId(1), &me, today, now) else { panic!("{other} accepted") };
            assert!(e.get("day").is_some_and(|m| m.contains("2026-03-01")));
        }
    }

    #[test]
    fn the_date_line_gives_partners_different_todays() {
        // 10:30 UTC: already 1 March in Kiritimati (UTC+14), still 28 February in Pago Pago (UTC-11).
        let now = at("2026-02-28T10:30:00Z");
        let kiritimati = TimeZoneName::parse("Pacific/Kiritimati").expect("zone");
        let pago_pago = TimeZoneName::parse("Pacific/Pago_Pago").expect("zone");
        assert_eq!(kiritimati.today(now).to_string(), "2026-03-01");
        assert_eq!(pago_pago.today(now).to_string(), "2026-02-27");
        // Their check-ins written at this same instant belong to dates two days apart and so
        // never pair with each other: each pairs with the partner's check-in of its own date.
        let a = CheckIn { day: kiritimati.today(now), ..check_in(1) };
        let b = CheckIn { day: pago_pago.today(now), ..check_in(2) };
        let us = us_for(&["Pacific/Kiritimati", "Pacific/Pago_Pago"]);
        let view = split(&us, a.day, vec![a.clone(), b.clone()]);
        assert_eq!(view.partner, PartnerCheckIn::NotYet);
        let view = split(&us, b.day, vec![a, b]);
        assert!(view.mine.is_none());
        assert_eq!(view.partner, PartnerCheckIn::WaitingForYou);
    }

    #[test]
    fn daylight_saving_days_are_still_one_day() {
        // Europe/Berlin springs forward on 29 March 2026 (23 hours) and falls back on
        // 25 October 2026 (25 hours).
        let berlin = TimeZoneName::parse("Europe/Berlin").expect("zone");
        let spring: Date = "2026-03-29".parse().expect("date");
        let start = spring.to_zoned(berlin.zone()).expect("start");
        let end = spring.tomorrow().expect("next").to_zoned(berlin.zone()).expect("end");
        assert_eq!(end.timestamp().duration_since(start.timestamp()).as_hours(), 23);
        // 23:30 local on the short day is still that day; 00:10 is the next.
        assert_eq!(berlin.today(at("2026-03-29T21:30:00Z")), spring);
        assert_eq!(berlin.today(at("2026-03-29T22:10:00Z")), spring.tomorrow().expect("next"));
        let autumn: Date = "2026-10-25".parse().expect("date");
        // 25 hours: from 22:00Z on the 24th to 23:00Z on the 25th.
        assert_eq!(berlin.today(at("2026-10-24T22:00:00Z")), autumn);
        assert_eq!(berlin.today(at("2026-10-25T22:59:00Z")), autumn);
        assert_eq!(berlin.today(at("2026-10-25T23:00:00Z")), autumn.tomorrow().expect("next"));
        assert_eq!(autumn.checked_add(1.day()).expect("next").to_string(), "2026-10-26");
    }

    fn us_for(zones: &[&str; 2]) -> Us {
        let mut me = user(zones[0]);
        me.id = UserId(1);
        let mut partner = user(zones[1]);
        partner.id = UserId(2);
        Us { couple_id: CoupleId(1), me, partner, since: Timestamp::UNIX_EPOCH }
    }
}
