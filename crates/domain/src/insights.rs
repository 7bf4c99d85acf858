//! Insights: what the couple did, drawn for the couple, over any 12 weeks or 12 months in the
//! reader's zone. No score, no streak, no comparison with anyone: counts of what happened,
//! closeness only on days both of you checked in (the days whose check-ins you both see), and
//! the reader's own felt ratings, never the partner's.

use crate::Ctx;
use crate::appreciation::Kind as AppreciationKind;
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::intimacy_map::{self, Together};
use crate::rhythm::{Cadence, Practice};
use crate::store::User;
use crate::store::reflections::{AppreciationMark, ClosenessMark, FeltMark};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use std::collections::{BTreeMap, BTreeSet};

/// More conversations or listening exchanges than a month could hold with one a day, and a
/// few to spare: the newest this many are read to count the month's.
const MONTH_AT_MOST: i64 = 40;

/// How many weeks or months a range holds.
pub const BUCKETS: i64 = 12;

/// 12 weeks or 12 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Span {
    Weeks,
    Months,
}

impl Span {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Weeks => "weeks",
            Self::Months => "months",
        }
    }
}

/// A range the reader asked for: 12 weeks (Monday to Sunday) or 12 months, ending with the
/// week or month that holds `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Range {
    pub span: Span,
    /// The first day of the first bucket.
    pub first: Date,
    /// The last day of the last bucket (it may be after today).
    pub last: Date,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(e.to_string())
}

impl Range {
    /// `span` is `weeks` (the default) or `months`; `end` a date (`2026-03-14`) or a month
    /// (`2026-03`) up to today, today when not given.
    pub fn parse(span: Option<&str>, end: Option<&str>, today: Date) -> std::result::Result<Range, String> {
        let span = match span.map(str::trim).filter(|s| !s.is_empty()) {
            None | Some("weeks") => Span::Weeks,
            Some("months") => Span::Months,
            Some(_) => return Err("A range is 12 weeks or 12 months: span=weeks or span=months.".into()),
        };
        let end = match end.map(str::trim).filter(|s| !s.is_empty()) {
            None => today,
            Some(raw) => {
                let parsed = raw.parse::<Date>().ok().or_else(|| {
                    let (y, m) = raw.split_once('-')?;
                    Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()
                });
                match parsed {
                    Some(d) if d.year() >= 2000 && d <= today => d,
                    Some(d) if d > today => today,
                    _ => {
                        return Err(
                            "The end of a range looks like 2026-03-14 or 2026-03, from the year 2000 on.".into()
                        );
                    }
                }
            }
        };
        Self::ending(span, end).map_err(|e| e.to_string())
    }

    pub fn ending(span: Span, end: Date) -> Result<Range> {
        let (first, last) = match span {
            Span::Weeks => {
                let monday = crate::rhythm::week_start(end)?;
                let last = monday.checked_add(6.days()).map_err(internal)?;
                (monday.checked_sub((BUCKETS - 1).weeks()).map_err(internal)?, last)
            }
            Span::Months => {
                let month = end.first_of_month();
                (month.checked_sub((BUCKETS - 1).months()).map_err(internal)?, end.last_of_month())
            }
        };
        Ok(Range { span, first, last })
    }

    /// The 12 buckets, oldest first: (first day, last day).
    pub fn buckets(&self) -> Vec<(Date, Date)> {
        (0..BUCKETS)
            .filter_map(|i| match self.span {
                Span::Weeks => {
                    let start = self.first.checked_add(i.weeks()).ok()?;
                    Some((start, start.checked_add(6.days()).ok()?))
                }
                Span::Months => {
                    let start = self.first.checked_add(i.months()).ok()?;
                    Some((start, start.last_of_month()))
                }
            })
            .collect()
    }

    /// The range before this one, and the one after (none past today).
    pub fn earlier(&self) -> Option<Date> {
        self.first.yesterday().ok()
    }

