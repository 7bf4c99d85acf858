//! Today, as both partners live it.

use super::PartnerView;
use super::daily::{AppreciationView, DayCheckInsView, appreciation_view};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use tend_domain::today;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TodayView {
    pub me: PartnerView,
    pub partner: PartnerView,
    /// Whether both partners' local dates are the same right now.
    pub same_day: bool,
    /// Today's check-ins under the reveal rule.
    pub check_in: DayCheckInsView,
    /// Appreciations since the start of your local day.
    pub received: Vec<AppreciationView>,
    pub given: Vec<AppreciationView>,
    /// When you last looked at Today (before this request); what your partner added after it is new.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_seen: Option<jiff::Timestamp>,
    /// The one thing that matters most now, as the page's top card shows it.
    pub next: NextView,
    /// Today's step of your first week, until you put the guide away.
    pub guide: Option<GuideView>,
    /// Plans waiting for your yes or coming up, "how was it?", asks you promised for today,
    /// and goals done in the last few days.
    pub together: Vec<TogetherView>,
}

#[derive(Serialize, ToSchema)]
pub struct TogetherView {
    /// plan-to-accept, plan-today, plan-soon, how-was-it, ask or celebrate.
    pub kind: &'static str,
    pub text: String,
    /// The page it is about.
    pub href: String,
}

#[derive(Serialize, ToSchema)]
pub struct NextView {
    /// join-evening, evening-on, join-conversation, back-to-conversation, show-and-tell (one is
    /// going: `GET /api/v1/show-and-tell` has it), rate-conversation,
    /// listening, check-in-partner-waiting, nudged, check-in, question-partner-waiting,
    /// question, planned, appreciate or all-done.
    pub step: &'static str,
    /// For `nudged`: the practice your partner would love.
    pub practice: Option<&'static str>,
    /// For `planned`: what is on your rhythm today.
    pub text: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GuideView {
    /// 1 to 7.
    pub day: u8,
    pub practice: String,
    pub title: String,
    pub why: String,
}

/// Both partners, their own local dates, and today's practices.
#[utoipa::path(get, path = "/api/v1/today", tag = "today", security(("bearer" = [])),
    responses((status = 200, body = TodayView), (status = 409, description = "Not paired yet", body = Problem)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<TodayView>, ApiError> {
    let loaded = today::load(&state.ctx, &me.user, today::Extras::Api).await?;
    let now = state.ctx.now();
    let overview = &loaded.overview;
    let us = &overview.us;
    let next = today::next(&today::facts(&loaded.pieces(), now));
    let guide = if loaded.guide_hidden { None } else { today::guide_day(us, now) };
    let together = loaded.together;
    let (me, partner) = (PartnerView::of(&us.me, now), PartnerView::of(&us.partner, now));
    Ok(Json(TodayView {
        same_day: me.today == partner.today,
        me,
        partner,
        check_in: DayCheckInsView::from(&overview.check_in),
        received: overview.received.iter().map(|a| appreciation_view(a, us)).collect(),
        given: overview.given.iter().map(|a| appreciation_view(a, us)).collect(),
        last_seen: overview.last_seen,
        next: NextView {
            step: next.as_str(),
            practice: match &next {
                today::Next::Nudged(p) => Some(p.as_str()),
                _ => None,
            },
            text: match &next {
                today::Next::Planned(t) => Some(t.clone()),
                _ => None,
            },
        },
        guide: guide.map(|g| GuideView {
            day: g.day,
            practice: g.practice.clone(),
            title: g.title.clone(),
            why: g.why.clone(),
        }),
        together: together.into_iter().map(|t| TogetherView { kind: t.kind, text: t.text, href: t.href }).collect(),
    }))
}

/// Puts your first-week guide away, on every device.
#[utoipa::path(delete, path = "/api/v1/today/guide", tag = "today", security(("bearer" = [])),
    responses((status = 204, description = "Put away")))]
pub async fn hide_guide(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<StatusCode, ApiError> {
    tend_domain::account::hide_guide(&state.ctx, &me.user).await?;
    Ok(StatusCode::NO_CONTENT)
}
