//! Our rhythm and the tech-free evening: what the Rhythm and Tech-free pages do, for scripts
//! and apps.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tend_domain::couple;
use tend_domain::rhythm::{self, NewSlot, Practice, SlotView};
use tend_domain::tech_free::{self, Seen};
use utoipa::{IntoParams, ToSchema};

/// A practice with a rhythm, as it appears in paths.
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum PracticeName {
    Hug,
    CheckIn,
    Appreciation,
    Conversation,
    TechFreeEvening,
    Listening,
    ShowAndTell,
    StateOfUs,
    IntimacyMap,
}

fn practice_of(raw: &str) -> Result<Practice, ApiError> {
    Practice::parse(raw).ok_or_else(ApiError::not_found)
}

#[derive(Serialize, ToSchema)]
pub struct SlotTimeView {
    /// `monday` … `sunday`; absent for daily practices.
    pub weekday: Option<&'static str>,
    /// 1 to 4: which such weekday of the month (monthly practices).
    pub nth: Option<u8>,
    /// `19:30`, in `zone`.
    pub at: String,
    /// How long it lasts.
    pub minutes: u16,
    /// The zone the time belongs to.
    pub zone: String,
    /// "Thursdays from 19:30".
    pub describe: String,
    /// The same time in your zone, when yours differs: "14:30 your time".
    pub your_time: Option<String>,
    /// The next time it starts.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next: Option<jiff::Timestamp>,
}

