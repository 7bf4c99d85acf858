//! Settings: profile and time zone, password, sessions, API tokens, and the couple.

use super::{FormErrors, Layout, notice, parse_id, when};
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use crate::pages::pairing::DoneQuery;
use crate::{AppState, flash};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::account::{self, PasswordChange, ProfileUpdate};
use tend_domain::auth::{self, NewToken};
use tend_domain::time::{TimeZoneName, all_zone_names};
use tend_domain::{ApiTokenId, SessionId, couple};

pub struct SessionRow {
    pub id: SessionId,
    pub device: String,
    pub ip: String,
    pub last_seen: String,
    pub current: bool,
}

pub struct TokenRow {
    pub id: ApiTokenId,
    pub name: String,
    pub hint: String,
    pub created: String,
    pub last_used: String,
}

/// The profile form's values as shown.
#[derive(Default)]
pub struct ProfileValues {
    pub hide_counts: bool,
    pub display_name: String,
    pub email: String,
    pub time_zone: String,
}

#[derive(Template)]
#[template(path = "settings/settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    pub profile: ProfileValues,
    pub zones: Vec<String>,
    pub sessions: Vec<SessionRow>,
    pub tokens: Vec<TokenRow>,
    pub new_token: Option<(String, String)>,
    pub partner: Option<String>,
    pub profile_errors: FormErrors,
    pub password_errors: FormErrors,
    pub token_errors: FormErrors,
    pub notice: Option<&'static str>,
    /// The person turned the private help hint off.
    pub help_hint_off: bool,
    /// The person looks after this instance: a way to the admin page.
    pub admin: bool,
}

/// What a settings page render varies by.
#[derive(Default)]
struct Variant {
    profile: Option<ProfileValues>,
    profile_errors: FormErrors,
    password_errors: FormErrors,
    token_errors: FormErrors,
    new_token: Option<(String, String)>,
    notice: Option<&'static str>,
}

async fn settings_page(state: &AppState, me: &SignedIn, csrf: &CsrfToken, v: Variant) -> Result<Response, PageError> {
    let user = &me.0.user;
    let tz = &user.time_zone;
    let current = me.0.session_id();
    let sessions = auth::sessions(&state.ctx, user)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: Some(s.id) == current,
            device: auth::device_name(&s.user_agent),
            ip: s.ip,
            last_seen: when(s.last_seen_at, tz),
            id: s.id,
        })
        .collect();
    let tokens = auth::api_tokens(&state.ctx, user)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            hint: t.hint,
            created: when(t.created_at, tz),
            last_used: t.last_used_at.map(|at| when(at, tz)).unwrap_or_else(|| "never".into()),
        })
        .collect();
    let partner = match user.couple_id {
        Some(_) => Some(couple::us(&state.ctx, user).await?.partner.display_name),
        None => None,
    };
    let (status, wait) = FormErrors::page_status(&[&v.profile_errors, &v.password_errors, &v.token_errors]);
    let help_hint_off = tend_domain::help_hint::is_off(&state.ctx, user).await?;
    let admin = tend_domain::admin::is_admin(&state.ctx, user).await?;
    let page = SettingsPage {
        help_hint_off,
        admin,
        layout: Layout::new(Some(&me.0), csrf, "settings"),
        profile: v.profile.unwrap_or_else(|| ProfileValues {
            hide_counts: user.hide_counts,
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            time_zone: tz.as_str().to_owned(),
        }),
        zones: all_zone_names(),
        sessions,
        tokens,
        new_token: v.new_token,
        partner,
        profile_errors: v.profile_errors,
        password_errors: v.password_errors,
        token_errors: v.token_errors,
        notice: v.notice,
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    // A token made just now, carried over the redirect, shown this once.
    let new_token = flash::peek(&headers, "token").and_then(|s| match <[String; 2]>::try_from(s.parts) {
        Ok([name, token]) => Some((name, token)),
        Err(_) => None,
    });
    let shown = new_token.is_some();
    let mut response = settings_page(
        &state,
        &me,
        &csrf,
        Variant { notice: notice(q.done.as_deref()), new_token, ..Variant::default() },
    )
    .await?;
    if shown {
        flash::clear(&state, &mut response);
    }
    Ok(response)
}

