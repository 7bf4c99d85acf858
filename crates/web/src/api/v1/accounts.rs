//! Accounts: sign up, log in and out, profile, password.

use super::{Done, UserView};
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::{ApiCaller, ClientInfo};
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tend_domain::account::{self, PasswordChange, ProfileUpdate, SignUp};
use tend_domain::auth::{self, LogIn, NewToken, Via};
use tend_domain::store::User;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
pub struct SignUpBody {
    display_name: String,
    email: String,
    /// At least 10 characters.
    password: String,
    /// IANA time zone such as `Europe/Berlin`.
    time_zone: String,
    /// A partner's invite: the link, its token, or the short code. Required once the first
    /// account exists, unless the host opened registration.
    #[serde(default)]
    invite: Option<String>,
    /// A name for the token returned.
    #[serde(default)]
    token_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SignedInView {
    pub user: UserView,
    /// A personal access token; shown once. Send it as `Authorization: Bearer …`.
    pub token: String,
    pub token_id: i64,
}

/// Creates an account (pairing it at once when an invite is given) and returns a token.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "accounts", request_body = SignUpBody,
    responses(
        (status = 201, body = SignedInView),
        (status = 409, description = "Registration closed", body = Problem),
        (status = 422, description = "Invalid fields, an unknown invite, or an email that already has an account", body = Problem),
        (status = 429, description = "Too many unknown invites or taken emails from this address; see Retry-After", body = Problem),
        (status = 503, description = "Busy hashing passwords; see Retry-After", body = Problem),
    ))]
pub async fn sign_up(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<SignUpBody>,
) -> Result<(StatusCode, Json<SignedInView>), ApiError> {
    // Checked before the account is made, so a bad name cannot leave an account behind.
    let token_name = token_name(body.token_name.as_deref(), "API sign-up")?;
    let form = SignUp {
        display_name: body.display_name,
        email: body.email,
        password: body.password,
        time_zone: body.time_zone,
        invite: body.invite,
    };
    let signed_up = account::sign_up_from(&state.ctx, form, &client.0).await?;
    // The store reads the account back after pairing, so it already carries its couple.
    Ok((StatusCode::CREATED, Json(signed_in(&state, &signed_up.user, token_name).await?)))
}

/// The name for the token of a sign-up or log-in, checked before anything is written.
fn token_name(given: Option<&str>, default: &str) -> Result<String, ApiError> {
    match given {
        None => Ok(default.to_owned()),
        Some(name) => Ok(auth::parse_token_name(name).map_err(|m| tend_domain::Error::field("token_name", m))?),
    }
}

/// A new token for a person who just proved who they are.
async fn signed_in(state: &AppState, user: &User, name: String) -> Result<SignedInView, ApiError> {
    let token = auth::create_api_token(&state.ctx, user, NewToken { name }).await?;
    Ok(SignedInView { user: UserView::from(user), token: token.token.expose().to_owned(), token_id: token.id.0 })
}

#[derive(Deserialize, ToSchema)]
pub struct LogInBody {
    email: String,
    password: String,
    /// A name for the token, shown in Settings; defaults to "API log-in".
    #[serde(default)]
    token_name: Option<String>,
}

/// Checks email and password and returns a new personal access token. Throttled per account
/// and per address after repeated failures.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LogInBody,
    responses(
        (status = 201, body = SignedInView),
        (status = 401, description = "Wrong email or password", body = Problem),
        (status = 422, description = "A token name that is empty, too long or not showable", body = Problem),
        (status = 429, description = "Too many failures; see Retry-After", body = Problem),
        (status = 503, description = "Busy hashing passwords; see Retry-After", body = Problem),
    ))]
pub async fn log_in(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<LogInBody>,
) -> Result<(StatusCode, Json<SignedInView>), ApiError> {
    let token_name = token_name(body.token_name.as_deref(), "API log-in")?;
    // No account has such an email, and the throttle could not write it down (PostgreSQL
    // refuses a NUL): it is simply a wrong email.
    if body.email.chars().any(char::is_control) {
        return Err(tend_domain::Error::BadCredentials.into());
    }
    let user = auth::log_in(&state.ctx, LogIn { email: body.email, password: body.password }, &client.0).await?;
    Ok((StatusCode::CREATED, Json(signed_in(&state, &user, token_name).await?)))
}