    pub fn later(&self, today: Date) -> Option<Date> {
        let next = self.last.tomorrow().ok()?;
        (next <= today).then(|| match self.span {
            Span::Weeks => next.checked_add((BUCKETS - 1).weeks()).ok().map_or(today, |d| d.min(today)),
            Span::Months => {
                next.checked_add((BUCKETS - 1).months()).ok().map_or(today, |d| d.last_of_month().min(today))
            }
        })
    }
}

/// One bucket's label: "2 Mar" for a week, "Mar 2026" for a month.
pub fn label(span: Span, first: Date) -> String {
    match span {
        Span::Weeks => first.strftime("%-d %b").to_string(),
        Span::Months => first.strftime("%b %Y").to_string(),
    }
}

/// One practice this month against the rhythm Tend suggests.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PracticeCount {
    pub practice: Practice,
    pub name: &'static str,
    pub cadence: Cadence,
    /// Days (or weeks, or times) it happened this month, so far.
    pub done: u32,
    /// What the rhythm suggests for the month so far.
    pub suggested: u32,
}

/// Appreciations of one kind in the range: given by the reader and received by them.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct KindCount {
    pub kind: AppreciationKind,
    pub given: u32,
    pub received: u32,
}

/// One bucket of the range.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Bucket {
    pub first: Date,
    pub last: Date,
    pub label: String,
    /// Average closeness on days you both checked in: yours, and your partner's.
    pub my_closeness: Option<f64>,
    pub partner_closeness: Option<f64>,
    /// Days you both checked in.
    pub days_connected: u32,
    /// Your own felt ratings (1–7): how understood and how cared for you felt.
    pub felt_understood: Option<f64>,
    pub felt_cared_for: Option<f64>,
    pub felt_count: u32,
}

/// Everything the insights page draws.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Insights {
    pub range: Range,
    pub buckets: Vec<Bucket>,
    /// The month the practice counts are for: this one, in the reader's zone.
    pub month: Date,
    pub practices: Vec<PracticeCount>,
    pub appreciations: Vec<KindCount>,
    /// Intimacy maps you both made within the range, oldest first.
    pub maps: Vec<Together>,
}

fn mean(values: &[u8]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / values.len() as f64)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Closeness, days connected and felt ratings per bucket.
pub fn buckets(
    us: &Us,
    range: &Range,
    closeness: &[ClosenessMark],
    felt: &[FeltMark],
    date_of: impl Fn(Timestamp) -> Date,
) -> Vec<Bucket> {
    // Days both checked in: the only days whose closeness either partner may see.
    let mut by_day: BTreeMap<Date, (Option<u8>, Option<u8>)> = BTreeMap::new();
    for c in closeness {
        let e = by_day.entry(c.day).or_default();
        if c.author == us.me.id {
            e.0 = Some(c.closeness);
        } else if c.author == us.partner.id {
            e.1 = Some(c.closeness);
        }
    }
    let both: Vec<(Date, u8, u8)> = by_day.into_iter().filter_map(|(d, (a, b))| Some((d, a?, b?))).collect();
    range
        .buckets()
        .into_iter()
        .map(|(first, last)| {
            let inside: Vec<&(Date, u8, u8)> = both.iter().filter(|(d, _, _)| *d >= first && *d <= last).collect();
            let mine: Vec<u8> = inside.iter().map(|(_, a, _)| *a).collect();
            let theirs: Vec<u8> = inside.iter().map(|(_, _, b)| *b).collect();
            let felt_in: Vec<&FeltMark> = felt.iter().filter(|f| (first..=last).contains(&date_of(f.at))).collect();
            Bucket {
                first,
                last,
                label: label(range.span, first),
                my_closeness: mean(&mine),
                partner_closeness: mean(&theirs),
                days_connected: count(inside.len()),
                felt_understood: mean(&felt_in.iter().map(|f| f.understood).collect::<Vec<_>>()),
                felt_cared_for: mean(&felt_in.iter().map(|f| f.cared_for).collect::<Vec<_>>()),
                felt_count: count(felt_in.len()),
            }
        })
        .collect()
}

