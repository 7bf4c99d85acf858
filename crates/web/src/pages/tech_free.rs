//! The tech-free evening: plan and ideas, "Phones away", the calm screen while it runs, and
//! one line about what you did afterwards.

use super::accounts::Empty;
use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::couple;
use tend_domain::rhythm::{self, Practice};
use tend_domain::tech_free::{self, Idea, Seen, Stage};
use tend_domain::time::TimeZoneName;

/// An evening as the page shows it.
pub struct EveningView {
    pub id: i64,
    pub stage: &'static str,
    pub can_join: bool,
    pub started_by_me: bool,
    pub starter: String,
    /// "22:30", in the viewer's zone.
    pub until: String,
    pub remaining_ms: i64,
    pub day: String,
    pub note: Option<String>,
}

impl EveningView {
    pub fn of(seen: &Seen, tz: &TimeZoneName, now: jiff::Timestamp, me: &str) -> Self {
        let e = &seen.evening;
        let remaining = e.ends_at.duration_since(now).as_millis().max(0);
        Self {
            id: e.id.0,
            stage: seen.stage.as_str(),
            can_join: seen.can_join,
            started_by_me: seen.started_by_me,
            starter: if seen.started_by_me { me.to_owned() } else { seen.partner_name.clone() },
            until: e.ends_at.to_zoned(tz.zone()).strftime("%H:%M").to_string(),
            remaining_ms: i64::try_from(remaining).unwrap_or(i64::MAX),
            day: e.started_at.to_zoned(tz.zone()).strftime("%A %-d %B").to_string(),
            note: e.note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "tech_free/show.html")]
pub struct TechFreePage {
    pub layout: Layout,
    pub notice: Option<&'static str>,
    pub partner: String,
    pub agreed: Option<String>,
    pub next: Option<String>,
    /// The last evening, when it is over and within the past week.
    pub last: Option<EveningView>,
    pub note_value: String,
    pub note_errors: FormErrors,
    pub tonight: Vec<&'static Idea>,
    pub ideas: &'static [Idea],
}

/// The calm screen while phones are away: the end time and "We're back", nothing else.
#[derive(Template)]
#[template(path = "tech_free/calm.html")]
pub struct CalmPage {
    pub layout: Layout,
    pub partner: String,
    pub evening: EveningView,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    done: Option<&str>,
    note: Option<(String, FormErrors)>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    if user.couple_id.is_none() {
        return Ok(Redirect::to("/pair").into_response());
    }
    let us = couple::us(&state.ctx, user).await?;
    let now = state.ctx.now();
    let tz = &user.time_zone;
    if let Some(open) = tech_free::current(&state.ctx, user).await? {
        let evening = EveningView::of(&open, tz, now, &us.me.display_name);
        if !open.can_join {
            let page = CalmPage {
                layout: Layout::new(Some(&me.0), csrf, "rhythm"),
                partner: us.partner.display_name.clone(),
                evening,
            };
            return Ok(render(&page));
        }
    }
    let agreed = rhythm::agreed_slot(&state.ctx, &us, Practice::TechFreeEvening).await?;
    let week_ago = now.checked_sub(jiff::SignedDuration::from_hours(24 * 7)).unwrap_or(now);
    let recent = tech_free::since(&state.ctx, &us, week_ago).await?;
    let last = recent.iter().find(|s| s.stage == Stage::Over).map(|s| EveningView::of(s, tz, now, &us.me.display_name));
    let (note_value, note_errors) = note.unwrap_or_default();
    let (status, wait) = FormErrors::page_status(&[&note_errors]);
    let page = TechFreePage {
        layout: Layout::new(Some(&me.0), csrf, "rhythm"),
        notice: notice(done),
        partner: us.partner.display_name.clone(),
        next: agreed
            .as_ref()
            .and_then(|s| s.next_start(now))
            .map(|z| z.timestamp().to_zoned(tz.zone()).strftime("%A %-d %B, %H:%M").to_string()),
        agreed: agreed.map(|s| s.describe()),
        last,
        note_value,
        note_errors,
        tonight: tech_free::ideas_for(tz.today(now), 3),
        ideas: tech_free::ideas(),
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    page(&state, &me, &csrf, q.done.as_deref(), None).await
}

/// "Phones away".
pub async fn start(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    tech_free::start(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/tech-free?done=phones-away").into_response())
}

fn parse_id(raw: &str) -> Result<tend_domain::EveningId, PageError> {
    super::parse_id(raw)
}

pub async fn join(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    tech_free::join(&state.ctx, &me.0.user, parse_id(&id)?).await?;
    Ok(Redirect::to("/tech-free").into_response())
}

/// "We're back".
pub async fn end(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    tech_free::end(&state.ctx, &me.0.user, parse_id(&id)?).await?;
    Ok(Redirect::to("/tech-free?done=back#after").into_response())
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    note: String,
}

pub async fn note(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, PageError> {
    match tech_free::note(&state.ctx, &me.0.user, parse_id(&id)?, &form.note).await {
        Ok(_) => Ok(Redirect::to("/tech-free?done=noted#after").into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&state, &me, &csrf, None, Some((form.note, errors))).await
        }
    }
}
