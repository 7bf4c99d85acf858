//! History: the couple's days, newest first, as one partner may see them (the reveal rule
//! holds here too: it comes from `check_in::days`).

use crate::Ctx;
use crate::appreciation::{self, Appreciation};
use crate::check_in::{self, DayView};
use crate::couple;
use crate::error::{Error, Result};
use crate::store::User;
use jiff::ToSpan;
use jiff::civil::Date;

pub const DAYS_PER_PAGE: i32 = 14;

/// The first date history and check-in ranges take: nobody checked in with Tend before it,
/// and dates far outside the calendar's middle only make date arithmetic fail.
pub const EARLIEST: Date = jiff::civil::date(2000, 1, 1);

/// A date as typed in a query (`2026-03-14`), from [`EARLIEST`] to the year 9999.
pub fn parse_date(raw: &str) -> std::result::Result<Date, String> {
    raw.trim()
        .parse::<Date>()
        .ok()
        .filter(|d| *d >= EARLIEST)
        .ok_or_else(|| "Dates look like 2026-03-14, from the year 2000 on.".to_owned())
}

#[derive(Clone, Debug)]
pub struct HistoryDay {
    pub day: DayView,
    /// Appreciations given on this date in the viewer's zone.
    pub appreciations: Vec<Appreciation>,
}

impl HistoryDay {
    pub fn is_empty(&self) -> bool {
        self.day.mine.is_none() && self.day.partner == check_in::PartnerCheckIn::NotYet && self.appreciations.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct HistoryPage {
    pub days: Vec<HistoryDay>,
    pub newer: Option<Date>,
    pub older: Option<Date>,
}

/// Up to [`DAYS_PER_PAGE`] dates ending with `until` (the caller's today when absent), with
/// the days on which nothing happened left out.
pub async fn page(ctx: &Ctx, me: &User, until: Option<Date>) -> Result<HistoryPage> {
    let us = couple::us(ctx, me).await?;
    let tz = &us.me.time_zone;
    let today = tz.today(ctx.now());
    let until = until.unwrap_or(today).min(today);
    if until < EARLIEST {
        return Err(Error::field("before", "Dates look like 2026-03-14, from the year 2000 on."));
    }
    let from = until.checked_sub((DAYS_PER_PAGE - 1).days()).map_err(|e| Error::Internal(e.to_string()))?;
    let views = check_in::days(ctx, &us, from, until).await?;
    let start = from.to_zoned(tz.zone()).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let end =
        until.tomorrow().and_then(|d| d.to_zoned(tz.zone())).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let appreciations = appreciation::since(ctx, &us, start, Some(end)).await?;
    let days = views
        .into_iter()
        .map(|day| {
            let on_day =
                appreciations.iter().filter(|a| a.created_at.to_zoned(tz.zone()).date() == day.day).cloned().collect();
            HistoryDay { day, appreciations: on_day }
        })
        .filter(|d| !d.is_empty())
        .collect();
    let since = us.since.to_zoned(tz.zone()).date();
    let newer = (until < today).then(|| until.checked_add(DAYS_PER_PAGE.days()).ok()).flatten().map(|d| d.min(today));
    let older = (from > since).then(|| from.yesterday().ok()).flatten();
    Ok(HistoryPage { days, newer, older })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_refused_outside_the_calendar_s_middle() {
        assert_eq!(parse_date(" 2026-03-14 "), Ok(jiff::civil::date(2026, 3, 14)));
        assert_eq!(parse_date("2000-01-01"), Ok(EARLIEST));
        assert_eq!(parse_date("9999-12-31"), Ok(jiff::civil::date(9999, 12, 31)));
        for bad in ["-009999-01-01", "0001-01-01", "1999-12-31", "2026-02-30", "", "-1", "2026-03-14\u{0}"] {
            assert!(parse_date(bad).is_err(), "{bad:?} accepted");
        }
    }
}