/// Revokes the token this request was made with.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Done)))]
pub async fn log_out(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<Done>, ApiError> {
    if let Via::ApiToken { id } = me.via {
        auth::revoke_api_token(&state.ctx, &me.user, id).await?;
    }
    Ok(Done::json())
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
pub async fn me(ApiCaller(me): ApiCaller) -> Json<UserView> {
    Json(UserView::from(&me.user))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    display_name: Option<String>,
    email: Option<String>,
    time_zone: Option<String>,
    /// Hide the counts of days in the rhythm view.
    hide_counts: Option<bool>,
}

/// Changes display name, email or time zone; absent fields stay as they are. A new email that
/// another account has is refused as such, so changes of email are limited to a few in 15
/// minutes.
#[utoipa::path(patch, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])), request_body = ProfileBody,
    responses(
        (status = 200, body = UserView),
        (status = 422, description = "Invalid fields, or an email another account uses", body = Problem),
        (status = 429, description = "Too many changes of email; see Retry-After", body = Problem),
    ))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<UserView>, ApiError> {
    let update = ProfileUpdate {
        display_name: body.display_name,
        email: body.email,
        time_zone: body.time_zone,
        hide_counts: body.hide_counts,
    };
    let user = account::update_profile(&state.ctx, &me.user, update).await?;
    Ok(Json(UserView::from(&user)))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    current_password: String,
    /// At least 10 characters.
    new_password: String,
}

/// Changes the password; every browser session is signed out. API tokens stay valid.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])), request_body = PasswordBody,
    responses(
        (status = 200, body = Done),
        (status = 422, description = "Wrong current password, or a new one too short or long", body = Problem),
        (status = 429, description = "Too many wrong current passwords; see Retry-After", body = Problem),
        (status = 503, description = "Busy hashing passwords; see Retry-After", body = Problem),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<PasswordBody>,
) -> Result<Json<Done>, ApiError> {
    account::change_password(
        &state.ctx,
        &me.user,
        None,
        PasswordChange { current_password: body.current_password, new_password: body.new_password },
    )
    .await?;
    Ok(Done::json())
}

/// What deleting one's account takes away and what stays.
#[derive(Serialize, ToSchema)]
pub struct AccountDeletionView {
    /// What is deleted: everything the person wrote, their ratings, their account and devices.
    pub goes: Vec<String>,
    /// What stays: the partner's own words and the plain facts of what the two did together.
    pub stays: Vec<String>,
}

/// What deleting the caller's account would delete and what would stay, as the confirm page
/// in Settings says it.
#[utoipa::path(get, path = "/api/v1/account/deletion", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = AccountDeletionView)))]
pub async fn deletion(ApiCaller(_me): ApiCaller) -> Json<AccountDeletionView> {
    Json(AccountDeletionView {
        goes: account::DELETE_GOES.iter().map(|s| s.to_string()).collect(),
        stays: account::DELETE_STAYS.iter().map(|s| s.to_string()).collect(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct DeleteAccountBody {
    /// The caller's password, to confirm.
    password: String,
}

/// Deletes the caller's account and everything they wrote, as `GET /api/v1/account/deletion`
/// lists; a couple they are in ends first. Every token and session of the account stops
/// working. This cannot be undone.
#[utoipa::path(delete, path = "/api/v1/account", tag = "accounts", security(("bearer" = [])),
    request_body = DeleteAccountBody,
    responses(
        (status = 200, body = Done),
        (status = 422, description = "A wrong or missing password; nothing was deleted", body = Problem),
        (status = 429, description = "Too many wrong passwords; see Retry-After", body = Problem),
        (status = 503, description = "Busy checking passwords; see Retry-After", body = Problem),
    ))]
pub async fn delete_account(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<DeleteAccountBody>,
) -> Result<Json<Done>, ApiError> {
    account::delete_account(&state.ctx, &me.user, &body.password).await?;
    Ok(Done::json())
}
