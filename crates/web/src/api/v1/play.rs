//! Play and new things together: the idea deck and the couple's own ideas, private marks,
//! matches, plans and "how was it?". The same use cases as the pages, so the privacy rule
//! holds here too: your marks are yours alone, and only matches (ideas you both said yes or
//! maybe to) are shared.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tend_domain::Error;
use tend_domain::ids::{OwnIdeaId, PlanId, UserId};
use tend_domain::photo::PhotoId;
use tend_domain::play::{
    self, Afterwards, AfterwardsForm, Filter, Idea, IdeaView, Mark, MyMark, OwnIdeaForm, PlanForm, PlanView,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    vec![
        routes!(ideas, add_idea),
        routes!(share_idea),
        routes!(marks),
        routes!(set_mark, clear_mark),
        routes!(matches),
        routes!(plans, propose),
        routes!(plan),
        routes!(accept),
        routes!(cancel),
        routes!(afterwards),
    ]
}

/// An idea: one of Tend's deck, or one of your couple's own.
#[derive(Serialize, ToSchema)]
pub struct PlayIdea {
    /// A deck idea's id, or `own-12` for one of your couple's own ideas.
    pub id: String,
    pub title: String,
    pub detail: String,
    /// home or out.
    pub place: String,
    /// free, low or higher.
    pub cost: String,
    /// short (under 30 minutes), evening or day.
    pub length: String,
    /// calm or lively.
    pub energy: String,
    /// The seasons it suits best; empty: any time of year.
    pub seasons: Vec<String>,
    /// New to most couples.
    pub new: bool,
    /// One of your couple's own ideas.
    pub own: bool,
    /// You added it.
    pub added_by_me: bool,
    /// Your own idea that you suggested to your partner (your partner's own ideas reach you
    /// only once suggested).
    pub shared: bool,
}

impl PlayIdea {
    fn of(idea: &Idea, me: UserId) -> Self {
        Self {
            id: idea.id.clone(),
            title: idea.title.clone(),
            detail: idea.detail.clone(),
            place: idea.place.as_str().into(),
            cost: idea.cost.as_str().into(),
            length: idea.length.as_str().into(),
            energy: idea.energy.as_str().into(),
            seasons: idea.seasons.iter().map(|s| s.as_str().to_owned()).collect(),
            new: idea.new,
            own: idea.added_by.is_some(),
            added_by_me: idea.added_by == Some(me),
            shared: idea.shared,
        }
    }
}

/// An idea with your own mark on it. Your partner's mark is never here: an idea either is a
/// match (you both said yes or maybe) or it is not.
#[derive(Serialize, ToSchema)]
pub struct PlayIdeaView {
    /// A deck idea's id, or `own-12` for one of your couple's own ideas.
    pub id: String,
    pub title: String,
    pub detail: String,
    /// home or out.
    pub place: String,
    /// free, low or higher.
    pub cost: String,
    /// short (under 30 minutes), evening or day.
    pub length: String,
    /// calm or lively.
    pub energy: String,
    /// The seasons it suits best; empty: any time of year.
    pub seasons: Vec<String>,
    /// New to most couples.
    pub new: bool,
    /// One of your couple's own ideas.
    pub own: bool,
    /// You added it.
    pub added_by_me: bool,
    /// Your own idea that you suggested to your partner.
    pub shared: bool,
    /// Your own mark: yes, maybe or not-for-me; null when you have not marked it.
    pub my_mark: Option<String>,
    /// You both said yes or maybe.
    pub matched: bool,
}

