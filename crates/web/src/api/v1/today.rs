//! Today, as both partners live it.

use super::PartnerView;
use super::daily::{AppreciationView, DayCheckInsView, appreciation_view};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
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
}

/// Both partners, their own local dates, and today's practices.
#[utoipa::path(get, path = "/api/v1/today", tag = "today", security(("bearer" = [])),
    responses((status = 200, body = TodayView), (status = 409, description = "Not paired yet", body = Problem)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<TodayView>, ApiError> {
    let overview = today::overview(&state.ctx, &me.user, true).await?;
    let now = state.ctx.now();
    let us = &overview.us;
    let (me, partner) = (PartnerView::of(&us.me, now), PartnerView::of(&us.partner, now));
    Ok(Json(TodayView {
        same_day: me.today == partner.today,
        me,
        partner,
        check_in: DayCheckInsView::from(&overview.check_in),
        received: overview.received.iter().map(|a| appreciation_view(a, us)).collect(),
        given: overview.given.iter().map(|a| appreciation_view(a, us)).collect(),
        last_seen: overview.last_seen,
    }))
}
