//! Each other's goals: your goals and your partner's, cheers, progress notes and reactions.
//! The same use cases as the pages, so a private goal is returned to its owner only; to the
//! partner it is not found, exactly like a goal that does not exist.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tend_domain::Error;
use tend_domain::couple::Us;
use tend_domain::goals::{self, Cheer, CheerForm, CheerKind, GoalDetail, GoalForm, Progress, ProgressReaction};
use tend_domain::ids::{CheerId, GoalId, ProgressId};
use utoipa::ToSchema;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(list_goals, create_goal),
        routes!(show_goal, update_goal, delete_goal),
        routes!(finish_goal),
        routes!(cheer_goal),
        routes!(accept_goal_help),
        routes!(post_goal_progress),
        routes!(react_to_goal_progress, take_back_goal_reaction),
    ]
}

/// A goal as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct GoalView {
    pub id: i64,
    /// True for your own goal, false for your partner's.
    pub mine: bool,
    pub owner_id: i64,
    pub title: String,
    /// Why it matters to its owner.
    pub why: String,
    pub next_step: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    /// Seen by its owner only: a private goal is never returned to the partner.
    pub private: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// When its owner marked it done; a done goal takes no more cheers or progress.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
    pub cheer_count: u32,
    pub progress_count: u32,
    /// Offers of help its owner has not accepted yet.
    pub open_offers: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl GoalView {
    fn of(detail: &GoalDetail, us: &Us) -> Self {
        let g = &detail.goal;
        Self {
            id: g.id.0,
            mine: goals::is_mine(us, g),
            owner_id: g.owner.0,
            title: g.title.clone(),
            why: g.why.clone(),
            next_step: g.next_step.clone(),
            due: g.due,
            private: g.private,
            created_at: g.created_at,
            updated_at: g.updated_at,
            done_at: g.done_at,
            cheer_count: count(detail.cheers.len()),
            progress_count: count(detail.progress.len()),
            open_offers: count(
                detail.cheers.iter().filter(|c| c.kind == CheerKind::Help && c.accepted_at.is_none()).count(),
            ),
        }
    }
}

/// A cheer from the partner of the goal's owner.
#[derive(Serialize, ToSchema)]
pub struct GoalCheerView {
    pub id: i64,
    /// message (encouragement), ask ("I'll ask you about it on …") or help ("I can help by …").
    pub kind: String,
    pub author_id: i64,
    /// True when you sent it.
    pub from_me: bool,
    /// The encouragement, the offer of help, or an ask's optional words.
    pub words: String,
    /// For an ask: the day its author will ask.
    #[schema(value_type = Option<String>, format = Date)]
    pub ask_on: Option<Date>,
    /// For an offer of help: when the owner accepted it.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub accepted_at: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

impl GoalCheerView {
    fn of(c: &Cheer, us: &Us) -> Self {
        Self {
            id: c.id.0,
            kind: c.kind.as_str().into(),
            author_id: c.author.0,
            from_me: c.author == us.me.id,
            words: c.words.clone(),
            ask_on: c.ask_on,
            accepted_at: c.accepted_at,
            at: c.at,
        }
    }
}

/// A progress note by the goal's owner, and the partner's reaction to it.
#[derive(Serialize, ToSchema)]
pub struct GoalProgressView {
    pub id: i64,
    pub note: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The partner's reaction: proud, cheer, hug or wow.
    pub reaction: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reacted_at: Option<Timestamp>,
}

impl From<&Progress> for GoalProgressView {
    fn from(p: &Progress) -> Self {
        Self {
            id: p.id.0,
            note: p.note.clone(),
            at: p.at,
            reaction: p.reaction.map(|r| r.as_str().into()),
            reacted_at: p.reacted_at,
        }
    }
}

/// One goal with its cheers and progress, each oldest first.
#[derive(Serialize, ToSchema)]
pub struct GoalDetailView {
    pub goal: GoalView,
    pub cheers: Vec<GoalCheerView>,
    pub progress: Vec<GoalProgressView>,
}

impl GoalDetailView {
    fn of(detail: &GoalDetail, us: &Us) -> Self {
        Self {
            goal: GoalView::of(detail, us),
            cheers: detail.cheers.iter().map(|c| GoalCheerView::of(c, us)).collect(),
            progress: detail.progress.iter().map(GoalProgressView::from).collect(),
        }
    }
}

fn detail_json((us, detail): (Us, GoalDetail)) -> Json<GoalDetailView> {
    Json(GoalDetailView::of(&detail, &us))
}

/// A date the API takes: absent or null for none, else YYYY-MM-DD exactly (the document's
/// pattern), so that what the document refuses is refused here too.
fn date_field(field: &'static str, value: Option<String>) -> Result<String, ApiError> {
    match value {
        None => Ok(String::new()),
        Some(s) if s.trim() == s && tend_domain::history::parse_date(&s).is_ok() => Ok(s),
        Some(_) => {
            Err(Error::field(field, "Dates look like 2026-03-14, from the year 2000 on; leave it out for none.").into())
        }
    }
}

/// Your goals and your partner's (never their private ones), newest first.
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", security(("bearer" = [])),
    responses((status = 200, body = [GoalView]), (status = 409, description = "Not paired", body = Problem)))]