/// Appreciations by kind: given by `me` and received by `me`.
pub fn by_kind(me: crate::UserId, marks: &[AppreciationMark]) -> Vec<KindCount> {
    AppreciationKind::ALL
        .into_iter()
        .map(|kind| KindCount {
            kind,
            given: count(marks.iter().filter(|m| m.kind == kind && m.author == me).count()),
            received: count(marks.iter().filter(|m| m.kind == kind && m.author != me).count()),
        })
        .collect()
}

/// What the rhythm suggests for the first `days` days of a month.
pub fn suggested(cadence: Cadence, days: u32) -> u32 {
    match cadence {
        Cadence::Daily => days,
        // "Most days": five in a week.
        Cadence::MostDays => (days * 5).div_ceil(7),
        Cadence::Weekly => days.div_ceil(7),
        Cadence::Monthly => u32::from(days > 0),
    }
}

/// The reader's insights for a range.
pub async fn for_range(ctx: &Ctx, me: &User, range: Range) -> Result<(Us, Insights)> {
    let us = couple::us(ctx, me).await?;
    let tz = us.me.time_zone.clone();
    let now = ctx.now();
    let today = tz.today(now);
    let start_of = |d: Date| d.to_zoned(tz.zone()).map(|z| z.timestamp()).map_err(internal);
    let date_of = |t: Timestamp| t.to_zoned(tz.zone()).date();
    let from = start_of(range.first)?;
    let until = start_of(range.last.tomorrow().map_err(internal)?)?;

    let closeness = ctx.store.closeness_between(us.couple_id, range.first, range.last).await?;
    let felt = ctx.store.felt_marks(us.couple_id, us.me.id, from, until).await?;
    let marks = ctx.store.appreciation_marks(us.couple_id, from, until).await?;
    let buckets = buckets(&us, &range, &closeness, &felt, date_of);
    let appreciations = by_kind(us.me.id, &marks);

    let together = intimacy_map::view_of(&us, ctx.store.intimacy_ratings(us.couple_id).await?, now).history;
    // The practice counts are always this month's, whatever range the charts show.
    let month = today.first_of_month();
    let practices = if (range.first..=range.last).contains(&month) {
        month_counts(ctx, &us, month, today, &closeness, &marks, &together).await?
    } else {
        let month_from = start_of(month)?;
        let month_until = start_of(today.tomorrow().map_err(internal)?)?;
        let closeness = ctx.store.closeness_between(us.couple_id, month, today).await?;
        let marks = ctx.store.appreciation_marks(us.couple_id, month_from, month_until).await?;
        month_counts(ctx, &us, month, today, &closeness, &marks, &together).await?
    };
    let maps = together.into_iter().filter(|t| (range.first..=range.last).contains(&date_of(t.at))).collect();
    Ok((us, Insights { range, buckets, month, practices, appreciations, maps }))
}

