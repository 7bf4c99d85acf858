//! Reminders: what each person wants to be reminded of and how, their quiet hours, the
//! devices that get notifications, their calendar feed, the one-click email unsubscribe and
//! the partner's nudge.

use super::accounts::Empty;
use super::{FormErrors, Layout, notice, parse_id, when};
use crate::auth::{CsrfForm, CsrfToken, MaybeUser, SignedIn};
use crate::error::{PageError, render};
use crate::{AppState, flash};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use tend_domain::reminder::{self, Channel, NewChoices, NewDevice};
use tend_domain::rhythm::Practice;
use tend_domain::{PushSubscriptionId, couple};

pub struct ChoiceRow {
    pub id: &'static str,
    pub name: String,
    /// "Thursdays from 19:30", or None when no time is agreed yet.
    pub agreed: Option<String>,
    /// How long before the time the reminder comes: "an hour before".
    pub lead: &'static str,
    pub push: bool,
    pub email: bool,
}

pub struct DeviceRow {
    pub id: PushSubscriptionId,
    pub label: String,
    pub added: String,
}

pub struct SentRow {
    pub what: String,
    pub how: &'static str,
    pub at: String,
}

#[derive(Template)]
#[template(path = "reminders/show.html")]
pub struct RemindersPage {
    pub layout: Layout,
    pub notice: Option<&'static str>,
    pub errors: FormErrors,
    pub rows: Vec<ChoiceRow>,
    pub quiet_from: String,
    pub quiet_until: String,
    pub devices: Vec<DeviceRow>,
    /// The key browsers subscribe with; none when push is not set up.
    pub push_key: Option<String>,
    pub email_ready: bool,
    pub email: String,
    pub calendar_since: Option<String>,
    /// Shown once, right after it was made.
    pub calendar_url: Option<String>,
    pub recent: Vec<SentRow>,
    pub paired: bool,
}

#[derive(Deserialize, Default)]
pub struct RemindersQuery {
    done: Option<String>,
}

fn lead_text(practice: Practice) -> &'static str {
    match reminder::lead(practice).as_mins() {
        0 => "at the time",
        60 => "an hour before",
        15 => "15 minutes before",
        _ => "a little before",
    }
}

/// What a page render varies by: errors, the form as sent, a feed address made just now.
#[derive(Default)]
struct Variant {
    errors: FormErrors,
    typed: Option<NewChoices>,
    calendar_url: Option<String>,
    notice: Option<&'static str>,
}

async fn page(state: &AppState, me: &SignedIn, csrf: &CsrfToken, v: Variant) -> Result<Response, PageError> {
    let user = &me.0.user;
    let tz = &user.time_zone;
    let overview = reminder::overview(&state.ctx, user).await?;
    let slots = match user.couple_id {
        Some(_) => tend_domain::rhythm::plan(&state.ctx, user).await?,
        None => Vec::new(),
    };
    // A refused form shows the boxes as they were ticked.
    let typed: Option<Vec<(Practice, Channel)>> = v.typed.as_ref().map(|t| {
        t.wanted
            .iter()
            .filter_map(|w| w.split_once(':').and_then(|(p, c)| Some((Practice::parse(p)?, Channel::parse(c)?))))
            .collect()
    });
    let wants = |p: Practice, c: Channel| typed.as_ref().map_or(overview.choices.wants(p, c), |t| t.contains(&(p, c)));
    let (push_ready, email_ready) = (state.courier.push_public_key().is_some(), state.courier.email_ready());
    let rows = Practice::ALL
        .into_iter()
        .map(|p| ChoiceRow {
            id: p.as_str(),
            name: p.info().name.clone(),
            agreed: slots.iter().find(|s| s.practice == p).and_then(|s| s.agreed.as_ref()).map(|a| a.describe.clone()),
            lead: lead_text(p),
            // A channel this instance lacks shows as off, whatever was chosen.
            push: push_ready && wants(p, Channel::Push),
            email: email_ready && wants(p, Channel::Email),
        })
        .collect();
    let (quiet_from, quiet_until) = match &v.typed {
        Some(t) => (t.quiet_from.clone(), t.quiet_until.clone()),
        None => (
            overview.choices.quiet.from.strftime("%H:%M").to_string(),
            overview.choices.quiet.until.strftime("%H:%M").to_string(),
        ),
    };
    let partner = match user.couple_id {
        Some(_) => Some(couple::us(&state.ctx, user).await?.partner.display_name),
        None => None,
    };
    let recent = overview
        .recent
        .iter()
        .map(|r| SentRow {
            what: match (r.nudged_by, &partner) {
                (Some(_), Some(name)) => format!("A nudge from {name}: {}", r.practice.info().name),
                _ => r.practice.info().name.clone(),
            },
            how: r.channel.label(),
            at: when(r.sent_at, tz),
        })
        .collect();
    let (status, wait) = FormErrors::page_status(&[&v.errors]);
    let page = RemindersPage {
        layout: Layout::new(Some(&me.0), csrf, "settings"),
        notice: v.notice,
        errors: v.errors,
        rows,
        quiet_from,
        quiet_until,
        devices: overview
            .devices
            .iter()
            .map(|d| DeviceRow { id: d.id, label: d.label.clone(), added: when(d.created_at, tz) })
            .collect(),
        push_key: state.courier.push_public_key(),
        email_ready: state.courier.email_ready(),
        email: user.email.clone(),
        calendar_since: overview.calendar_since.map(|t| when(t, tz)),
        calendar_url: v.calendar_url,
        recent,
        paired: user.couple_id.is_some(),
    };
    Ok((status, wait, [(header::CACHE_CONTROL, "no-store")], render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<RemindersQuery>,
) -> Result<Response, PageError> {
    // A calendar address made just now, carried over the redirect, shown this once.
    let calendar_url = flash::peek(&headers, "calendar").and_then(|s| s.parts.into_iter().next());
    let shown = calendar_url.is_some();
    let variant = Variant { notice: notice(q.done.as_deref()), calendar_url, ..Variant::default() };
    let mut response = page(&state, &me, &csrf, variant).await?;
    if shown {
        flash::clear(&state, &mut response);
    }
    Ok(response)
}

/// The choices form: `quiet_from`, `quiet_until` and one checkbox per practice and channel,
/// named `check-in:push`.
fn choices_of(form: &BTreeMap<String, String>) -> NewChoices {
    NewChoices {
        quiet_from: form.get("quiet_from").cloned().unwrap_or_default(),
        quiet_until: form.get("quiet_until").cloned().unwrap_or_default(),
        wanted: form.keys().filter(|k| k.contains(':')).cloned().collect(),
    }
}

pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let typed = choices_of(&form);
    match reminder::save_choices(&state.ctx, &me.0.user, &typed).await {
        Ok(_) => Ok(Redirect::to("/reminders?done=reminders-saved").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&state, &me, &csrf, Variant { errors, typed: Some(typed), ..Variant::default() }).await
        }
    }
}

