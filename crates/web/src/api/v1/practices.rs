//! The guided practices: the Stress-Reducing Conversation and reflective listening.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tend_domain::conversation::{self, Phase, Rating, Role, Seen, StartRequest, Started};
use tend_domain::listening::{self, Listening, NewAnswer, NewReflection};
use tend_domain::store::User;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct RatingView {
    /// 1–7.
    pub understood: u8,
    /// 1–7.
    pub cared_for: u8,
}

#[derive(Serialize, ToSchema)]
pub struct CueView {
    pub name: String,
    pub cue: String,
}

/// A conversation as the caller may see it. The partner's rating is never included.
#[derive(Serialize, ToSchema)]
pub struct ConversationView {
    pub id: i64,
    /// waiting, speaking, rating, done, expired or cancelled.
    pub state: String,
    /// 1 or 2 while someone speaks.
    pub turn: Option<u8>,
    /// speaker, listener or both (one shared phone), while someone speaks.
    pub role: Option<String>,
    pub speaker_id: Option<i64>,
    /// Milliseconds until the current phase ends, by the server's clock: count down from
    /// this rather than from your own clock.
    pub remaining_ms: Option<i64>,
    /// When the current phase ends.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub phase_ends_at: Option<jiff::Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub server_time: jiff::Timestamp,
    /// Minutes per speaker as chosen: 10, 15 or 20.
    pub minutes: u8,
    pub shared_phone: bool,
    pub started_by_me: bool,
    pub i_speak_first: bool,
    pub can_join: bool,
    pub can_rate: bool,
    pub my_rating: Option<RatingView>,
    pub minutes_spoken: i64,
    /// For the listener: the guideline to keep in mind now.
    pub cue: Option<CueView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

fn view(seen: &Seen, now: jiff::Timestamp) -> ConversationView {
    let (turn, speaker_id) = match seen.phase {
        Phase::Speaking { turn, speaker, .. } => (Some(turn), Some(speaker.0)),
        _ => (None, None),
    };
    let cue = seen.phase.cue(now).map(|g| CueView { name: g.name.clone(), cue: g.cue.clone() });
    ConversationView {
        id: seen.id.0,
        state: seen.phase.as_str().into(),
        turn,
        role: seen.role.map(|r| r.as_str().into()),
        speaker_id,
        remaining_ms: seen.remaining.map(|d| i64::try_from(d.as_millis()).unwrap_or(0)),
        phase_ends_at: seen.remaining.and_then(|d| now.checked_add(d).ok()),
        server_time: now,
        minutes: seen.minutes,
        shared_phone: seen.shared_phone,
        started_by_me: seen.started_by_me,
        i_speak_first: seen.i_speak_first,
        can_join: seen.can_join(),
        can_rate: seen.can_rate(),
        my_rating: seen.my_rating.map(|r| RatingView { understood: r.understood, cared_for: r.cared_for }),
        minutes_spoken: seen.minutes_spoken,
        cue: if seen.role == Some(Role::Speaker) { None } else { cue },
        created_at: seen.created_at,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct StartBody {
    /// 10, 15 or 20; 15 when left out.
    #[serde(default, deserialize_with = "crate::api::whole_or_none")]
    minutes: Option<i64>,
    /// `me` (the default) or `partner`.
    #[serde(default)]
    first: Option<String>,
    /// Both partners on this one phone.
    #[serde(default)]
    shared_phone: bool,
}

#[derive(Serialize, ToSchema)]
pub struct StartedView {
    /// new, joined_partners (your partner had just started one; you joined it) or already_running.
    pub outcome: String,
    pub conversation: ConversationView,
}

/// Starts a conversation. If your partner has one waiting, you join theirs instead; two starts
/// at the same moment make one conversation.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "practices", security(("bearer" = [])),
    request_body = StartBody,
    responses(
        (status = 201, description = "A new conversation", body = StartedView),
        (status = 200, description = "Your partner's waiting conversation, which you have joined, or the one already running", body = StartedView),
        (status = 409, description = "Not paired", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn start(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<StartBody>,
) -> Result<(StatusCode, Json<StartedView>), ApiError> {
    let minutes = match body.minutes {
        None => conversation::DEFAULT_MINUTES,
        Some(m) => u8::try_from(m).unwrap_or(0),
    };
    let me_first = match body.first.as_deref() {
        None | Some("me") => true,
        Some("partner") => false,
        Some(_) => return Err(tend_domain::Error::field("first", "Choose \"me\" or \"partner\".").into()),
    };
    let req = StartRequest { minutes, me_first, shared_phone: body.shared_phone };
    let (seen, started) = conversation::start(&state.ctx, &me.user, req).await?;
    let outcome = match started {
        Started::New => "new",
        Started::JoinedPartners => "joined_partners",
        Started::AlreadyRunning => "already_running",
    };
    let status = if started == Started::New { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(StartedView { outcome: outcome.into(), conversation: view(&seen, state.ctx.now()) })))
}

#[derive(Serialize, ToSchema)]
pub struct ConversationsView {
    /// Conversations someone joined, of the last 50.
    pub held: u32,
    pub minutes: i64,
    pub recent: Vec<ConversationView>,
}

/// Your conversations: how many, how long, and your own ratings.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "practices", security(("bearer" = [])),
    responses((status = 200, body = ConversationsView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<ConversationsView>, ApiError> {
    let past = conversation::history(&state.ctx, &me.user).await?;
    let now = state.ctx.now();
    Ok(Json(ConversationsView {
        held: past.held,
        minutes: past.minutes,
        recent: past.recent.iter().map(|s| view(s, now)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CurrentView {
    /// The conversation waiting, under way or open for ratings; null when there is none.
    pub conversation: Option<ConversationView>,
}

/// The couple's conversation that is waiting, under way, or open for ratings.
#[utoipa::path(get, path = "/api/v1/conversations/current", tag = "practices", security(("bearer" = [])),
    responses((status = 200, body = CurrentView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn current(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<CurrentView>, ApiError> {
    let seen = conversation::current(&state.ctx, &me.user).await?;
    Ok(Json(CurrentView { conversation: seen.map(|s| view(&s, state.ctx.now())) }))
}

#[derive(Serialize, ToSchema)]
pub struct GuidanceView {
    pub speaker_reminder: String,
    pub listener_guidelines: Vec<CueView>,
}

/// What each screen shows: the speaker's reminder and the listener's eight guidelines.
#[utoipa::path(get, path = "/api/v1/conversations/guidance", tag = "practices",
    responses((status = 200, body = GuidanceView)))]
pub async fn guidance() -> Json<GuidanceView> {
    Json(GuidanceView {
        speaker_reminder: conversation::speaker_reminder().into(),
        listener_guidelines: conversation::guidelines()
            .iter()
            .map(|g| CueView { name: g.name.clone(), cue: g.cue.clone() })
            .collect(),
    })
}

async fn respond(state: &AppState, seen: tend_domain::Result<Seen>) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(view(&seen?, state.ctx.now())))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationView>, ApiError> {
    respond(&state, conversation::get(&state.ctx, &me.user, parse_id(&id)?).await).await
}

/// Joins the conversation your partner started; the first turn begins now.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/join", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 409, description = "Not paired, ended, or your own", body = Problem)))]
pub async fn join(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationView>, ApiError> {
    respond(&state, conversation::join(&state.ctx, &me.user, parse_id(&id)?).await).await
}

/// The speaker feels heard: their turn ends now. Only the speaker can end their turn (either
/// partner on a shared phone).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/heard", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not your turn", body = Problem)))]
pub async fn heard(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationView>, ApiError> {
    respond(&state, conversation::feel_heard(&state.ctx, &me.user, parse_id(&id)?).await).await
}

#[derive(Deserialize, ToSchema)]
pub struct RatingBody {
    /// 1–7.
    #[serde(deserialize_with = "crate::api::whole")]
    understood: i64,
    /// 1–7.
    #[serde(deserialize_with = "crate::api::whole")]
    cared_for: i64,
}

/// Your private rating after both turns; sending it again replaces it.
#[utoipa::path(put, path = "/api/v1/conversations/{id}/rating", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RatingBody,
    responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not open for ratings", body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<RatingBody>,
) -> Result<Json<ConversationView>, ApiError> {
    let id = parse_id(&id)?;
    let rating = Rating::parse(body.understood, body.cared_for)?;
    respond(&state, conversation::rate(&state.ctx, &me.user, id, rating).await).await
}

/// Stops the conversation for both; stopping one that has ended changes nothing.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/cancel", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ConversationView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConversationView>, ApiError> {
    respond(&state, conversation::cancel(&state.ctx, &me.user, parse_id(&id)?).await).await
}

#[derive(Serialize, ToSchema)]
pub struct RoundView {
    pub round: u8,
    /// The first share, or the clarification after "not quite".
    pub share: String,
    pub reflection: Option<String>,
    pub feeling: Option<String>,
    /// got-it or not-quite.
    pub verdict: Option<String>,
}

/// A reflective-listening exchange; both partners see all of it.
#[derive(Serialize, ToSchema)]
pub struct ListeningView {
    pub id: i64,
    pub speaker_id: i64,
    pub listener_id: i64,
    /// reflecting (the listener's move), answering (the speaker's), understood or ended.
    pub stage: String,
    pub my_move: bool,
    pub rounds: Vec<RoundView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

fn listening_view(l: &Listening, me: &User, now: jiff::Timestamp) -> ListeningView {
    ListeningView {
        id: l.id.0,
        speaker_id: l.speaker.0,
        listener_id: l.listener.0,
        stage: l.stage(now).as_str().into(),
        my_move: l.is_move_of(me.id, now),
        rounds: l
            .rounds
            .iter()
            .map(|r| RoundView {
                round: r.round,
                share: r.share.clone(),
                reflection: r.reflection.clone(),
                feeling: r.feeling.clone(),
                verdict: r.verdict.map(|v| v.as_str().into()),
            })
            .collect(),
        created_at: l.created_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct StyleView {
    pub name: String,
    pub effect: String,
    pub what_to_do: String,
}

#[derive(Serialize, ToSchema)]
pub struct ListeningListView {
    /// Newest first, up to 20.
    pub recent: Vec<ListeningView>,
    pub styles: Vec<StyleView>,
    /// Words the listener may choose from when naming the feeling.
    pub feelings: Vec<String>,
    pub max_rounds: u8,
}

/// Recent exchanges, with the listening styles and feeling words the practice offers.
#[utoipa::path(get, path = "/api/v1/listening", tag = "practices", security(("bearer" = [])),
    responses((status = 200, body = ListeningListView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn listening_list(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<ListeningListView>, ApiError> {
    let recent = listening::recent(&state.ctx, &me.user, 20).await?;
    let now = state.ctx.now();
    Ok(Json(ListeningListView {
        recent: recent.iter().map(|l| listening_view(l, &me.user, now)).collect(),
        styles: listening::styles()
            .iter()
            .map(|s| StyleView { name: s.name.clone(), effect: s.effect.clone(), what_to_do: s.what_to_do.clone() })
            .collect(),
        feelings: listening::feelings().to_vec(),
        max_rounds: listening::MAX_ROUNDS,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ShareBody {
    share: String,
}

/// Starts an exchange with you sharing; your partner listens.
#[utoipa::path(post, path = "/api/v1/listening", tag = "practices", security(("bearer" = [])),
    request_body = ShareBody,
    responses((status = 201, body = ListeningView), (status = 409, description = "Not paired, or one is already open", body = Problem), (status = 422, body = Problem)))]
pub async fn share(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<ShareBody>,
) -> Result<(StatusCode, Json<ListeningView>), ApiError> {
    let l = listening::start(&state.ctx, &me.user, &body.share).await?;
    Ok((StatusCode::CREATED, Json(listening_view(&l, &me.user, state.ctx.now()))))
}

/// One exchange.
#[utoipa::path(get, path = "/api/v1/listening/{id}", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ListeningView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn listening_show(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ListeningView>, ApiError> {
    let l = listening::get(&state.ctx, &me.user, parse_id(&id)?).await?;
    Ok(Json(listening_view(&l, &me.user, state.ctx.now())))
}

#[derive(Deserialize, ToSchema)]
pub struct ReflectionBody {
    reflection: String,
    feeling: String,
}

/// The listener writes back what they heard and the feeling they sense.
#[utoipa::path(post, path = "/api/v1/listening/{id}/reflection", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReflectionBody,
    responses((status = 200, body = ListeningView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not your move", body = Problem), (status = 422, body = Problem)))]
pub async fn reflect(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReflectionBody>,
) -> Result<Json<ListeningView>, ApiError> {
    let form = NewReflection { reflection: body.reflection, feeling: body.feeling };
    let l = listening::reflect(&state.ctx, &me.user, parse_id(&id)?, &form).await?;
    Ok(Json(listening_view(&l, &me.user, state.ctx.now())))
}

#[derive(Deserialize, ToSchema)]
pub struct ListeningAnswerBody {
    /// got-it or not-quite.
    verdict: String,
    /// With not-quite, while rounds remain: what you meant.
    #[serde(default)]
    clarification: String,
}

/// The one who shared answers: "you got it", or "not quite" with a clarification.
#[utoipa::path(post, path = "/api/v1/listening/{id}/answer", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ListeningAnswerBody,
    responses((status = 200, body = ListeningView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not your move", body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ListeningAnswerBody>,
) -> Result<Json<ListeningView>, ApiError> {
    let form = NewAnswer { verdict: body.verdict, clarification: body.clarification };
    let l = listening::answer(&state.ctx, &me.user, parse_id(&id)?, &form).await?;
    Ok(Json(listening_view(&l, &me.user, state.ctx.now())))
}

/// Sets an open exchange aside for both; doing it again changes nothing.
#[utoipa::path(post, path = "/api/v1/listening/{id}/set-aside", tag = "practices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ListeningView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn set_aside(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ListeningView>, ApiError> {
    let l = listening::set_aside(&state.ctx, &me.user, parse_id(&id)?).await?;
    Ok(Json(listening_view(&l, &me.user, state.ctx.now())))
}
