//! The Stress-Reducing Conversation on two phones: a start page with history, and one live
//! page per conversation that shows each partner their own role.

use super::{FormErrors, Layout, notice, parse_id, when};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::conversation::{self, Guideline, Phase, Rating, Role, Seen};
use tend_domain::couple::{self, Us};
use tend_domain::time::TimeZoneName;

/// A conversation as one partner's page shows it.
pub struct TalkView {
    pub id: i64,
    /// waiting, speaking, rating, done, expired or cancelled.
    pub state: &'static str,
    pub can_join: bool,
    pub started_by_me: bool,
    /// speaker, listener or both (one shared phone); empty outside the turns.
    pub role: &'static str,
    pub turn: u8,
    pub speaker: String,
    pub listener: String,
    pub remaining_ms: i64,
    pub remaining: String,
    pub minutes: u8,
    pub shared_phone: bool,
    pub cue_index: usize,
    /// How often the listener's cue moves on: a tenth of a turn.
    pub cue_every_ms: i64,
    pub cue: Option<&'static Guideline>,
    pub my_rating: Option<Rating>,
    pub minutes_spoken: i64,
    pub started: String,
    /// "Tue 24 Nov, 18:00", for tables.
    pub started_short: String,
}

fn clock(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl TalkView {
    pub fn of(seen: &Seen, us: &Us, tz: &TimeZoneName, now: jiff::Timestamp) -> Self {
        let name = |id| if id == us.me.id { "You".to_owned() } else { us.partner.display_name.clone() };
        let now_cue = seen.phase.cue(now);
        let (turn, speaker, listener, cue, cue_every_ms) = match seen.phase {
            Phase::Speaking { turn, speaker, listener, started_at, ends_at } => {
                let turn_length = ends_at.duration_since(started_at);
                let every = i64::try_from(turn_length.as_millis() / 10).unwrap_or(90_000).max(1000);
                let cue = conversation::cue_at(now.duration_since(started_at), turn_length);
                (turn, name(speaker), name(listener), cue, every)
            }
            _ => (0, String::new(), String::new(), 0, 90_000),
        };
        let remaining_ms = seen.remaining.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
        Self {
            id: seen.id.0,
            state: seen.phase.as_str(),
            can_join: seen.can_join(),
            started_by_me: seen.started_by_me,
            role: seen.role.map_or("", Role::as_str),
            turn,
            speaker,
            listener,
            remaining_ms,
            remaining: clock(remaining_ms),
            minutes: seen.minutes,
            shared_phone: seen.shared_phone,
            cue_index: cue,
            cue_every_ms,
            cue: now_cue.or_else(|| conversation::guidelines().first()),
            my_rating: seen.my_rating,
            minutes_spoken: seen.minutes_spoken,
            started: when(seen.created_at, tz),
            started_short: seen.created_at.to_zoned(tz.zone()).strftime("%a %-d %b, %H:%M").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "conversation/start.html")]
pub struct TalkStartPage {
    pub layout: Layout,
    pub partner: String,
    pub current: Option<TalkView>,
    pub form: StartForm,
    pub errors: FormErrors,
    pub past: Vec<TalkView>,
    pub held: u32,
    pub minutes_total: i64,
    pub guidelines: &'static [Guideline],
    pub reminder: &'static str,
    /// The caller's State of Us topic, when they came from there.
    pub topic: Option<String>,
}

#[derive(Template)]
#[template(path = "conversation/show.html")]
pub struct ConversationPage {
    pub layout: Layout,
    pub partner: String,
    pub talk: TalkView,
    pub notice: Option<&'static str>,
    pub alert: Option<String>,
    pub rating_errors: FormErrors,
    pub guidelines: &'static [Guideline],
    pub reminder: &'static str,
}

#[derive(Clone, Debug, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    pub minutes: String,
    /// `me` or `partner`.
    #[serde(default)]
    pub first: String,
    /// Present when both are on one phone.
    #[serde(default)]
    pub shared: Option<String>,
}

impl Default for StartForm {
    fn default() -> Self {
        Self { minutes: conversation::DEFAULT_MINUTES.to_string(), first: "me".into(), shared: None }
    }
}

async fn start_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    form: StartForm,
    errors: FormErrors,
    topic: Option<String>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let now = state.ctx.now();
    let tz = &us.me.time_zone;
    let current = conversation::current(&state.ctx, user).await?.filter(Seen::needs_me);
    let past = conversation::history(&state.ctx, user).await?;
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = TalkStartPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        current: current.map(|s| TalkView::of(&s, &us, tz, now)),
        form,
        errors,
        past: past.recent.iter().take(12).map(|s| TalkView::of(s, &us, tz, now)).collect(),
        held: past.held,
        minutes_total: past.minutes,
        guidelines: conversation::guidelines(),
        reminder: conversation::speaker_reminder(),
        topic,
    };
    Ok((status, wait, render(&page)).into_response())
}

