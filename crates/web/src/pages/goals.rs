//! Each other's goals: your own goals and your partner's side by side, cheered on with words,
//! a promised question or an offer of help; progress notes the partner reacts to; and a
//! celebration for both when one is done. A private goal is its owner's alone.

use super::{FormErrors, Layout, parse_id};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use tend_domain::Error;
use tend_domain::couple::Us;
use tend_domain::goals::{self, CheerForm, CheerKind, Goal, GoalDetail, GoalForm, ProgressReaction};
use tend_domain::ids::{CheerId, GoalId, ProgressId};

/// Confirmations after a redirect on these pages, by a fixed key (no text from the URL is
/// ever shown); any other key is one of the site's own.
fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "goal-added" => "Your goal is shared. Your partner can see it and cheer you on now.",
        "goal-added-private" => "Your goal is saved, just for you.",
        "goal-saved" => "Your changes are saved.",
        "goal-done" => "Marked done. Your partner sees it on their Goals page too.",
        "goal-done-private" => "Marked done, just for you.",
        "goal-deleted" => "That goal is deleted, with its cheers and progress notes.",
        "cheered" => "Sent. Your partner sees your cheer now.",
        "asked" => "Noted. Tend will remind you on Today, on the day you picked.",
        "offered" => "Your offer is with your partner now.",
        "accepted" => "Accepted. Your partner sees that you’d love their help.",
        "progress-posted" => "Posted. Your partner can see how it’s going.",
        "progress-posted-private" => "Posted, just for you.",
        "reacted" => "Sent. Your partner sees your reaction.",
        "reaction-removed" => "Your reaction is taken back.",
        other => return super::notice(Some(other)),
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// A calendar day with its year, as a due date reads: "2 December 2026".
fn long_day(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

/// A moment in the viewer's zone, short: "2 December 2026, 21:15".
fn moment(at: Timestamp, us: &Us) -> String {
    at.to_zoned(us.me.time_zone.zone()).strftime("%-d %B %Y, %H:%M").to_string()
}

/// One goal on the Goals page.
pub struct GoalCard {
    pub id: GoalId,
    pub title: String,
    pub next_step: String,
    pub due: Option<String>,
    pub private: bool,
    pub mine: bool,
    /// "Yours" or "Sam’s", for the Done list.
    pub whose: String,
    /// "2 cheers · 1 progress note".
    pub counts: String,
    /// Offers of help the owner has not answered yet (shown to the owner only).
    pub offers_waiting: usize,
    pub done_on: Option<String>,
    /// Done in the last few days: celebrated at the top of the Done list.
    pub just_done: bool,
}

impl GoalCard {
    fn of(detail: &GoalDetail, us: &Us, recent: &[GoalId]) -> Self {
        let goal = &detail.goal;
        let mine = goals::is_mine(us, goal);
        let offers_waiting = if mine {
            detail.cheers.iter().filter(|c| c.kind == CheerKind::Help && c.accepted_at.is_none()).count()
        } else {
            0
        };
        Self {
            id: goal.id,
            title: goal.title.clone(),
            next_step: goal.next_step.clone(),
            due: goal.due.map(long_day),
            private: goal.private,
            mine,
            whose: if mine { "Yours".to_owned() } else { format!("{}’s", us.partner.display_name) },
            counts: format!(
                "{} · {}",
                plural(detail.cheers.len(), "cheer", "cheers"),
                plural(detail.progress.len(), "progress note", "progress notes")
            ),
            offers_waiting,
            done_on: goal.done_at.map(|at| long_day(at.to_zoned(us.me.time_zone.zone()).date())),
            just_done: recent.contains(&goal.id),
        }
    }
}

/// An ask the viewer promised for today.
pub struct AskLine {
    pub id: GoalId,
    pub title: String,
    pub words: String,
}

#[derive(Template)]
#[template(path = "goals/list.html")]
pub struct GoalsPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub asks: Vec<AskLine>,
    pub mine: Vec<GoalCard>,
    pub theirs: Vec<GoalCard>,
    pub done: Vec<GoalCard>,
}

