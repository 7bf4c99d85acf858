//! Reflective listening: share, reflect, "you got it" or "not quite", then swap.

use super::{FormErrors, Layout, notice, parse_id, when};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::couple::{self, Us};
use tend_domain::listening::{self, Listening, MAX_ROUNDS, NewAnswer, NewReflection, Stage, Style};

pub struct RoundView {
    pub round: u8,
    pub share: String,
    pub reflection: Option<String>,
    pub feeling: Option<String>,
    pub verdict: Option<&'static str>,
}

/// One exchange as one partner's page shows it.
pub struct ExchangeView {
    pub id: i64,
    pub i_share: bool,
    pub speaker: String,
    pub listener: String,
    /// reflecting, answering, understood or ended.
    pub stage: &'static str,
    pub my_move: bool,
    pub last_round: bool,
    pub rounds: Vec<RoundView>,
    pub started: String,
}

impl ExchangeView {
    pub fn of(l: &Listening, us: &Us, now: jiff::Timestamp) -> Self {
        let name = |id| if id == us.me.id { "You".to_owned() } else { us.partner.display_name.clone() };
        let stage = l.stage(now);
        let round = match stage {
            Stage::Reflecting { round } | Stage::Answering { round } => round,
            Stage::Understood | Stage::Ended => 0,
        };
        Self {
            id: l.id.0,
            i_share: l.speaker == us.me.id,
            speaker: name(l.speaker),
            listener: name(l.listener),
            stage: stage.as_str(),
            my_move: l.is_move_of(us.me.id, now),
            last_round: round >= MAX_ROUNDS,
            rounds: l
                .rounds
                .iter()
                .map(|r| RoundView {
                    round: r.round,
                    share: r.share.clone(),
                    reflection: r.reflection.clone(),
                    feeling: r.feeling.clone(),
                    verdict: r.verdict.map(|v| match v {
                        listening::Verdict::GotIt => "You got it.",
                        listening::Verdict::NotQuite => "Not quite.",
                    }),
                })
                .collect(),
            started: when(l.created_at, &us.me.time_zone),
        }
    }
}

/// Which form a problem belongs to, with what the person wrote, so nothing is lost.
#[derive(Default)]
pub struct Kept {
    pub share: String,
    pub reflection: String,
    pub feeling: String,
    pub clarification: String,
    pub share_errors: FormErrors,
    pub reflect_errors: FormErrors,
    pub answer_errors: FormErrors,
}

#[derive(Template)]
#[template(path = "listening/show.html")]
pub struct ListenPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub current: Option<ExchangeView>,
    /// An exchange is waiting for a step, so there is no new one to start.
    pub open: bool,
    pub past: Vec<ExchangeView>,
    pub kept: Kept,
    pub styles: &'static [Style],
    pub feelings: &'static [String],
    pub max_rounds: u8,
}

/// Finished exchanges stay on top this long, so both see how it ended and can swap.
const SHOW_FINISHED: jiff::SignedDuration = jiff::SignedDuration::from_hours(12);

async fn listen_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    notice: Option<&'static str>,
    kept: Kept,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let now = state.ctx.now();
    let mut recent = listening::recent(&state.ctx, user, 11).await?;
    let current = match recent.first() {
        Some(l) if l.is_open(now) || now.duration_since(l.last_activity()) < SHOW_FINISHED => {
            Some(ExchangeView::of(&recent.remove(0), &us, now))
        }
        _ => None,
    };
    let (status, wait) = FormErrors::page_status(&[&kept.share_errors, &kept.reflect_errors, &kept.answer_errors]);
    let page = ListenPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        notice,
        open: current.as_ref().is_some_and(|x| x.stage == "reflecting" || x.stage == "answering"),
        current,
        past: recent.iter().take(10).map(|l| ExchangeView::of(l, &us, now)).collect(),
        kept,
        styles: listening::styles(),
        feelings: listening::feelings(),
        max_rounds: MAX_ROUNDS,
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<crate::pages::conversation::FromQuery>,
) -> Result<Response, PageError> {
    // Opened from State of Us: this week's topic is where the share begins.
    let share = q.topic(&state, &me).await?.unwrap_or_default();
    listen_page(&state, &me, &csrf, notice(q.done.as_deref()), Kept { share, ..Kept::default() }).await
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    share: String,
}

pub async fn start(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ShareForm>,
) -> Result<Response, PageError> {
    match listening::start(&state.ctx, &me.0.user, &form.share).await {
        Ok(_) => Ok(Redirect::to("/listening?done=shared#exchange").into_response()),
        Err(e) => {
            let kept = Kept { share: form.share, share_errors: FormErrors::from_error(e)?, ..Kept::default() };
            listen_page(&state, &me, &csrf, None, kept).await
        }
    }
}

pub async fn reflect(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NewReflection>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match listening::reflect(&state.ctx, &me.0.user, id, &form).await {
        Ok(_) => Ok(Redirect::to("/listening?done=reflected#exchange").into_response()),
        Err(tend_domain::Error::NotFound) => Err(PageError::not_found()),
        Err(e) => {
            let kept = Kept {
                reflection: form.reflection,
                feeling: form.feeling,
                reflect_errors: FormErrors::from_error(e)?,
                ..Kept::default()
            };
            listen_page(&state, &me, &csrf, None, kept).await
        }
    }
}

pub async fn answer(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NewAnswer>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match listening::answer(&state.ctx, &me.0.user, id, &form).await {
        Ok(_) => Ok(Redirect::to("/listening?done=answered#exchange").into_response()),
        Err(tend_domain::Error::NotFound) => Err(PageError::not_found()),
        Err(e) => {
            let kept = Kept {
                clarification: form.clarification,
                answer_errors: FormErrors::from_error(e)?,
                ..Kept::default()
            };
            listen_page(&state, &me, &csrf, None, kept).await
        }
    }
}

pub async fn set_aside(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    listening::set_aside(&state.ctx, &me.0.user, parse_id(&id)?).await?;
    Ok(Redirect::to("/listening#exchange").into_response())
}