impl PlayIdeaView {
    fn of(v: &IdeaView, me: UserId) -> Self {
        let i = PlayIdea::of(&v.idea, me);
        Self {
            id: i.id,
            title: i.title,
            detail: i.detail,
            place: i.place,
            cost: i.cost,
            length: i.length,
            energy: i.energy,
            seasons: i.seasons,
            new: i.new,
            own: i.own,
            added_by_me: i.added_by_me,
            shared: i.shared,
            my_mark: v.my_mark.map(|m| m.as_str().to_owned()),
            matched: v.matched,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlayIdeasQuery {
    /// Only ideas for this place: home or out.
    #[serde(default)]
    pub place: Option<String>,
    /// free, low or higher.
    #[serde(default)]
    pub cost: Option<String>,
    /// short, evening or day.
    #[serde(default)]
    pub length: Option<String>,
    /// calm or lively.
    #[serde(default)]
    pub energy: Option<String>,
    /// Only ideas that suit this season (ideas for any season included).
    #[serde(default)]
    pub season: Option<String>,
    /// Only ideas new to most couples.
    #[serde(default)]
    pub new: Option<bool>,
    /// Only ideas you have not marked yet.
    #[serde(default)]
    pub unmarked: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct PlayIdeasDoc {
    /// Your couple's own ideas you may see (yours, and your partner's once suggested), then
    /// Tend's deck, each with your own mark.
    pub ideas: Vec<PlayIdeaView>,
}

/// The ideas you may see, each with your own mark and whether it is a match, filtered.
#[utoipa::path(get, path = "/api/v1/play/ideas", tag = "play", security(("bearer" = [])), params(PlayIdeasQuery),
    responses((status = 200, body = PlayIdeasDoc), (status = 409, description = "Not paired", body = Problem)))]
pub async fn ideas(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<PlayIdeasQuery>,
) -> Result<Json<PlayIdeasDoc>, ApiError> {
    let mut fields: HashMap<String, String> =
        [("place", q.place), ("cost", q.cost), ("length", q.length), ("energy", q.energy), ("season", q.season)]
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect();
    for (name, on) in [("new", q.new), ("unmarked", q.unmarked)] {
        if on == Some(true) {
            fields.insert(name.into(), "true".into());
        }
    }
    let filter = Filter::parse(&fields).map_err(|e| match e {
        Error::Invalid(errors) => {
            let detail = errors.iter().map(|f| format!("`{}`: {}", f.field, f.message)).collect::<Vec<_>>().join(" ");
            ApiError::new(StatusCode::BAD_REQUEST, "bad-query", detail)
        }
        other => other.into(),
    })?;
    let (us, views) = play::ideas(&state.ctx, &me.user, &filter).await?;
    Ok(Json(PlayIdeasDoc { ideas: views.iter().map(|v| PlayIdeaView::of(v, us.me.id)).collect() }))
}

/// An idea of your own. Tags left out take the first of their kind's usual defaults: at home,
/// free, an evening, calm.
#[derive(Deserialize, ToSchema)]
pub struct PlayOwnIdeaBody {
    /// The idea in a few words.
    pub title: String,
    #[serde(default)]
    pub detail: String,
    /// home or out (default home).
    #[serde(default)]
    pub place: Option<String>,
    /// free, low or higher (default free).
    #[serde(default)]
    pub cost: Option<String>,
    /// short, evening or day (default evening).
    #[serde(default)]
    pub length: Option<String>,
    /// calm or lively (default calm).
    #[serde(default)]
    pub energy: Option<String>,
}

/// Adds an idea of your own. It is yours alone until you suggest it to your partner.
#[utoipa::path(post, path = "/api/v1/play/ideas", tag = "play", security(("bearer" = [])), request_body = PlayOwnIdeaBody,
    responses((status = 201, body = PlayIdea), (status = 409, description = "Not paired", body = Problem)))]
pub async fn add_idea(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<PlayOwnIdeaBody>,
) -> Result<(StatusCode, Json<PlayIdea>), ApiError> {
    let form = OwnIdeaForm {
        title: body.title,
        detail: body.detail,
        place: body.place.unwrap_or_default(),
        cost: body.cost.unwrap_or_default(),
        length: body.length.unwrap_or_default(),
        energy: body.energy.unwrap_or_default(),
    };
    let idea = play::add_own_idea(&state.ctx, &me.user, &form).await?;
    Ok((StatusCode::CREATED, Json(PlayIdea::of(&idea, me.user.id))))
}