fn paired(me: &SignedIn) -> Option<Response> {
    me.0.user.couple_id.is_none().then(|| Redirect::to("/pair").into_response())
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(&me) {
        return Ok(r);
    }
    let (us, details) = goals::overview(&state.ctx, &me.0.user).await?;
    let plain: Vec<Goal> = details.iter().map(|d| d.goal.clone()).collect();
    let recent: Vec<GoalId> = goals::to_celebrate(&plain, state.ctx.now()).iter().map(|g| g.id).collect();
    let asks = goals::asks_today(&state.ctx, &us)
        .await?
        .into_iter()
        .map(|a| AskLine { id: a.goal.id, title: a.goal.title, words: a.cheer.words })
        .collect();
    let (mut done, open): (Vec<&GoalDetail>, Vec<&GoalDetail>) = details.iter().partition(|d| d.goal.done_at.is_some());
    done.sort_by_key(|d| std::cmp::Reverse(d.goal.done_at));
    let card = |d: &&GoalDetail| GoalCard::of(d, &us, &recent);
    let page = GoalsPage {
        layout: Layout::new(Some(&me.0), &csrf, "practices"),
        partner: us.partner.display_name.clone(),
        notice: notice(q.done.as_deref()),
        asks,
        mine: open.iter().filter(|d| goals::is_mine(&us, &d.goal)).map(card).collect(),
        theirs: open.iter().filter(|d| !goals::is_mine(&us, &d.goal)).map(card).collect(),
        done: done.iter().map(card).collect(),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "goals/form.html")]
pub struct GoalFormPage {
    pub layout: Layout,
    pub partner: String,
    /// The goal being changed; `None` for a new one.
    pub editing: Option<GoalId>,
    pub form: GoalForm,
    pub private: bool,
    pub today: String,
    pub errors: FormErrors,
}

impl GoalFormPage {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/goals/{id}"),
            None => "/goals".to_owned(),
        }
    }
}

fn form_page(
    me: &SignedIn,
    csrf: &CsrfToken,
    us: &Us,
    editing: Option<GoalId>,
    form: GoalForm,
    errors: FormErrors,
    now: Timestamp,
) -> Response {
    let private = matches!(form.private.trim(), "on" | "true" | "1" | "yes");
    let status = if errors.any() { errors.status } else { StatusCode::OK };
    let page = GoalFormPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        editing,
        form,
        private,
        today: us.me.time_zone.today(now).to_string(),
        errors,
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    response
}

pub async fn new_form(State(state): State<AppState>, me: SignedIn, csrf: CsrfToken) -> Result<Response, PageError> {
    if let Some(r) = paired(&me) {
        return Ok(r);
    }
    let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
    Ok(form_page(&me, &csrf, &us, None, GoalForm::default(), FormErrors::default(), state.ctx.now()))
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response, PageError> {
    match goals::create(&state.ctx, &me.0.user, &form).await {
        Ok((_, detail)) => {
            let done = if detail.goal.private { "goal-added-private" } else { "goal-added" };
            Ok(Redirect::to(&format!("/goals/{}?done={done}", detail.goal.id)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
            Ok(form_page(&me, &csrf, &us, None, form, errors, state.ctx.now()))
        }
    }
}

/// Only the owner changes a goal, and only while it is open.
fn may_change(us: &Us, goal: &Goal) -> Result<(), Error> {
    if !goals::is_mine(us, goal) {
        return Err(Error::rejected("Only the one whose goal it is can change it."));
    }
    if goal.done_at.is_some() {
        return Err(Error::rejected("This goal is done, so it stays as it was."));
    }
    Ok(())
}

pub async fn edit_form(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(&me) {
        return Ok(r);
    }
    let id: GoalId = parse_id(&id)?;
    let (us, detail) = goals::detail(&state.ctx, &me.0.user, id).await?;
    may_change(&us, &detail.goal)?;
    let g = &detail.goal;
    let form = GoalForm {
        title: g.title.clone(),
        why: g.why.clone(),
        next_step: g.next_step.clone(),
        due: g.due.map(|d| d.to_string()).unwrap_or_default(),
        private: if g.private { "on".to_owned() } else { String::new() },
    };
    Ok(form_page(&me, &csrf, &us, Some(id), form, FormErrors::default(), state.ctx.now()))
}

pub async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    match goals::update(&state.ctx, &me.0.user, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?done=goal-saved")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
            Ok(form_page(&me, &csrf, &us, Some(id), form, errors, state.ctx.now()))
        }
    }
}

/// One thing that happened around a goal, oldest first: a cheer or a progress note.
pub struct Moment {
    /// "cheer" or "progress".
    pub kind: &'static str,
    pub id: i64,
    pub at: Timestamp,
    pub when: String,
    /// "You", or the partner's name.
    pub who: String,
    pub from_me: bool,
    /// For a cheer: message, ask or help.
    pub cheer: &'static str,
    /// A cheer's words, or a progress note.
    pub words: String,
    pub ask_on: Option<String>,
    pub accepted: Option<String>,
    /// The owner may accept this offer of help.
    pub can_accept: bool,
    /// A progress note's reaction: (emoji, label).
    pub reaction: Option<(&'static str, &'static str)>,
    /// The reaction's value, or empty: which button shows as pressed.
    pub reacted: &'static str,
    /// The partner may react to this progress note.
    pub can_react: bool,
}

/// A reaction button.
pub struct ReactionChoice {
    pub value: &'static str,
    pub emoji: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "goals/show.html")]
