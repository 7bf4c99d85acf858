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