pub async fn list_goals(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<GoalView>>, ApiError> {
    let (us, details) = goals::overview(&state.ctx, &me.user).await?;
    Ok(Json(details.iter().map(|d| GoalView::of(d, &us)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalBody {
    /// The goal in a few words.
    pub title: String,
    /// Why it matters to you.
    #[serde(default)]
    pub why: String,
    /// The next small step.
    #[serde(default)]
    pub next_step: String,
    /// Optional: the day you'd like to reach it by, today or later.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<String>,
    /// Keep it private: only you will see it, and your partner can't cheer it.
    #[serde(default)]
    pub private: bool,
}

impl GoalBody {
    fn form(self) -> Result<GoalForm, ApiError> {
        Ok(GoalForm {
            due: date_field("due", self.due)?,
            title: self.title,
            why: self.why,
            next_step: self.next_step,
            private: if self.private { "on".into() } else { String::new() },
        })
    }
}

/// Shares a new goal with your partner, or keeps it private.
#[utoipa::path(post, path = "/api/v1/goals", tag = "goals", security(("bearer" = [])), request_body = GoalBody,
    responses(
        (status = 201, body = GoalDetailView),
        (status = 409, description = "Not paired", body = Problem),
        (status = 422, description = "No title, a field too long, or a due date that has passed", body = Problem),
    ))]
pub async fn create_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<GoalBody>,
) -> Result<(StatusCode, Json<GoalDetailView>), ApiError> {
    let form = body.form()?;
    Ok((StatusCode::CREATED, detail_json(goals::create(&state.ctx, &me.user, &form).await?)))
}

/// One goal with its cheers and progress. Your partner's private goals are not found, like
/// goals that do not exist.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired", body = Problem),
    ))]
pub async fn show_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    Ok(detail_json(goals::detail(&state.ctx, &me.user, id).await?))
}

/// Changes your goal (all its fields at once), while it is not done.
#[utoipa::path(put, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])), request_body = GoalBody,
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired, your partner's goal, or a goal done", body = Problem),
        (status = 422, description = "No title, a field too long, or a due date that has passed", body = Problem),
    ))]
pub async fn update_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<GoalBody>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    let form = body.form()?;
    Ok(detail_json(goals::update(&state.ctx, &me.user, id, &form).await?))
}

/// Deletes your goal with its cheers and progress notes.
#[utoipa::path(delete, path = "/api/v1/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired, or your partner's goal", body = Problem),
    ))]
pub async fn delete_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id: GoalId = parse_id(&id)?;
    goals::delete(&state.ctx, &me.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks your goal done: it is celebrated for both of you. Marking it again changes nothing.
#[utoipa::path(post, path = "/api/v1/goals/{id}/done", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired, or your partner's goal", body = Problem),
    ))]
pub async fn finish_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    Ok(detail_json(goals::finish(&state.ctx, &me.user, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalCheerBody {
    /// message (encouragement), ask ("I'll ask you about it on …") or help ("I can help by …").
    pub kind: String,
    /// Needed for a message and for help; optional for an ask.
    #[serde(default)]
    pub words: String,
    /// For an ask: the day you'll ask, from today to a year ahead. Ignored for the others.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub ask_on: Option<String>,
}

/// Cheers your partner's goal on. Not your own goal, and not a goal done.
#[utoipa::path(post, path = "/api/v1/goals/{id}/cheers", tag = "goals", security(("bearer" = [])), request_body = GoalCheerBody,
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 201, body = GoalDetailView),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired, your own goal (cheering is for your partner), or a goal done", body = Problem),
        (status = 422, description = "No words for a message or an offer of help, or an ask without a day still to come", body = Problem),
    ))]
