//! Today, as both partners live it.

use super::PartnerView;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tend_domain::couple;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct TodayView {
    pub me: PartnerView,
    pub partner: PartnerView,
    /// Whether both partners' local dates are the same right now.
    pub same_day: bool,
}

/// Both partners and their own local dates.
#[utoipa::path(get, path = "/api/v1/today", tag = "today", security(("bearer" = [])),
    responses((status = 200, body = TodayView), (status = 409, description = "Not paired yet", body = Problem)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<TodayView>, ApiError> {
    let us = couple::us(&state.ctx, &me.user).await?;
    let now = state.ctx.now();
    let (me, partner) = (PartnerView::of(&us.me, now), PartnerView::of(&us.partner, now));
    Ok(Json(TodayView { same_day: me.today == partner.today, me, partner }))
}