pub struct GoalPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub id: GoalId,
    pub title: String,
    pub why: String,
    pub next_step: String,
    pub due: Option<String>,
    pub private: bool,
    pub mine: bool,
    /// "Your goal" or "Sam’s goal".
    pub whose: String,
    pub started: String,
    pub done_on: Option<String>,
    pub moments: Vec<Moment>,
    pub offers_waiting: usize,
    pub reactions: Vec<ReactionChoice>,
    /// A refused action (a forged form, a goal done meanwhile), said at the top.
    pub problem: Option<String>,
    pub cheer: CheerForm,
    /// Which cheer form is open: message, ask or help.
    pub cheer_open: &'static str,
    pub cheer_errors: FormErrors,
    pub note: String,
    pub progress_errors: FormErrors,
    pub today: String,
    pub last_day: String,
}

/// What a re-shown goal page keeps from a form that failed.
#[derive(Default)]
struct Typed {
    problem: Option<(StatusCode, String)>,
    cheer: Option<(CheerForm, FormErrors)>,
    progress: Option<(String, FormErrors)>,
}

async fn goal_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: GoalId,
    notice: Option<&'static str>,
    typed: Typed,
) -> Result<Response, PageError> {
    let (us, detail) = goals::detail(&state.ctx, &me.0.user, id).await?;
    let goal = &detail.goal;
    let mine = goals::is_mine(&us, goal);
    let open = goal.done_at.is_none();
    let partner = us.partner.display_name.clone();
    let name_of = |author| if author == us.me.id { "You".to_owned() } else { partner.clone() };
    let mut moments: Vec<Moment> = detail
        .cheers
        .iter()
        .map(|c| Moment {
            kind: "cheer",
            id: c.id.0,
            at: c.at,
            when: moment(c.at, &us),
            who: name_of(c.author),
            from_me: c.author == us.me.id,
            cheer: c.kind.as_str(),
            words: c.words.clone(),
            ask_on: c.ask_on.map(super::day),
            accepted: c.accepted_at.map(|at| moment(at, &us)),
            can_accept: mine && open && c.kind == CheerKind::Help && c.accepted_at.is_none(),
            reaction: None,
            reacted: "",
            can_react: false,
        })
        .chain(detail.progress.iter().map(|p| Moment {
            kind: "progress",
            id: p.id.0,
            at: p.at,
            when: moment(p.at, &us),
            who: name_of(goal.owner),
            from_me: mine,
            cheer: "",
            words: p.note.clone(),
            ask_on: None,
            accepted: None,
            can_accept: false,
            reaction: p.reaction.map(|r| (r.emoji(), r.label())),
            reacted: p.reaction.map_or("", ProgressReaction::as_str),
            can_react: !mine,
        }))
        .collect();
    moments.sort_by_key(|m| m.at);
    let offers_waiting = moments.iter().filter(|m| m.can_accept).count();
    let (cheer, cheer_errors) = typed.cheer.unwrap_or_default();
    let cheer_open = match CheerKind::parse(&cheer.kind) {
        Some(k) if cheer_errors.any() => k.as_str(),
        _ => "message",
    };
    let (note, progress_errors) = typed.progress.unwrap_or_default();
    let today = us.me.time_zone.today(state.ctx.now());
    let status = [&cheer_errors, &progress_errors].iter().find(|e| e.any()).map(|e| e.status);
    let (problem_status, problem) = typed.problem.map_or((None, None), |(s, m)| (Some(s), Some(m)));
    let page = GoalPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        notice,
        id: goal.id,
        title: goal.title.clone(),
        why: goal.why.clone(),
        next_step: goal.next_step.clone(),
        due: goal.due.map(long_day),
        private: goal.private,
        mine,
        whose: if mine { "Your goal".to_owned() } else { format!("{partner}’s goal") },
        started: long_day(goal.created_at.to_zoned(us.me.time_zone.zone()).date()),
        done_on: goal.done_at.map(|at| long_day(at.to_zoned(us.me.time_zone.zone()).date())),
        moments,
        offers_waiting,
        reactions: ProgressReaction::ALL
            .into_iter()
            .map(|r| ReactionChoice { value: r.as_str(), emoji: r.emoji(), label: r.label() })
            .collect(),
        problem,
        cheer,
        cheer_open,
        cheer_errors,
        note,
        progress_errors,
        today: today.to_string(),
        last_day: today.checked_add(jiff::ToSpan::days(366)).unwrap_or(today).to_string(),
        partner,
    };
    let mut response = render(&page);
    if let Some(status) = problem_status.or(status) {
        *response.status_mut() = status;
    }
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(&me) {
        return Ok(r);
    }
    let id: GoalId = parse_id(&id)?;
    goal_page(&state, &me, &csrf, id, notice(q.done.as_deref()), Typed::default()).await
}

