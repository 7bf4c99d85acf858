//! The couple: invites, joining, and unpairing.

use super::{Done, PartnerView};
use crate::AppState;
use crate::api::{ApiJson, ApiPath};
use crate::auth::{ApiCaller, ClientInfo};
use crate::error::{ApiError, Problem};
use crate::pages::pairing::base_url;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tend_domain::couple::{self, Join, Standing, UNPAIR_RULE};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct CoupleView {
    pub paired: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub since: Option<jiff::Timestamp>,
    pub me: Option<PartnerView>,
    pub partner: Option<PartnerView>,
    /// When unpaired: the open invite's expiry, if there is one.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub open_invite_expires_at: Option<jiff::Timestamp>,
    /// What unpairing does to each partner's words.
    pub unpair_rule: Vec<String>,
}

/// The caller's couple, or their open invite.
#[utoipa::path(get, path = "/api/v1/couple", tag = "couple", security(("bearer" = [])),
    responses((status = 200, body = CoupleView)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<CoupleView>, ApiError> {
    let now = state.ctx.now();
    let rule = UNPAIR_RULE.iter().map(|s| s.to_string()).collect();
    Ok(Json(match couple::standing(&state.ctx, &me.user).await? {
        Standing::Paired(us) => CoupleView {
            paired: true,
            since: Some(us.since),
            me: Some(PartnerView::of(&us.me, now)),
            partner: Some(PartnerView::of(&us.partner, now)),
            open_invite_expires_at: None,
            unpair_rule: rule,
        },
        Standing::Single { open_invite } => CoupleView {
            paired: false,
            since: None,
            me: Some(PartnerView::of(&me.user, now)),
            partner: None,
            open_invite_expires_at: open_invite.map(|i| i.expires_at),
            unpair_rule: rule,
        },
    }))
}

/// Unpairs the caller's couple, for both partners. Each person keeps only their own words;
/// see `unpair_rule` in `GET /api/v1/couple`.
#[utoipa::path(delete, path = "/api/v1/couple", tag = "couple", security(("bearer" = [])),
    responses((status = 200, body = Done), (status = 409, description = "Not paired", body = Problem)))]
pub async fn unpair(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<Done>, ApiError> {
    couple::unpair(&state.ctx, &me.user).await?;
    Ok(Done::json())
}

#[derive(Serialize, ToSchema)]
pub struct InviteView {
    /// The link to send; single use.
    pub link: String,
    /// The same invite as a short code, for reading aloud.
    pub code: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
}

/// The caller's invite: the open one (200) if there is one, so a retried request never
/// replaces a link already sent; otherwise a new one (201). To replace an open invite,
/// cancel it first.
#[utoipa::path(post, path = "/api/v1/invites", tag = "couple", security(("bearer" = [])),
    responses((status = 201, description = "A new invite", body = InviteView), (status = 200, description = "The invite that was already open", body = InviteView), (status = 409, description = "Already paired", body = Problem)))]
pub async fn create_invite(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<InviteView>), ApiError> {
    let (invite, new) = couple::create_invite(&state.ctx, &me.user, false).await?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(invite_view(&state, &headers, &invite))))
}

/// The caller's open invite, with its link and code, for as long as it is open.
#[utoipa::path(get, path = "/api/v1/invites", tag = "couple", security(("bearer" = [])),
    responses((status = 200, body = InviteView), (status = 404, description = "No open invite (or one made before invites could be shown again)", body = Problem)))]
pub async fn open_invite(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    headers: HeaderMap,
) -> Result<Json<InviteView>, ApiError> {
    let invite = couple::open_invite(&state.ctx, &me.user).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(invite_view(&state, &headers, &invite)))
}

fn invite_view(state: &AppState, headers: &HeaderMap, invite: &couple::CreatedInvite) -> InviteView {
    let link = format!("{}/join/{}", base_url(&state.config, headers), invite.token.expose());
    InviteView { link, code: invite.code.clone(), expires_at: invite.expires_at }
}

/// Cancels the caller's open invite.
#[utoipa::path(delete, path = "/api/v1/invites", tag = "couple", security(("bearer" = [])),
    responses((status = 200, body = Done)))]
pub async fn cancel_invite(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<Done>, ApiError> {
    couple::cancel_invite(&state.ctx, &me.user).await?;
    Ok(Done::json())
}

#[derive(Serialize, ToSchema)]
pub struct InvitePreviewView {
    pub inviter: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    /// Why the invite can't be used, if it can't.
    pub problem: Option<String>,
}

/// Who sent an invite and whether it still works; needs no account.
#[utoipa::path(get, path = "/api/v1/invites/{invite}", tag = "couple",
    params(("invite" = String, Path, description = "The invite token or code")),
    responses((status = 200, body = InvitePreviewView), (status = 404, body = Problem)))]
pub async fn preview_invite(
    State(state): State<AppState>,
    ApiPath(invite): ApiPath<String>,
) -> Result<Json<InvitePreviewView>, ApiError> {
    let preview = couple::preview_invite(&state.ctx, &invite, None).await?;
    Ok(Json(InvitePreviewView {
        inviter: preview.inviter_name,
        expires_at: preview.expires_at,
        problem: preview.problem.map(str::to_owned),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct JoinBody {
    /// The invite link, its token, or the short code.
    invite: String,
}

/// Joins the partner who sent the invite.
#[utoipa::path(post, path = "/api/v1/couple/join", tag = "couple", security(("bearer" = [])), request_body = JoinBody,
    responses((status = 200, body = CoupleView), (status = 422, description = "Unknown, used or expired invite", body = Problem), (status = 429, body = Problem)))]
pub async fn join(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    client: ClientInfo,
    ApiJson(body): ApiJson<JoinBody>,
) -> Result<Json<CoupleView>, ApiError> {
    let us = couple::join(&state.ctx, &me.user, Join { invite: body.invite }, &client.0.ip).await?;
    let now = state.ctx.now();
    Ok(Json(CoupleView {
        paired: true,
        since: Some(us.since),
        me: Some(PartnerView::of(&us.me, now)),
        partner: Some(PartnerView::of(&us.partner, now)),
        open_invite_expires_at: None,
        unpair_rule: UNPAIR_RULE.iter().map(|s| s.to_string()).collect(),
    }))
}