/// Suggests one of your own ideas to your partner, with your "yes" on it: their yes or maybe
/// makes it a match. Suggesting it again changes nothing.
#[utoipa::path(post, path = "/api/v1/play/own-ideas/{id}/share", tag = "play", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The number of your own idea (`own-12` is 12)")),
    responses((status = 200, body = PlayIdea), (status = 404, description = "No idea of yours", body = Problem),
        (status = 409, description = "Not paired", body = Problem)))]
pub async fn share_idea(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PlayIdea>, ApiError> {
    let id: OwnIdeaId = parse_id(&id)?;
    let idea = play::share_own_idea(&state.ctx, &me.user, id).await?;
    Ok(Json(PlayIdea::of(&idea, me.user.id)))
}

/// One of your own marks.
#[derive(Serialize, ToSchema)]
pub struct PlayMarkView {
    pub idea: String,
    /// yes, maybe or not-for-me.
    pub mark: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

impl From<&MyMark> for PlayMarkView {
    fn from(m: &MyMark) -> Self {
        Self { idea: m.idea.clone(), mark: m.mark.as_str().into(), at: m.at }
    }
}

/// Your own marks, newest first. Only ever yours: your partner's marks are never shown.
#[utoipa::path(get, path = "/api/v1/play/marks", tag = "play", security(("bearer" = [])),
    responses((status = 200, body = Vec<PlayMarkView>), (status = 409, description = "Not paired", body = Problem)))]
pub async fn marks(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<PlayMarkView>>, ApiError> {
    let marks = play::marks_of(&state.ctx, &me.user).await?;
    Ok(Json(marks.iter().map(PlayMarkView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PlayMarkBody {
    /// yes, maybe or not-for-me.
    pub mark: String,
}

/// What a mark did.
#[derive(Serialize, ToSchema)]
pub struct PlayMarkResult {
    pub idea: String,
    /// Your mark now: yes, maybe or not-for-me; null once cleared.
    pub mark: Option<String>,
    /// The idea is a match now: you both said yes or maybe.
    pub matched: bool,
    /// This mark made it a match.
    pub new_match: bool,
}

fn mark_result(idea: String, mark: Option<Mark>, change: tend_domain::store::play::MarkChange) -> PlayMarkResult {
    PlayMarkResult {
        idea,
        mark: mark.map(|m| m.as_str().to_owned()),
        matched: change.is_match,
        new_match: change.is_match && !change.was_match,
    }
}

/// Marks an idea yes, maybe or not-for-me, privately; marking again replaces your mark. Your
/// partner learns nothing of it unless it makes (or unmakes) a match.
#[utoipa::path(put, path = "/api/v1/play/marks/{idea}", tag = "play", security(("bearer" = [])),
    params(("idea" = String, Path, description = "The idea's id")), request_body = PlayMarkBody,
    responses((status = 200, body = PlayMarkResult), (status = 404, description = "No such idea, or not one you may see", body = Problem),
        (status = 409, description = "Not paired", body = Problem)))]
pub async fn set_mark(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(idea): ApiPath<String>,
    ApiJson(body): ApiJson<PlayMarkBody>,
) -> Result<Json<PlayMarkResult>, ApiError> {
    let mark = Mark::parse(&body.mark).ok_or_else(|| Error::field("mark", "Choose one of: yes, maybe, not-for-me."))?;
    let (_, change) = play::mark(&state.ctx, &me.user, &idea, Some(mark)).await?;
    Ok(Json(mark_result(idea, Some(mark), change)))
}

/// Clears your mark on an idea. Nothing changes when there is none.
#[utoipa::path(delete, path = "/api/v1/play/marks/{idea}", tag = "play", security(("bearer" = [])),
    params(("idea" = String, Path, description = "The idea's id")),
    responses((status = 200, body = PlayMarkResult), (status = 404, description = "No such idea, or not one you may see", body = Problem),
        (status = 409, description = "Not paired", body = Problem)))]
pub async fn clear_mark(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(idea): ApiPath<String>,
) -> Result<Json<PlayMarkResult>, ApiError> {
    let (_, change) = play::mark(&state.ctx, &me.user, &idea, None).await?;
    Ok(Json(mark_result(idea, None, change)))
}

/// An idea you both said yes or maybe to.
#[derive(Serialize, ToSchema)]
pub struct PlayMatchView {
    pub idea: PlayIdea,
    /// Since when it is a match.
    #[schema(value_type = String, format = DateTime)]
    pub since: jiff::Timestamp,
}

/// Your couple's matches, newest first: ideas you both said yes or maybe to (which of the two,
/// is not said).
#[utoipa::path(get, path = "/api/v1/play/matches", tag = "play", security(("bearer" = [])),
    responses((status = 200, body = Vec<PlayMatchView>), (status = 409, description = "Not paired", body = Problem)))]