/// A one-tap action refused by the rules (not your goal, done already): the goal page again,
/// saying why. Anything else (no such goal) gets its own error page.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: GoalId,
    e: Error,
) -> Result<Response, PageError> {
    match e {
        Error::Rejected(_) | Error::Invalid(_) => {
            let status = crate::error::status_of(&e);
            let message = match e {
                Error::Invalid(fields) => fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" "),
                other => other.to_string(),
            };
            let typed = Typed { problem: Some((status, message)), ..Typed::default() };
            goal_page(state, me, csrf, id, None, typed).await
        }
        other => Err(other.into()),
    }
}

pub async fn finish(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::accounts::Empty>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    match goals::finish(&state.ctx, &me.0.user, id).await {
        Ok((_, detail)) => {
            let done = if detail.goal.private { "goal-done-private" } else { "goal-done" };
            Ok(Redirect::to(&format!("/goals/{id}?done={done}#goal")).into_response())
        }
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<super::accounts::Empty>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    match goals::delete(&state.ctx, &me.0.user, id).await {
        Ok(()) => Ok(Redirect::to("/goals?done=goal-deleted").into_response()),
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}

pub async fn cheer(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CheerForm>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    match goals::cheer(&state.ctx, &me.0.user, id, &form).await {
        Ok(_) => {
            let done = match CheerKind::parse(&form.kind) {
                Some(CheerKind::Ask) => "asked",
                Some(CheerKind::Help) => "offered",
                _ => "cheered",
            };
            Ok(Redirect::to(&format!("/goals/{id}?done={done}#timeline")).into_response())
        }
        Err(Error::Invalid(fields)) => {
            let errors = FormErrors::from_error(Error::Invalid(fields))?;
            let typed = Typed { cheer: Some((form, errors)), ..Typed::default() };
            goal_page(&state, &me, &csrf, id, None, typed).await
        }
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}

pub async fn accept(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path((id, cheer)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::accounts::Empty>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    let cheer: CheerId = parse_id(&cheer)?;
    match goals::accept_help(&state.ctx, &me.0.user, id, cheer).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?done=accepted#cheer-{cheer}")).into_response()),
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    pub note: String,
}

pub async fn progress(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProgressForm>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    match goals::progress(&state.ctx, &me.0.user, id, &form.note).await {
        Ok((_, detail)) => {
            let done = if detail.goal.private { "progress-posted-private" } else { "progress-posted" };
            Ok(Redirect::to(&format!("/goals/{id}?done={done}#timeline")).into_response())
        }
        Err(Error::Invalid(fields)) => {
            let errors = FormErrors::from_error(Error::Invalid(fields))?;
            let typed = Typed { progress: Some((form.note, errors)), ..Typed::default() };
            goal_page(&state, &me, &csrf, id, None, typed).await
        }
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct ReactionForm {
    /// proud, cheer, hug or wow; empty takes the reaction back.
    #[serde(default)]
    pub reaction: String,
}

pub async fn react(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path((id, progress)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ReactionForm>,
) -> Result<Response, PageError> {
    let id: GoalId = parse_id(&id)?;
    let progress: ProgressId = parse_id(&progress)?;
    let reaction = if form.reaction.trim().is_empty() {
        None
    } else {
        match ProgressReaction::parse(&form.reaction) {
            Some(r) => Some(r),
            None => {
                let e = Error::field("reaction", "Choose one of the reactions shown.");
                return refused(&state, &me, &csrf, id, e).await;
            }
        }
    };
    match goals::react(&state.ctx, &me.0.user, id, progress, reaction).await {
        Ok(_) => {
            let done = if reaction.is_some() { "reacted" } else { "reaction-removed" };
            Ok(Redirect::to(&format!("/goals/{id}?done={done}#progress-{progress}")).into_response())
        }
        Err(e) => refused(&state, &me, &csrf, id, e).await,
    }
}