pub async fn cheer_goal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<GoalCheerBody>,
) -> Result<(StatusCode, Json<GoalDetailView>), ApiError> {
    let id: GoalId = parse_id(&id)?;
    if !CheerKind::ALL.iter().any(|k| k.as_str() == body.kind) {
        return Err(Error::field("kind", "Choose a message, an ask or an offer of help.").into());
    }
    let form = CheerForm { ask_on: date_field("ask_on", body.ask_on)?, kind: body.kind, words: body.words };
    Ok((StatusCode::CREATED, detail_json(goals::cheer(&state.ctx, &me.user, id, &form).await?)))
}

/// Accepts your partner's offer of help with your goal. Accepting again changes nothing.
#[utoipa::path(post, path = "/api/v1/goals/{id}/cheers/{cheer}/accept", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "A goal's id"), ("cheer" = i64, Path, description = "An offer of help on it")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see, or no such offer of help on it", body = Problem),
        (status = 409, description = "Not paired, or not your goal", body = Problem),
    ))]
pub async fn accept_goal_help(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath((id, cheer)): ApiPath<(String, String)>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    let cheer: CheerId = parse_id(&cheer)?;
    Ok(detail_json(goals::accept_help(&state.ctx, &me.user, id, cheer).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalProgressBody {
    /// How it's going.
    pub note: String,
}

/// Posts progress on your goal, while it is not done.
#[utoipa::path(post, path = "/api/v1/goals/{id}/progress", tag = "goals", security(("bearer" = [])), request_body = GoalProgressBody,
    params(("id" = i64, Path, description = "A goal's id")),
    responses(
        (status = 201, body = GoalDetailView),
        (status = 404, description = "No such goal you may see", body = Problem),
        (status = 409, description = "Not paired, your partner's goal (cheer it instead), or a goal done", body = Problem),
        (status = 422, description = "No note, or one too long", body = Problem),
    ))]
pub async fn post_goal_progress(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<GoalProgressBody>,
) -> Result<(StatusCode, Json<GoalDetailView>), ApiError> {
    let id: GoalId = parse_id(&id)?;
    Ok((StatusCode::CREATED, detail_json(goals::progress(&state.ctx, &me.user, id, &body.note).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct GoalReactionBody {
    /// proud, cheer, hug or wow.
    pub reaction: String,
}

/// Reacts to a progress note on your partner's goal; reacting again replaces the reaction.
#[utoipa::path(put, path = "/api/v1/goals/{id}/progress/{progress}/reaction", tag = "goals", security(("bearer" = [])), request_body = GoalReactionBody,
    params(("id" = i64, Path, description = "A goal's id"), ("progress" = i64, Path, description = "A progress note on it")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see, or no such note on it", body = Problem),
        (status = 409, description = "Not paired, or your own goal (reactions are for your partner to give)", body = Problem),
        (status = 422, description = "An unknown reaction", body = Problem),
    ))]
pub async fn react_to_goal_progress(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath((id, progress)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<GoalReactionBody>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    let progress: ProgressId = parse_id(&progress)?;
    let reaction = ProgressReaction::ALL
        .into_iter()
        .find(|r| r.as_str() == body.reaction)
        .ok_or_else(|| Error::field("reaction", "Choose proud, cheer, hug or wow."))?;
    Ok(detail_json(goals::react(&state.ctx, &me.user, id, progress, Some(reaction)).await?))
}

/// Takes back your reaction to a progress note on your partner's goal.
#[utoipa::path(delete, path = "/api/v1/goals/{id}/progress/{progress}/reaction", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "A goal's id"), ("progress" = i64, Path, description = "A progress note on it")),
    responses(
        (status = 200, body = GoalDetailView),
        (status = 404, description = "No such goal you may see, or no such note on it", body = Problem),
        (status = 409, description = "Not paired, or your own goal", body = Problem),
    ))]
pub async fn take_back_goal_reaction(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath((id, progress)): ApiPath<(String, String)>,
) -> Result<Json<GoalDetailView>, ApiError> {
    let id: GoalId = parse_id(&id)?;
    let progress: ProgressId = parse_id(&progress)?;
    Ok(detail_json(goals::react(&state.ctx, &me.user, id, progress, None).await?))
}
