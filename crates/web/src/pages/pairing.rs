//! Pairing: inviting a partner, joining one, and unpairing.

use super::{FormErrors, Layout, notice};
use crate::auth::{ClientInfo, CsrfForm, CsrfToken, MaybeUser, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use crate::{AppState, WebConfig};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::Error;
use tend_domain::couple::{self, CreatedInvite, Join, Standing, UNPAIR_RULE, Us};

use super::when;

/// The open invite, as its inviter sees it while it is open.
pub struct ShownInvite {
    pub link: String,
    pub code: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "pairing/pair.html")]
pub struct PairPage {
    pub layout: Layout,
    pub us: Option<Us>,
    pub invite: Option<ShownInvite>,
    /// An open invite made before invites could be shown again: until when it lasts.
    pub unshowable_until: Option<String>,
    pub join_value: String,
    pub errors: FormErrors,
    pub notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    pub done: Option<String>,
}

async fn pair_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    headers: &HeaderMap,
    join_value: String,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let tz = me.0.user.time_zone.clone();
    let (us, open) = match couple::standing(&state.ctx, &me.0.user).await? {
        Standing::Paired(us) => (Some(us), None),
        Standing::Single { open_invite } => (None, open_invite),
    };
    let (invite, unshowable_until) = match &open {
        Some(record) => match couple::open_invite(&state.ctx, &me.0.user).await? {
            Some(invite) => (Some(shown(&invite, &base_url(&state.config, headers), &tz)), None),
            None => (None, Some(when(record.expires_at, &tz))),
        },
        None => (None, None),
    };
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = PairPage {
        layout: Layout::new(Some(&me.0), csrf, "pair"),
        us,
        invite,
        unshowable_until,
        join_value,
        errors,
        notice,
    };
    Ok((status, wait, [(header::CACHE_CONTROL, "no-store")], render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    pair_page(&state, &me, &csrf, &headers, String::new(), FormErrors::default(), notice(q.done.as_deref())).await
}

#[derive(Deserialize, Default)]
pub struct InviteForm {
    /// "on" for "Make a new invite": the open one stops working.
    #[serde(default)]
    fresh: Option<String>,
}

/// The address people reach this Tend at, for links they can send.
pub fn base_url(config: &WebConfig, headers: &HeaderMap) -> String {
    if let Some(base) = &config.base_url {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let proto = if crate::auth::forwarded_https(headers, config.trust_proxy) { "https" } else { "http" };
    format!("{proto}://{host}")
}

pub fn shown(invite: &CreatedInvite, base: &str, tz: &tend_domain::time::TimeZoneName) -> ShownInvite {
    ShownInvite {
        link: format!("{base}/join/{}", invite.token.expose()),
        code: invite.code.clone(),
        expires: when(invite.expires_at, tz),
    }
}

/// Makes the invite, or keeps the open one, and shows it on a page of its own address, so a
/// reload (pull-to-refresh after switching to a messenger) shows the same link again.
pub async fn create_invite(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    let fresh = form.fresh.is_some_and(|f| !f.is_empty());
    match couple::create_invite(&state.ctx, &me.0.user, fresh).await {
        Ok((_, true)) if fresh => Ok(Redirect::to("/pair?done=invite-replaced#invite").into_response()),
        Ok((_, true)) => Ok(Redirect::to("/pair?done=invite-made#invite").into_response()),
        Ok((_, false)) => Ok(Redirect::to("/pair#invite").into_response()),
        Err(e) => pair_page(&state, &me, &csrf, &headers, String::new(), FormErrors::from_error(e)?, None).await,
    }
}

pub async fn cancel_invite(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    couple::cancel_invite(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/pair?done=invite-cancelled").into_response())
}

pub async fn join(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    client: ClientInfo,
    CsrfForm(form): CsrfForm<Join>,
) -> Result<Response, PageError> {
    match couple::join(&state.ctx, &me.0.user, form.clone(), &client.0.ip).await {
        Ok(_) => Ok(Redirect::to("/today?done=paired").into_response()),
        Err(e) => {
            let value = form.invite.chars().take(200).collect();
            pair_page(&state, &me, &csrf, &headers, value, FormErrors::from_error(e)?, None).await
        }
    }
}

#[derive(Template)]
#[template(path = "pairing/join.html")]
pub struct JoinPage {
    pub layout: Layout,
    pub token: String,
    pub inviter: String,
    pub problem: Option<String>,
    pub signed_in: bool,
}

/// Where an invite link lands: who is inviting, and how to accept.
pub async fn invitation(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let layout = Layout::of(&user, &csrf, "pair");
    let viewer = user.0.as_ref().map(|u| &u.user);
    let preview = match couple::preview_invite(&state.ctx, &token, viewer).await {
        Ok(p) => p,
        Err(Error::NotFound) => {
            return Err(PageError::new(StatusCode::NOT_FOUND, "We don’t know that invite", couple::INVITE_UNKNOWN));
        }
        Err(e) => return Err(e.into()),
    };
    let status = if preview.problem.is_some() { StatusCode::GONE } else { StatusCode::OK };
    let page = JoinPage {
        layout,
        token,
        inviter: preview.inviter_name,
        problem: preview.problem.map(str::to_owned),
        signed_in: user.0.is_some(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn accept(
    State(state): State<AppState>,
    me: SignedIn,
    client: ClientInfo,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    couple::join(&state.ctx, &me.0.user, Join { invite: token }, &client.0.ip).await?;
    Ok(Redirect::to("/today?done=paired").into_response())
}

#[derive(Template)]
#[template(path = "pairing/unpair.html")]
pub struct UnpairPage {
    pub layout: Layout,
    pub partner: String,
    pub rules: &'static [&'static str],
}

pub async fn unpair_form(State(state): State<AppState>, me: SignedIn, csrf: CsrfToken) -> Result<Response, PageError> {
    let layout = Layout::new(Some(&me.0), &csrf, "settings");
    let us = couple::us(&state.ctx, &me.0.user).await?;
    Ok(render(&UnpairPage { layout, partner: us.partner.display_name, rules: &UNPAIR_RULE }))
}

pub async fn unpair(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    couple::unpair(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/pair?done=unpaired").into_response())
}