fn slot_view(v: &SlotView) -> SlotTimeView {
    SlotTimeView {
        weekday: v.slot.weekday.map(rhythm::weekday_key),
        nth: v.slot.nth,
        at: v.slot.at.strftime("%H:%M").to_string(),
        minutes: v.slot.minutes,
        zone: v.slot.zone.as_str().to_owned(),
        describe: v.describe.clone(),
        your_time: v.your_time.clone(),
        next: v.next,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    pub slot: SlotTimeView,
    /// True when you proposed it (your partner's yes is awaited), false when your partner did.
    pub by_me: bool,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

#[derive(Serialize, ToSchema)]
pub struct PracticePlanView {
    pub id: &'static str,
    pub name: String,
    /// daily, most-days, weekly or monthly.
    pub rhythm: &'static str,
    pub why: String,
    pub sources: Vec<String>,
    /// The time you both agreed, if any.
    pub agreed: Option<SlotTimeView>,
    /// A proposed time waiting for a yes, if any.
    pub proposal: Option<ProposalView>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanView {
    pub practices: Vec<PracticePlanView>,
}

/// Every practice with its suggested rhythm and why, your agreed times and any proposal.
#[utoipa::path(get, path = "/api/v1/rhythm/plan", tag = "rhythm", security(("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn plan(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<PlanView>, ApiError> {
    let items = rhythm::plan(&state.ctx, &me.user).await?;
    Ok(Json(PlanView {
        practices: items
            .iter()
            .map(|p| PracticePlanView {
                id: p.practice.as_str(),
                name: p.info.name.clone(),
                rhythm: p.info.rhythm.as_str(),
                why: p.info.why.clone(),
                sources: p.info.sources.clone(),
                agreed: p.agreed.as_ref().map(slot_view),
                proposal: p.proposal.as_ref().map(|pr| ProposalView {
                    slot: slot_view(&pr.slot),
                    by_me: pr.by_me,
                    at: pr.at,
                }),
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SlotBody {
    /// `monday` … `sunday`: needed for weekly and monthly practices, ignored for daily ones.
    #[serde(default)]
    weekday: Option<String>,
    /// 1 to 4, for monthly practices (default 1).
    #[serde(default)]
    nth: Option<u8>,
    /// `19:30`.
    at: String,
    /// How long it lasts, 10 to 600 minutes (each practice has a default).
    #[serde(default)]
    minutes: Option<u16>,
    /// An IANA zone for the time; yours when absent or empty.
    #[serde(default)]
    zone: Option<String>,
}

/// Proposes a time for a practice, replacing any earlier proposal; it counts once your
/// partner accepts.
#[utoipa::path(post, path = "/api/v1/rhythm/plan/{practice}", tag = "rhythm", security(("bearer" = [])),
    params(("practice" = inline(PracticeName), Path)), request_body = SlotBody,
    responses((status = 201, body = ProposalView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(practice): ApiPath<String>,
    ApiJson(body): ApiJson<SlotBody>,
) -> Result<(StatusCode, Json<ProposalView>), ApiError> {
    let practice = practice_of(&practice)?;
    let form = NewSlot {
        weekday: body.weekday,
        nth: body.nth.map(|n| n.to_string()),
        at: body.at,
        minutes: body.minutes.map(|m| m.to_string()),
        zone: body.zone,
    };
    let p = rhythm::propose(&state.ctx, &me.user, practice, &form).await?;
    Ok((StatusCode::CREATED, Json(ProposalView { slot: slot_view(&p.slot), by_me: true, at: p.at })))
}

#[derive(Deserialize, IntoParams)]
pub struct AcceptQuery {
    /// The `at` of the proposal you say yes to. When given and your partner has changed the
    /// proposal since, nothing is agreed (409) and you can look at the new one.
    #[param(value_type = Option<String>, format = DateTime)]
    seen: Option<jiff::Timestamp>,
}

/// Accepts your partner's proposal: from now on it is your agreed time.
#[utoipa::path(post, path = "/api/v1/rhythm/plan/{practice}/accept", tag = "rhythm", security(("bearer" = [])),
    params(("practice" = inline(PracticeName), Path), AcceptQuery),
    responses((status = 204, description = "Agreed"), (status = 404, body = Problem), (status = 409, description = "Not paired, or no proposal from your partner waiting", body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(practice): ApiPath<String>,
    ApiQuery(q): ApiQuery<AcceptQuery>,
) -> Result<StatusCode, ApiError> {
    rhythm::accept(&state.ctx, &me.user, practice_of(&practice)?, q.seen).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws your proposal, or declines your partner's. Nothing changes when there is none.
#[utoipa::path(delete, path = "/api/v1/rhythm/plan/{practice}/proposal", tag = "rhythm", security(("bearer" = [])),
    params(("practice" = inline(PracticeName), Path)),
    responses((status = 204, description = "No proposal waiting now"), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn drop_proposal(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(practice): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    rhythm::drop_proposal(&state.ctx, &me.user, practice_of(&practice)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "We did it", for the photo show-and-tell (other practices count by themselves).
#[utoipa::path(post, path = "/api/v1/rhythm/plan/{practice}/done", tag = "rhythm", security(("bearer" = [])),
    params(("practice" = inline(PracticeName), Path)),
    responses((status = 204, description = "Counted"), (status = 404, body = Problem), (status = 409, description = "Not paired, or a practice that counts by itself", body = Problem)))]
pub async fn done(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(practice): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    rhythm::mark_done(&state.ctx, &me.user, practice_of(&practice)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct WeekItemView {
    pub id: &'static str,
    pub name: &'static str,
    pub rhythm: &'static str,
    /// Monday to Sunday for daily and most-days practices: both, me, partner, not-yet or ahead.
    pub days: Vec<&'static str>,
    /// For weekly and monthly practices: done, planned or not-yet.
    pub status: &'static str,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub planned: Option<jiff::Timestamp>,
}

#[derive(Serialize, ToSchema)]
pub struct WeekView {
    pub items: Vec<WeekItemView>,
}

/// This week from Monday in your zone (this month for monthly practices): done, planned and
/// not yet. No streaks.
#[utoipa::path(get, path = "/api/v1/rhythm/week", tag = "rhythm", security(("bearer" = [])),
    responses((status = 200, body = WeekView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn week(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<WeekView>, ApiError> {
    let items = rhythm::week(&state.ctx, &me.user).await?;
    Ok(Json(WeekView {
        items: items
            .iter()
            .map(|w| WeekItemView {
                id: w.practice.as_str(),
                name: w.name,
                rhythm: w.cadence.as_str(),
                days: w.days.iter().map(|d| d.as_str()).collect(),
                status: w.status(),
                done_at: w.done_at,
                planned: w.planned,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct EveningView {
    pub id: i64,
    /// waiting (for the partner to join), together, or over.
    pub stage: &'static str,
    pub started_by_me: bool,
    /// Your partner started it and you can join.
    pub can_join: bool,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub ends_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub joined_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<jiff::Timestamp>,
    /// The shared "what we did" line.
    pub note: Option<String>,
}

fn evening_view(s: &Seen) -> EveningView {
    let e = &s.evening;
    EveningView {
        id: e.id.0,
        stage: s.stage.as_str(),
        started_by_me: s.started_by_me,
        can_join: s.can_join,
        started_at: e.started_at,
        ends_at: e.ends_at,
        joined_at: e.joined_at,
        ended_at: e.ended_at,
        note: e.note.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct IdeaView {
    pub id: String,
    pub title: String,
    pub text: String,
    /// home or out.
    pub setting: &'static str,
    /// free, low or some.
    pub cost: &'static str,
    /// calm, some or lively.
    pub energy: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct TechFreeView {
    /// The evening that is on now, if any.
    pub current: Option<EveningView>,
    /// Evenings of the past four weeks, newest first.
    pub recent: Vec<EveningView>,
    /// Ideas for undistracted time.
    pub ideas: Vec<IdeaView>,
}

/// The evening that is on, recent ones, and ideas.
#[utoipa::path(get, path = "/api/v1/tech-free", tag = "rhythm", security(("bearer" = [])),
    responses((status = 200, body = TechFreeView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn overview(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<TechFreeView>, ApiError> {
    let us = couple::us(&state.ctx, &me.user).await?;
    let now = state.ctx.now();
    let current = tech_free::current(&state.ctx, &me.user).await?;
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * 28)).unwrap_or(now);
    let recent = tech_free::since(&state.ctx, &us, since).await?;
    Ok(Json(TechFreeView {
        current: current.as_ref().map(evening_view),
        recent: recent.iter().map(evening_view).collect(),
        ideas: tech_free::ideas()
            .iter()
            .map(|i| IdeaView {
                id: i.id.clone(),
                title: i.title.clone(),
                text: i.text.clone(),
                setting: i.setting.as_str(),
                cost: i.cost.as_str(),
                energy: i.energy.as_str(),
            })
            .collect(),
    }))
}

/// "Phones away": starts a tech-free evening (as long as your agreed slot says, three hours
/// without one); your partner is asked to join. When one is already on, you join it.
#[utoipa::path(post, path = "/api/v1/tech-free", tag = "rhythm", security(("bearer" = [])),
    responses((status = 201, body = EveningView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn start(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<(StatusCode, Json<EveningView>), ApiError> {
    let seen = tech_free::start(&state.ctx, &me.user).await?;
    Ok((StatusCode::CREATED, Json(evening_view(&seen))))
}

/// One evening.
#[utoipa::path(get, path = "/api/v1/tech-free/{id}", tag = "rhythm", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = EveningView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EveningView>, ApiError> {
    Ok(Json(evening_view(&tech_free::get(&state.ctx, &me.user, parse_id(&id)?).await?)))
}

/// Joins the evening your partner started.
#[utoipa::path(post, path = "/api/v1/tech-free/{id}/join", tag = "rhythm", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = EveningView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn join(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EveningView>, ApiError> {
    Ok(Json(evening_view(&tech_free::join(&state.ctx, &me.user, parse_id(&id)?).await?)))
}

/// "We're back": ends the evening for both of you.
#[utoipa::path(post, path = "/api/v1/tech-free/{id}/end", tag = "rhythm", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = EveningView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn end(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EveningView>, ApiError> {
    Ok(Json(evening_view(&tech_free::end(&state.ctx, &me.user, parse_id(&id)?).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct EveningNoteBody {
    /// One line about what you did, shared with your partner.
    note: String,
}

/// Saves the shared "what we did" line once the evening is over; the latest word counts.
#[utoipa::path(put, path = "/api/v1/tech-free/{id}/note", tag = "rhythm", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = EveningNoteBody,
    responses((status = 200, body = EveningView), (status = 404, body = Problem), (status = 409, description = "Not paired, or the evening is still on", body = Problem)))]
pub async fn note(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<EveningNoteBody>,
) -> Result<Json<EveningView>, ApiError> {
    Ok(Json(evening_view(&tech_free::note(&state.ctx, &me.user, parse_id(&id)?, &body.note).await?)))
}