/// A device, as the page's script sends it from `PushSubscription.toJSON()`.
#[derive(Deserialize, Default)]
pub struct DeviceForm {
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    p256dh: String,
    #[serde(default)]
    auth: String,
}

pub async fn add_device(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<DeviceForm>,
) -> Result<Response, PageError> {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let device = NewDevice {
        endpoint: form.endpoint,
        keys: reminder::DeviceKeys { p256dh: form.p256dh, auth: form.auth },
        label: None,
    };
    match reminder::add_device(&state.ctx, &me.0.user, &device, agent, state.endpoint_policy).await {
        Ok(_) => Ok(Redirect::to("/reminders?done=device-added#devices").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&state, &me, &csrf, Variant { errors, ..Variant::default() }).await
        }
    }
}

pub async fn remove_device(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    reminder::remove_device(&state.ctx, &me.0.user, parse_id(&id)?).await?;
    Ok(Redirect::to("/reminders?done=device-removed#devices").into_response())
}

pub async fn test(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(channel): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let channel = Channel::parse(&channel).ok_or_else(PageError::not_found)?;
    match reminder::send_test(&state.ctx, state.courier.as_ref(), &me.0.user, channel).await {
        Ok(_) => {
            let done = if channel == Channel::Push { "test-push" } else { "test-email" };
            Ok(Redirect::to(&format!("/reminders?done={done}")).into_response())
        }
        Err(e @ tend_domain::Error::Unavailable(_)) => {
            let errors =
                FormErrors { general: Some(e.to_string()), status: StatusCode::BAD_GATEWAY, ..FormErrors::default() };
            page(&state, &me, &csrf, Variant { errors, ..Variant::default() }).await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&state, &me, &csrf, Variant { errors, ..Variant::default() }).await
        }
    }
}

pub async fn new_calendar(
    State(state): State<AppState>,
    me: SignedIn,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let token = reminder::new_calendar_token(&state.ctx, &me.0.user).await?;
    let url = format!("{}/calendar/{}.ics", crate::pages::pairing::base_url(&state.config, &headers), token.expose());
    let mut response = Redirect::to("/reminders?done=calendar-made#calendar").into_response();
    flash::put(&state, &mut response, &flash::Shown { kind: "calendar".into(), parts: vec![url] });
    Ok(response)
}

pub async fn revoke_calendar(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    reminder::revoke_calendar(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/reminders?done=calendar-revoked#calendar").into_response())
}

#[derive(Deserialize, Default)]
pub struct NudgeForm {
    #[serde(default)]
    practice: String,
}

/// "Sam would love a check-in tonight": from Today, once a day.
pub async fn nudge(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<NudgeForm>,
) -> Result<Response, PageError> {
    let practice = Practice::parse(&form.practice).unwrap_or(Practice::CheckIn);
    match reminder::nudge(&state.ctx, &me.0.user, practice).await {
        Ok(()) => Ok(Redirect::to("/today?done=nudged#nudge").into_response()),
        Err(tend_domain::Error::Rejected(_)) => Ok(Redirect::to("/today?done=nudged-already#nudge").into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reminders/stop.html")]
pub struct StopPage {
    pub layout: Layout,
    pub token: String,
    pub stopped: bool,
}

/// The unsubscribe link from an email, opened in a browser: asks before turning email off,
/// because mail scanners open links too.
pub async fn stop_form(user: MaybeUser, csrf: CsrfToken, Path(token): Path<String>) -> Result<Response, PageError> {
    let page = StopPage { layout: Layout::of(&user, &csrf, ""), token, stopped: false };
    Ok(render(&page).into_response())
}

/// Turns email reminders off: the page's button, or a mail program's one-click POST (RFC
/// 8058), which carries no CSRF token: the token in the address is what allows it.
pub async fn stop(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    reminder::stop_email(&state.ctx, &token).await?;
    let page = StopPage { layout: Layout::of(&user, &csrf, ""), token: String::new(), stopped: true };
    Ok(render(&page).into_response())
}

/// A person's calendar feed: the couple's agreed rhythm as recurring events.
pub async fn calendar(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let feed = reminder::calendar(&state.ctx, token).await?;
    let body = crate::calendar::render(&feed, state.ctx.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-cache"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"tend.ics\""),
        ],
        body,
    )
        .into_response())
}