pub async fn matches(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<PlayMatchView>>, ApiError> {
    let (us, matches) = play::matches(&state.ctx, &me.user).await?;
    Ok(Json(
        matches.iter().map(|(idea, m)| PlayMatchView { idea: PlayIdea::of(idea, us.me.id), since: m.since }).collect(),
    ))
}

/// One partner's "how was it?".
#[derive(Serialize, ToSchema)]
pub struct PlayAfterwardsView {
    /// loved, fun, cosy, okay or not-for-us.
    pub feeling: String,
    pub note: String,
    /// A photo kept in Our memories (`GET /api/v1/photos/{id}`).
    pub photo: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

impl From<&Afterwards> for PlayAfterwardsView {
    fn from(a: &Afterwards) -> Self {
        Self {
            feeling: a.feeling.as_str().into(),
            note: a.note.clone(),
            photo: a.photo.as_ref().map(|p| p.as_str().to_owned()),
            at: a.at,
        }
    }
}

/// A plan to do a match together.
#[derive(Serialize, ToSchema)]
pub struct PlayPlanView {
    pub id: i64,
    pub idea: PlayIdea,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    /// The time in your own zone, as people say it: "Saturday 12 December, 19:30".
    pub when: String,
    /// proposed (waiting for the other's yes), upcoming, happened (its time has come: say how
    /// it was), lapsed (never accepted before its time) or cancelled.
    pub stage: String,
    pub proposed_by_me: bool,
    /// It waits for your yes.
    pub awaits_me: bool,
    /// Your "how was it?".
    pub mine: Option<PlayAfterwardsView>,
    /// Your partner's.
    pub partner: Option<PlayAfterwardsView>,
}

impl PlayPlanView {
    fn of(p: &PlanView, me: UserId) -> Self {
        Self {
            id: p.id.0,
            idea: PlayIdea::of(&p.idea, me),
            at: p.at,
            when: p.when.clone(),
            stage: p.stage.as_str().into(),
            proposed_by_me: p.by_me,
            awaits_me: p.awaits_me(),
            mine: p.mine.as_ref().map(PlayAfterwardsView::from),
            partner: p.theirs.as_ref().map(PlayAfterwardsView::from),
        }
    }
}

/// Every plan of your couple, latest time first.
#[utoipa::path(get, path = "/api/v1/play/plans", tag = "play", security(("bearer" = [])),
    responses((status = 200, body = Vec<PlayPlanView>), (status = 409, description = "Not paired", body = Problem)))]