/// Each practice in `month` (this month, up to today) against its rhythm, from the check-ins,
/// appreciations and maps already read, and the newest of the rest.
async fn month_counts(
    ctx: &Ctx,
    us: &Us,
    month: Date,
    today: Date,
    closeness: &[ClosenessMark],
    appreciations: &[AppreciationMark],
    maps: &[Together],
) -> Result<Vec<PracticeCount>> {
    let tz = &us.me.time_zone;
    let start_of = |d: Date| d.to_zoned(tz.zone()).map(|z| z.timestamp()).map_err(internal);
    let date_of = |t: Timestamp| t.to_zoned(tz.zone()).date();
    let last = month.last_of_month().min(today);
    let from = start_of(month)?;
    let until = start_of(last.tomorrow().map_err(internal)?)?;
    let within = |t: Timestamp| t >= from && t < until;
    let days_so_far = u32::try_from((last - month).get_days() + 1).unwrap_or(0);

    let in_month = |d: &Date| *d >= month && *d <= last;
    let distinct = |days: BTreeSet<Date>| count(days.len());

    let check_in_days = {
        let mut by: BTreeMap<Date, BTreeSet<crate::UserId>> = BTreeMap::new();
        for c in closeness.iter().filter(|c| in_month(&c.day)) {
            by.entry(c.day).or_default().insert(c.author);
        }
        count(by.values().filter(|a| a.len() == 2).count())
    };
    let appreciation_days = distinct(appreciations.iter().map(|a| date_of(a.at)).filter(in_month).collect());
    let hugs = ctx.store.hugs_since(us.couple_id, from).await?;
    let hug_days = distinct(hugs.into_iter().filter(|t| within(*t)).map(date_of).collect());
    let talks = ctx.store.conversations(us.couple_id, MONTH_AT_MOST).await?;
    let talk_days = distinct(
        talks
            .iter()
            .filter(|t| t.conversation.joined_at.is_some() && within(t.conversation.created_at))
            .map(|t| date_of(t.conversation.created_at))
            .collect(),
    );
    let listenings = ctx.store.listenings(us.couple_id, MONTH_AT_MOST).await?;
    let listening_count = count(listenings.iter().filter(|l| within(l.created_at)).count());
    let evenings = ctx.store.evenings_since(us.couple_id, from).await?;
    let evening_count =
        count(evenings.iter().filter(|e| within(e.started_at) && (e.joined_at.is_some() || e.note.is_some())).count());
    let marks = ctx.store.practice_marks_since(us.couple_id, from).await?;
    let shows = count(marks.iter().filter(|m| m.practice == Practice::ShowAndTell && within(m.at)).count());
    let states = ctx.store.states_of_us(us.couple_id, crate::rhythm::week_start(month)?, last).await?;
    let state_weeks = {
        let mut by: BTreeMap<Date, usize> = BTreeMap::new();
        for s in states.iter().filter(|s| within(s.updated_at) || in_month(&s.week)) {
            *by.entry(s.week).or_default() += 1;
        }
        count(by.values().filter(|n| **n == 2).count())
    };
    let maps = count(maps.iter().filter(|t| within(t.at)).count());

    Ok(Practice::ALL
        .into_iter()
        .map(|practice| {
            let done = match practice {
                Practice::Hug => hug_days,
                Practice::CheckIn => check_in_days,
                Practice::Appreciation => appreciation_days,
                Practice::Conversation => talk_days,
                Practice::TechFreeEvening => evening_count,
                Practice::Listening => listening_count,
                Practice::ShowAndTell => shows,
                Practice::StateOfUs => state_weeks,
                Practice::IntimacyMap => maps,
            };
            let info = practice.info();
            PracticeCount {
                practice,
                name: &info.name,
                cadence: info.rhythm,
                done,
                suggested: suggested(info.rhythm, days_so_far),
            }
        })
        .collect())
}

