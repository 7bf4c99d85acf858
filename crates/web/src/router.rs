//! The whole URL map of Tend, in one place.

use crate::api::{self, ApiDoc};
use crate::auth;
use crate::error::{ApiError, PageError};
use crate::pages::{
    accounts, appreciations, conversations, history, hugs, learn, listening, pairing, practices, questions, settings,
    today, welcome,
};
use crate::{AppState, assets, security};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Bodies larger than this are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(api::v1::routes()).split_for_parts();
    let openapi_json = serde_json::to_value(&openapi).unwrap_or_default();

    let pages = Router::new()
        .route("/", get(welcome::show))
        .route("/signup", get(accounts::new_form).post(accounts::create))
        .route("/login", get(accounts::login_form).post(accounts::login))
        .route("/logout", post(accounts::logout))
        .route("/pair", get(pairing::show))
        .route("/pair/invite", post(pairing::create_invite))
        .route("/pair/invite/cancel", post(pairing::cancel_invite))
        .route("/pair/join", post(pairing::join))
        .route("/join/{token}", get(pairing::invitation).post(pairing::accept))
        .route("/unpair", get(pairing::unpair_form).post(pairing::unpair))
        .route("/today", get(today::show))
        .route("/events", get(today::events))
        .route("/check-ins", post(today::check_in))
        .route("/appreciations", get(appreciations::list).post(today::appreciate))
        .route("/appreciations/{id}/reaction", post(appreciations::react))
        .route("/rhythm", get(history::rhythm))
        .route("/history", get(history::show))
        .route("/hug", get(hugs::show))
        .route("/hugs", post(hugs::log))
        .route("/practices", get(practices::show))
        .route("/talk", get(conversations::show_start).post(conversations::start))
        .route("/talk/{id}", get(conversations::show))
        .route("/talk/{id}/rating", post(conversations::rate))
        .route("/talk/{id}/{step}", post(conversations::step))
        .route("/listen", get(listening::show).post(listening::start))
        .route("/listen/{id}/reflection", post(listening::reflect))
        .route("/listen/{id}/answer", post(listening::answer))
        .route("/listen/{id}/set-aside", post(listening::set_aside))
        .route("/questions", get(questions::index))
        .route("/questions/today/another", post(questions::another))
        .route("/questions/deck/{id}", get(questions::deck))
        .route("/questions/ours", get(questions::ours))
        .route("/q/{id}", get(questions::question))
        .route("/q/{id}/answer", post(questions::answer))
        .route("/q/{id}/response", post(questions::respond))
        .route("/q/{id}/felt", post(questions::felt))
        .route("/q/{id}/favorite", post(questions::favorite))
        .route("/ladder/{step}", post(questions::ladder))
        .route("/settings", get(settings::show))
        .route("/settings/profile", post(settings::update_profile))
        .route("/settings/password", post(settings::change_password))
        .route("/settings/sessions/{id}/revoke", post(settings::revoke_session))
        .route("/settings/tokens", post(settings::create_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/learn", get(learn::list))
        .route("/learn/{slug}", get(learn::show));

    let mut app = Router::new()
        .merge(pages)
        .merge(api)
        .route("/api/v1/openapi.json", get(move || async move { Json(openapi_json.clone()) }))
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve));
    for layer in security::layers() {
        app = app.layer(layer);
    }
    app.layer(TraceLayer::new_for_http()).with_state(state)
}

/// 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.ctx.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        PageError::not_found().into_response()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    let message = "This address doesn’t take that kind of request.";
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", message).into_response()
    } else {
        PageError::new(StatusCode::METHOD_NOT_ALLOWED, "That didn’t work", message).into_response()
    }
}