pub async fn plans(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<PlayPlanView>>, ApiError> {
    let (us, plans) = play::plans(&state.ctx, &me.user).await?;
    Ok(Json(plans.iter().map(|p| PlayPlanView::of(p, us.me.id)).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PlayPlanBody {
    /// The id of a match.
    #[serde(default)]
    pub idea: String,
    /// The day, in your own zone (YYYY-MM-DD).
    #[serde(default)]
    #[schema(format = Date)]
    pub date: String,
    /// The time of day, in your own zone (19:30).
    #[serde(default)]
    pub time: String,
}

/// Suggests a time for a match, still to come and within a year; your partner accepts it.
#[utoipa::path(post, path = "/api/v1/play/plans", tag = "play", security(("bearer" = [])), request_body = PlayPlanBody,
    responses((status = 201, body = PlayPlanView), (status = 404, description = "No such idea, or not one you may see", body = Problem),
        (status = 409, description = "Not a match yet, or not paired", body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<PlayPlanBody>,
) -> Result<(StatusCode, Json<PlayPlanView>), ApiError> {
    let form = PlanForm { idea: body.idea, date: body.date, time: body.time };
    let (us, plan) = play::propose(&state.ctx, &me.user, &form).await?;
    Ok((StatusCode::CREATED, Json(PlayPlanView::of(&plan, us.me.id))))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/play/plans/{id}", tag = "play", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlayPlanView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn plan(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PlayPlanView>, ApiError> {
    let id: PlanId = parse_id(&id)?;
    let (us, plan) = play::plan(&state.ctx, &me.user, id).await?;
    Ok(Json(PlayPlanView::of(&plan, us.me.id)))
}

/// Says yes to the plan your partner proposed, before its time. Saying yes again changes
/// nothing.
#[utoipa::path(post, path = "/api/v1/play/plans/{id}/accept", tag = "play", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlayPlanView), (status = 404, body = Problem),
        (status = 409, description = "Your own proposal, its time has passed, it was called off, or not paired", body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PlayPlanView>, ApiError> {
    let id: PlanId = parse_id(&id)?;
    let (us, plan) = play::accept(&state.ctx, &me.user, id).await?;
    Ok(Json(PlayPlanView::of(&plan, us.me.id)))
}

/// Calls a plan off before its time (or says "not this time" to a proposal). Calling it off
/// again changes nothing.
#[utoipa::path(post, path = "/api/v1/play/plans/{id}/cancel", tag = "play", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlayPlanView), (status = 404, body = Problem),
        (status = 409, description = "Its time has come already, or not paired", body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PlayPlanView>, ApiError> {
    let id: PlanId = parse_id(&id)?;
    let (us, plan) = play::cancel(&state.ctx, &me.user, id).await?;
    Ok(Json(PlayPlanView::of(&plan, us.me.id)))
}

#[derive(Deserialize, ToSchema)]
pub struct PlayAfterwardsBody {
    /// loved, fun, cosy, okay or not-for-us.
    #[serde(default)]
    pub feeling: String,
    #[serde(default)]
    pub note: String,
    /// A photo you kept yourself in Our memories (upload it first with `POST /api/v1/photos`,
    /// kind `memory`). Left out, a photo you gave before stays.
    #[serde(default)]
    pub photo: Option<String>,
}

/// Says how it was, once you both said yes and its time has come; saying it again replaces it.
#[utoipa::path(put, path = "/api/v1/play/plans/{id}/afterwards", tag = "play", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlayAfterwardsBody,
    responses((status = 200, body = PlayPlanView), (status = 404, body = Problem),
        (status = 409, description = "Not accepted, or its time has not come yet, or not paired", body = Problem)))]
pub async fn afterwards(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PlayAfterwardsBody>,
) -> Result<Json<PlayPlanView>, ApiError> {
    let id: PlanId = parse_id(&id)?;
    // Present, it must name a photo, as documented; left out, a photo given before stays.
    let photo = match body.photo.as_deref() {
        Some(raw) => Some(
            PhotoId::parse(raw)
                .ok_or_else(|| Error::field("photo", "Choose a photo you kept yourself in Our memories."))?,
        ),
        None => None,
    };
    let form = AfterwardsForm { feeling: body.feeling, note: body.note };
    let (us, plan) = play::afterwards(&state.ctx, &me.user, id, &form, photo).await?;
    Ok(Json(PlayPlanView::of(&plan, us.me.id)))
}