/// One plain sentence for the closeness chart.
pub fn closeness_sentence(buckets: &[Bucket], partner: &str) -> String {
    let days: u32 = buckets.iter().map(|b| b.days_connected).sum();
    if days == 0 {
        return "No days yet in this range on which you both checked in, so there is no closeness to draw.".into();
    }
    let avg = |f: fn(&Bucket) -> Option<f64>| {
        let v: Vec<f64> = buckets.iter().filter_map(f).collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let on = if days == 1 { "On the one day".to_owned() } else { format!("On the {days} days") };
    match (avg(|b| b.my_closeness), avg(|b| b.partner_closeness)) {
        (Some(a), Some(b)) => format!(
            "{on} you both checked in, your closeness averaged {a:.1} and {partner}’s {b:.1}, on a scale from 1 (far apart) to 7 (as one)."
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    fn day(s: &str) -> Date {
        s.parse().expect("date")
    }

    #[test]
    fn ranges_are_twelve_weeks_or_months_never_in_the_future() {
        let today = day("2026-03-18"); // a Wednesday
        let r = Range::parse(None, None, today).expect("default");
        assert_eq!((r.span, r.first, r.last), (Span::Weeks, day("2025-12-29"), day("2026-03-22")));
        assert_eq!(r.buckets().len(), 12);
        assert_eq!(r.buckets()[11], (day("2026-03-16"), day("2026-03-22")));
        let m = Range::parse(Some("months"), Some("2025-06"), today).expect("months");
        assert_eq!((m.first, m.last), (day("2024-07-01"), day("2025-06-30")));
        assert_eq!(m.buckets()[0], (day("2024-07-01"), day("2024-07-31")));
        assert_eq!(Range::parse(Some("weeks"), Some("2027-01-01"), today).map(|r| r.last), Ok(day("2026-03-22")));
        for bad in ["soon", "1999-01-01", "2026-13", "2026-02-30x"] {
            assert!(Range::parse(None, Some(bad), today).is_err(), "{bad}");
        }
        assert!(Range::parse(Some("days"), None, today).is_err());
        assert_eq!(m.earlier(), Some(day("2024-06-30")));
        assert_eq!(r.later(today), None, "nothing after this week");
        assert_eq!(m.later(today), Some(day("2026-03-18")));
    }

    #[test]
    fn rhythm_suggestions_for_a_month_so_far() {
        assert_eq!(suggested(Cadence::Daily, 10), 10);
        assert_eq!(suggested(Cadence::MostDays, 7), 5);
        assert_eq!(suggested(Cadence::Weekly, 8), 2);
        assert_eq!(suggested(Cadence::Monthly, 1), 1);
    }

    #[test]
    fn closeness_counts_only_days_both_checked_in_and_felt_is_mine() {
        let user = |id, name: &str| crate::store::User {
            id: UserId(id),
            email: String::new(),
            display_name: name.into(),
            time_zone: crate::time::TimeZoneName::parse("UTC").expect("zone"),
            couple_id: Some(crate::CoupleId(1)),
            created_at: Timestamp::UNIX_EPOCH,
            hide_counts: false,
        };
        let us =
            Us { couple_id: crate::CoupleId(1), me: user(1, "A"), partner: user(2, "B"), since: Timestamp::UNIX_EPOCH };
        let range = Range::ending(Span::Weeks, day("2026-03-18")).expect("range");
        let c = |author, d: &str, closeness| ClosenessMark { author: UserId(author), day: day(d), closeness };
        let marks = [c(1, "2026-03-16", 6), c(2, "2026-03-16", 4), c(1, "2026-03-17", 1), c(2, "2026-03-10", 2)];
        let felt = [FeltMark {
            source: crate::store::reflections::FeltSource::Question,
            at: "2026-03-17T10:00:00Z".parse().expect("ts"),
            understood: 5,
            cared_for: 7,
        }];
        let b = buckets(&us, &range, &marks, &felt, |t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
        let last = &b[11];
        assert_eq!((last.my_closeness, last.partner_closeness, last.days_connected), (Some(6.0), Some(4.0), 1));
        assert_eq!((last.felt_understood, last.felt_cared_for, last.felt_count), (Some(5.0), Some(7.0), 1));
        assert_eq!(b[10].days_connected, 0, "a day only one checked in is not drawn");
        assert!(closeness_sentence(&b, "B").starts_with("On the one day you both checked in"));
        let kinds = by_kind(
            UserId(1),
            &[
                AppreciationMark { author: UserId(1), kind: AppreciationKind::Respect, at: Timestamp::UNIX_EPOCH },
                AppreciationMark { author: UserId(2), kind: AppreciationKind::Respect, at: Timestamp::UNIX_EPOCH },
                AppreciationMark { author: UserId(2), kind: AppreciationKind::Gratitude, at: Timestamp::UNIX_EPOCH },
            ],
        );
        assert_eq!((kinds[0].given, kinds[0].received, kinds[1].given, kinds[1].received), (0, 1, 1, 1));
    }
}
