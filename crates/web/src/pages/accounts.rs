//! Signing up, logging in and out.

use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{self, ClientInfo, CsrfForm, CsrfToken, MaybeUser, SESSION_COOKIE};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::account::{self, SignUp, SignUpMode};
use tend_domain::auth::{Authenticated, LogIn};
use tend_domain::couple;
use tend_domain::store::User;
use tend_domain::time::all_zone_names;

#[derive(Template)]
#[template(path = "accounts/signup.html")]
pub struct SignUpPage {
    pub layout: Layout,
    pub form: SignUp,
    pub errors: FormErrors,
    pub mode: SignUpMode,
    /// Who invited this person, when they came through a link.
    pub inviter: Option<String>,
    pub zones: Vec<String>,
}

impl SignUpPage {
    fn invite_value(&self) -> &str {
        self.form.invite.as_deref().unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
pub struct SignUpQuery {
    invite: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<SignUpQuery>,
) -> Result<Response, PageError> {
    if user.0.is_some() {
        return Ok(Redirect::to("/today").into_response());
    }
    let form = SignUp { invite: q.invite.filter(|i| i.len() < 200), ..SignUp::default() };
    sign_up_page(&state, &csrf, form, FormErrors::default()).await
}

async fn sign_up_page(
    state: &AppState,
    csrf: &CsrfToken,
    form: SignUp,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let mode = account::sign_up_mode(&state.ctx).await?;
    let inviter = match form.invite.as_deref() {
        Some(invite) if !invite.is_empty() => {
            couple::preview_invite(&state.ctx, invite, None).await.ok().map(|p| p.inviter_name)
        }
        _ => None,
    };
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page =
        SignUpPage { layout: Layout::new(None, csrf, "signup"), form, errors, mode, inviter, zones: all_zone_names() };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    CsrfForm(form): CsrfForm<SignUp>,
) -> Result<Response, PageError> {
    match account::sign_up_from(&state.ctx, form.clone(), &client.0).await {
        Ok(signed_up) => {
            let target = if signed_up.couple.is_some() { "/today?done=paired" } else { "/pair?done=welcome" };
            begin_session(&state, &signed_up.user, &client, None, target).await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            // Never send a password back to the browser.
            sign_up_page(&state, &csrf, SignUp { password: String::new(), ..form }, errors).await
        }
    }
}

/// Starts a fresh session (ending the one the browser had, so a session id is never reused
/// across a log-in) and sends the person on.
async fn begin_session(
    state: &AppState,
    user: &User,
    client: &ClientInfo,
    previous: Option<&Authenticated>,
    target: &str,
) -> Result<Response, PageError> {
    if let Some(prev) = previous.and_then(|p| p.session_id().map(|id| (p, id))) {
        tend_domain::auth::end_session(&state.ctx, &prev.0.user, prev.1).await?;
    }
    let session = tend_domain::auth::start_session(&state.ctx, user, &client.0).await?;
    let mut response = Redirect::to(target).into_response();
    let days = tend_domain::auth::SESSION_IDLE.as_hours() / 24;
    auth::set_cookie(&mut response, auth::cookie(state, SESSION_COOKIE, session.token.expose().to_owned(), Some(days)));
    auth::set_cookie(&mut response, auth::removal(state, auth::CSRF_COOKIE));
    Ok(response)
}

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub struct LogInPage {
    pub layout: Layout,
    pub email: String,
    pub next: String,
    pub errors: FormErrors,
    pub notice: Option<&'static str>,
    /// Whether this instance can email a link to set a new password.
    pub email_ready: bool,
}

#[derive(Deserialize, Default)]
pub struct LogInQuery {
    next: Option<String>,
    done: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    super::safe_return(next, "/today")
}

pub async fn login_form(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<LogInQuery>,
) -> Response {
    if user.0.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let page = LogInPage {
        layout: Layout::new(None, &csrf, "login"),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        notice: notice(q.done.as_deref()),
        email_ready: state.courier.email_ready(),
    };
    render(&page)
}

#[derive(Deserialize, Default)]
pub struct LogInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    client: ClientInfo,
    CsrfForm(form): CsrfForm<LogInForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    match tend_domain::auth::log_in(&state.ctx, LogIn { email: form.email.clone(), password: form.password }, &client.0)
        .await
    {
        Ok(signed_in) => begin_session(&state, &signed_in, &client, user.0.as_ref(), &next).await,
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let (status, wait) = FormErrors::page_status(&[&errors]);
            let page = LogInPage {
                layout: Layout::new(None, &csrf, "login"),
                email: form.email.chars().take(254).collect(),
                next,
                errors,
                notice: None,
                email_ready: state.courier.email_ready(),
            };
            Ok((status, wait, render(&page)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(
    State(state): State<AppState>,
    user: MaybeUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some((me, id)) = user.0.as_ref().and_then(|u| u.session_id().map(|id| (u, id))) {
        tend_domain::auth::end_session(&state.ctx, &me.user, id).await?;
    }
    let mut response = Redirect::to("/login?done=logged-out").into_response();
    auth::set_cookie(&mut response, auth::removal(&state, SESSION_COOKIE));
    Ok(response)
}

/// "Forgot your password?": asks for the email, then says the same thing whether or not an
/// account has it.
#[derive(Template)]
#[template(path = "accounts/forgot.html")]
pub struct ForgotPage {
    pub layout: Layout,
    pub email: String,
    pub errors: FormErrors,
    pub sent: bool,
    pub email_ready: bool,
}

#[derive(Deserialize, Default)]
pub struct ForgotQuery {
    done: Option<String>,
}

pub async fn forgot_form(State(state): State<AppState>, csrf: CsrfToken, Query(q): Query<ForgotQuery>) -> Response {
    render(&ForgotPage {
        layout: Layout::new(None, &csrf, "login"),
        email: String::new(),
        errors: FormErrors::default(),
        sent: q.done.as_deref() == Some("sent"),
        email_ready: state.courier.email_ready(),
    })
}

#[derive(Deserialize, Default)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    csrf: CsrfToken,
    client: ClientInfo,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<Response, PageError> {
    let errors = match account::forgot_password(&state.ctx, &form.email, &client.0).await {
        Ok(email) => {
            // Looked up and sent apart from this answer, which takes as long either way.
            let (ctx, courier) = (state.ctx.clone(), state.courier.clone());
            tokio::spawn(async move {
                if let Err(e) = account::send_reset_link(&ctx, courier.as_ref(), &email).await {
                    tracing::warn!(error = %e, "a password link could not be made");
                }
            });
            // A reload of what follows asks for nothing again.
            return Ok(Redirect::to("/forgot?done=sent").into_response());
        }
        Err(e) => FormErrors::from_error(e)?,
    };
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = ForgotPage {
        layout: Layout::new(None, &csrf, "login"),
        email: form.email.chars().take(254).collect(),
        sent: false,
        errors,
        email_ready: state.courier.email_ready(),
    };
    Ok((status, wait, render(&page)).into_response())
}

/// The page a "forgot password" link opens: a new password, or why the link no longer works.
#[derive(Template)]
#[template(path = "accounts/reset.html")]
pub struct ResetPage {
    pub layout: Layout,
    pub token: String,
    pub works: bool,
    pub errors: FormErrors,
}

pub async fn reset_form(
    State(state): State<AppState>,
    csrf: CsrfToken,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let works = account::reset_link_works(&state.ctx, &token).await?;
    let page = ResetPage { layout: Layout::new(None, &csrf, "login"), token, works, errors: FormErrors::default() };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct ResetForm {
    #[serde(default)]
    new_password: String,
}

pub async fn reset(
    State(state): State<AppState>,
    csrf: CsrfToken,
    axum::extract::Path(token): axum::extract::Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, PageError> {
    match account::reset_password_with_link(&state.ctx, &token, &form.new_password).await {
        Ok(()) => {
            // Whoever was signed in on this browser is signed out with the rest.
            let mut response = Redirect::to("/login?done=password-set").into_response();
            auth::set_cookie(&mut response, auth::removal(&state, SESSION_COOKIE));
            Ok(response)
        }
        Err(tend_domain::Error::Rejected(_)) => {
            let page = ResetPage {
                layout: Layout::new(None, &csrf, "login"),
                token,
                works: false,
                errors: FormErrors::default(),
            };
            Ok((axum::http::StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let (status, wait) = FormErrors::page_status(&[&errors]);
            let page = ResetPage { layout: Layout::new(None, &csrf, "login"), token, works: true, errors };
            Ok((status, wait, render(&page)).into_response())
        }
    }
}
