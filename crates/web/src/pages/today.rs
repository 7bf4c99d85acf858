//! Today: the home of the daily practices, showing both partners.

use super::{Layout, day, notice};
use crate::AppState;
use crate::auth::{CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tend_domain::couple;
use tend_domain::store::User;

/// One partner's day as the page shows it.
pub struct PartnerDay {
    pub name: String,
    pub zone: String,
    pub date: String,
    pub time: String,
}

impl PartnerDay {
    fn of(user: &User, now: jiff::Timestamp) -> Self {
        let local = now.to_zoned(user.time_zone.zone());
        Self {
            name: user.display_name.clone(),
            zone: user.time_zone.as_str().replace('_', " "),
            date: day(local.date()),
            time: local.strftime("%H:%M").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "today/today.html")]
pub struct TodayPage {
    pub layout: Layout,
    pub greeting: &'static str,
    pub me: PartnerDay,
    pub partner: PartnerDay,
    pub same_day: bool,
    pub since: String,
    pub notice: Option<&'static str>,
}

fn greeting(hour: i8) -> &'static str {
    match hour {
        5..=11 => "Good morning",
        12..=17 => "Good afternoon",
        18..=22 => "Good evening",
        _ => "Hello",
    }
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    if me.0.user.couple_id.is_none() {
        return Ok(Redirect::to("/pair").into_response());
    }
    let layout = Layout::new(Some(&me.0), &csrf, "today");
    let us = couple::us(&state.ctx, &me.0.user).await?;
    let now = state.ctx.now();
    let my_date = us.me.time_zone.today(now);
    let page = TodayPage {
        layout,
        greeting: greeting(now.to_zoned(us.me.time_zone.zone()).hour()),
        same_day: my_date == us.partner.time_zone.today(now),
        me: PartnerDay::of(&us.me, now),
        partner: PartnerDay::of(&us.partner, now),
        since: us.since.to_zoned(us.me.time_zone.zone()).strftime("%-d %B %Y").to_string(),
        notice: notice(q.done.as_deref()),
    };
    Ok(render(&page))
}
