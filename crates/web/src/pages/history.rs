//! The day-by-day history.

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
use tend_domain::{couple, history};

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
