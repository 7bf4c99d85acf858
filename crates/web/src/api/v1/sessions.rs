//! Browser sessions and personal access tokens.

use super::Done;
use crate::AppState;
use crate::api::{ApiJson, ApiPath, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tend_domain::auth::{self, NewToken, Via};
use tend_domain::{ApiTokenId, SessionId};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub user_agent: String,
    pub ip: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub last_seen_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
}

/// The caller's signed-in browsers.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let sessions = auth::sessions(&state.ctx, &me.user).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.id.0,
                user_agent: s.user_agent,
                ip: s.ip,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
            .collect(),
    ))
}

/// Signs one of the caller's browsers out.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = Done), (status = 404, body = Problem)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Done>, ApiError> {
    auth::revoke_session(&state.ctx, &me.user, SessionId(parse_id(&id)?)).await?;
    Ok(Done::json())
}

#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The token's first characters, to tell tokens apart.
    pub hint: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<jiff::Timestamp>,
    /// True for the token this request was made with.
    pub current: bool,
}

/// The caller's personal access tokens (never the secrets themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let current = match me.via {
        Via::ApiToken { id } => Some(id),
        Via::Session { .. } => None,
    };
    let tokens = auth::api_tokens(&state.ctx, &me.user).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView {
                current: Some(t.id) == current,
                id: t.id.0,
                name: t.name,
                hint: t.hint,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// What will use the token, such as "my script".
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedTokenView {
    pub id: i64,
    pub name: String,
    /// The secret, shown this once.
    pub token: String,
}

/// Creates a personal access token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "sessions", security(("bearer" = [])), request_body = NewTokenBody,
    responses((status = 201, body = CreatedTokenView), (status = 422, body = Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<(StatusCode, Json<CreatedTokenView>), ApiError> {
    let created = auth::create_api_token(&state.ctx, &me.user, NewToken { name: body.name }).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenView { id: created.id.0, name: created.name, token: created.token.expose().to_owned() }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "sessions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = Done), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Done>, ApiError> {
    auth::revoke_api_token(&state.ctx, &me.user, ApiTokenId(parse_id(&id)?)).await?;
    Ok(Done::json())
}