#[derive(Deserialize, Default)]
pub struct ProfileForm {
    /// A checkbox: present when ticked.
    hide_counts: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn update_profile(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, PageError> {
    let update = ProfileUpdate {
        display_name: Some(form.display_name.clone()),
        email: Some(form.email.clone()),
        time_zone: Some(form.time_zone.clone()),
        hide_counts: Some(form.hide_counts.is_some()),
    };
    match account::update_profile(&state.ctx, &me.0.user, update).await {
        Ok(_) => Ok(Redirect::to("/settings?done=profile").into_response()),
        Err(e) => {
            let shown = ProfileValues {
                hide_counts: form.hide_counts.is_some(),
                display_name: form.display_name.chars().take(200).collect(),
                email: form.email.chars().take(300).collect(),
                // An unknown zone cannot be shown in the picker: keep the one on file.
                time_zone: match TimeZoneName::parse(&form.time_zone) {
                    Ok(zone) => zone.as_str().to_owned(),
                    Err(_) => me.0.user.time_zone.as_str().to_owned(),
                },
            };
            settings_page(
                &state,
                &me,
                &csrf,
                Variant { profile: Some(shown), profile_errors: FormErrors::from_error(e)?, ..Variant::default() },
            )
            .await
        }
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<PasswordChange>,
) -> Result<Response, PageError> {
    match account::change_password(&state.ctx, &me.0.user, me.0.session_id(), form).await {
        Ok(()) => Ok(Redirect::to("/settings?done=password").into_response()),
        Err(e) => {
            settings_page(
                &state,
                &me,
                &csrf,
                Variant { password_errors: FormErrors::from_error(e)?, ..Variant::default() },
            )
            .await
        }
    }
}

pub async fn revoke_session(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    auth::revoke_session(&state.ctx, &me.0.user, SessionId(id)).await?;
    if me.0.session_id() == Some(SessionId(id)) {
        return Ok(Redirect::to("/login?done=logged-out").into_response());
    }
    Ok(Redirect::to("/settings?done=session").into_response())
}

pub async fn create_token(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<NewToken>,
) -> Result<Response, PageError> {
    match auth::create_api_token(&state.ctx, &me.0.user, form).await {
        Ok(created) => {
            let mut response = Redirect::to("/settings?done=token-created#tokens").into_response();
            let shown =
                flash::Shown { kind: "token".into(), parts: vec![created.name, created.token.expose().to_owned()] };
            flash::put(&state, &mut response, &shown);
            Ok(response)
        }
        Err(e) => {
            settings_page(
                &state,
                &me,
                &csrf,
                Variant { token_errors: FormErrors::from_error(e)?, ..Variant::default() },
            )
            .await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    auth::revoke_api_token(&state.ctx, &me.0.user, ApiTokenId(id)).await?;
    Ok(Redirect::to("/settings?done=token").into_response())
}

#[derive(Template)]
#[template(path = "settings/delete.html")]
pub struct DeleteAccountPage {
    pub layout: Layout,
    /// The partner's name, when paired: their couple ends too.
    pub partner: Option<String>,
    pub goes: &'static [&'static str],
    pub stays: &'static [&'static str],
    pub errors: FormErrors,
}

async fn delete_account_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let partner = match user.couple_id {
        Some(_) => Some(couple::us(&state.ctx, user).await?.partner.display_name),
        None => None,
    };
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = DeleteAccountPage {
        layout: Layout::new(Some(&me.0), csrf, "settings"),
        partner,
        goes: &account::DELETE_GOES,
        stays: &account::DELETE_STAYS,
        errors,
    };
    Ok((status, wait, render(&page)).into_response())
}

/// Says what deleting the account takes away and what stays, and asks for the password.
pub async fn delete_account_form(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
) -> Result<Response, PageError> {
    delete_account_page(&state, &me, &csrf, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
pub struct DeleteAccountForm {
    #[serde(default)]
    password: String,
}

/// Deletes the account once the password matches, signs this browser out and says goodbye on
/// the front page; a wrong password shows the form again and deletes nothing.
pub async fn delete_account(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<DeleteAccountForm>,
) -> Result<Response, PageError> {
    match account::delete_account(&state.ctx, &me.0.user, &form.password).await {
        Ok(()) => {
            let mut response = Redirect::to("/?done=account-deleted").into_response();
            crate::auth::set_cookie(&mut response, crate::auth::removal(&state, crate::auth::SESSION_COOKIE));
            Ok(response)
        }
        Err(e) => delete_account_page(&state, &me, &csrf, FormErrors::from_error(e)?).await,
    }
}
