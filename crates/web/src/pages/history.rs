//! "Days we connected" (a month at a glance) and the day-by-day history.

use super::Layout;
use super::views::{AppreciationView, DayCheckIns};
use crate::AppState;
use crate::auth::{CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use tend_domain::check_in::{self, Connected};
use tend_domain::{couple, history};

pub struct DayCell {
    pub number: i8,
    pub state: &'static str,
    pub label: String,
    pub today: bool,
}

#[derive(Template)]
#[template(path = "history/rhythm.html")]
pub struct RhythmPage {
    pub layout: Layout,
    pub title: String,
    pub prev: String,
    pub next: Option<String>,
    pub weekdays: [&'static str; 7],
    pub lead: usize,
    pub days: Vec<DayCell>,
    pub counts: Option<(u32, u32)>,
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    month: Option<String>,
}

pub async fn rhythm(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<MonthQuery>,
) -> Result<Response, PageError> {
    let tz = &me.0.user.time_zone;
    let today = tz.today(state.ctx.now());
    let first = check_in::parse_month(q.month.as_deref(), today)
        .map_err(|m| PageError::new(StatusCode::BAD_REQUEST, "That month isn’t one we can show", m))?;
    let month = check_in::month(&state.ctx, &me.0.user, first).await?;
    let days = month
        .days
        .iter()
        .map(|(date, c)| {
            let (state, said) = match c {
                Connected::Both => ("both", "both of you checked in"),
                Connected::One => ("one", "one of you checked in"),
                Connected::None => ("none", "no check-ins"),
            };
            DayCell {
                number: date.day(),
                state,
                label: format!("{}: {said}", date.strftime("%-d %B")),
                today: *date == today,
            }
        })
        .collect();
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .ok()
        .filter(|d| *d <= today)
        .map(|d| d.strftime("%Y-%m").to_string());
    let prev = first.checked_sub(jiff::Span::new().months(1)).unwrap_or(first).strftime("%Y-%m").to_string();
    let page = RhythmPage {
        layout: Layout::new(Some(&me.0), &csrf, "today"),
        title: first.strftime("%B %Y").to_string(),
        prev,
        next,
        weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        lead: usize::try_from(first.weekday().to_monday_zero_offset()).unwrap_or(0),
        days,
        counts: month.counts,
    };
    Ok(render(&page))
}

pub struct HistoryDayView {
    pub title: String,
    pub check_ins: DayCheckIns,
    pub appreciations: Vec<AppreciationView>,
}

#[derive(Template)]
#[template(path = "history/history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub partner: String,
    pub days: Vec<HistoryDayView>,
    pub newer: Option<Date>,
    pub older: Option<Date>,
}

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    before: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let until = match q.before.as_deref() {
        None => None,
        Some(d) => Some(
            history::parse_date(d)
                .map_err(|m| PageError::new(StatusCode::BAD_REQUEST, "That date isn’t one we can show", m))?,
        ),
    };
    let page = history::page(&state.ctx, &me.0.user, until).await?;
    let us = couple::us(&state.ctx, &me.0.user).await?;
    let tz = &us.me.time_zone;
    let days = page
        .days
        .iter()
        .map(|d| HistoryDayView {
            title: super::day(d.day.day),
            check_ins: DayCheckIns::of(&d.day, tz, false),
            appreciations: d.appreciations.iter().map(|a| AppreciationView::of(a, &us, false)).collect(),
        })
        .collect();
    let view = HistoryPage {
        layout: Layout::new(Some(&me.0), &csrf, "today"),
        partner: us.partner.display_name.clone(),
        days,
        newer: page.newer,
        older: page.older,
    };
    Ok(render(&view))
}