/// Where a page was opened from: `?from=state-of-us` brings this week's topic along.
#[derive(Deserialize, Default)]
pub struct FromQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub done: Option<String>,
}

impl FromQuery {
    /// The caller's own State of Us topic this week, when the page was opened from there.
    pub async fn topic(&self, state: &AppState, me: &SignedIn) -> Result<Option<String>, PageError> {
        if self.from.as_deref() != Some("state-of-us") {
            return Ok(None);
        }
        Ok(tend_domain::state_of_us::my_topic(&state.ctx, &me.0.user).await?)
    }
}

pub async fn show_start(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<FromQuery>,
) -> Result<Response, PageError> {
    let topic = q.topic(&state, &me).await?;
    start_page(&state, &me, &csrf, StartForm::default(), FormErrors::default(), topic).await
}

pub async fn start(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<StartForm>,
) -> Result<Response, PageError> {
    let request = conversation::parse_minutes(Some(&form.minutes)).map(|minutes| conversation::StartRequest {
        minutes,
        me_first: form.first != "partner",
        shared_phone: form.shared.is_some(),
    });
    let result = match request {
        Ok(r) => conversation::start(&state.ctx, &me.0.user, r).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((seen, started)) => {
            let done = match started {
                conversation::Started::New => "talk-started",
                conversation::Started::JoinedPartners => "talk-joined-partners",
                conversation::Started::AlreadyRunning => "talk-running",
            };
            Ok(Redirect::to(&format!("/conversations/{}?done={done}", seen.id)).into_response())
        }
        Err(e) => start_page(&state, &me, &csrf, form, FormErrors::from_error(e)?, None).await,
    }
}

async fn conversation_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: tend_domain::ConversationId,
    notice: Option<&'static str>,
    problem: Option<(StatusCode, FormErrors)>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let seen = conversation::get(&state.ctx, user, id).await?;
    let (status, errors) = problem.unwrap_or_default();
    let (alert, rating_errors) = match errors.general.clone() {
        Some(message) => (Some(message), FormErrors::default()),
        None => (None, errors),
    };
    let page = ConversationPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        talk: TalkView::of(&seen, &us, &us.me.time_zone, state.ctx.now()),
        notice,
        alert,
        rating_errors,
        guidelines: conversation::guidelines(),
        reminder: conversation::speaker_reminder(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    conversation_page(&state, &me, &csrf, parse_id(&id)?, notice(q.done.as_deref()), None).await
}

/// After a step: back to the live page, or the page again with what went wrong.
async fn after_step(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: tend_domain::ConversationId,
    result: tend_domain::Result<Seen>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/conversations/{id}")).into_response()),
        Err(tend_domain::Error::NotFound) => Err(PageError::not_found()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            conversation_page(state, me, csrf, id, None, Some((errors.status, errors))).await
        }
    }
}

/// Join, "I feel heard" or stop: the steps that carry nothing but themselves.
pub async fn step(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path((id, step)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let (ctx, user) = (&state.ctx, &me.0.user);
    let result = match step.as_str() {
        "join" => conversation::join(ctx, user, id).await,
        "heard" => conversation::feel_heard(ctx, user, id).await,
        "cancel" => conversation::cancel(ctx, user, id).await,
        _ => return Err(PageError::not_found()),
    };
    after_step(&state, &me, &csrf, id, result).await
}

#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    understood: String,
    #[serde(default)]
    cared_for: String,
}

pub async fn rate(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RatingForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let number = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let result = match Rating::parse(number(&form.understood), number(&form.cared_for)) {
        Ok(rating) => conversation::rate(&state.ctx, &me.0.user, id, rating).await,
        Err(e) => Err(e),
    };
    after_step(&state, &me, &csrf, id, result).await
}
