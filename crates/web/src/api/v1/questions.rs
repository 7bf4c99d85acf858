//! Question decks: the question for today, decks, answer-then-reveal, responses, private felt
//! ratings, favourites, the ladder and "our answers".

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tend_domain::questions::exchange::{self, Felt, NewAnswer, NewResponse, OursFilter, Seen};
use tend_domain::questions::ladder::LadderView;
use tend_domain::questions::{self, Question};
use tend_domain::text;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ReplyView {
    pub id: String,
    /// understanding, validation, care, enthusiasm or curiosity.
    pub kind: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionView {
    pub id: String,
    pub deck: String,
    /// 1 light, 2 personal, 3 deep.
    pub depth: u8,
    /// emotional, physical, intellectual, spiritual, social, recreational.
    pub types: Vec<String>,
    pub text: String,
}

fn question_view(q: &Question) -> QuestionView {
    QuestionView {
        id: q.id.clone(),
        deck: q.deck.clone(),
        depth: q.depth,
        types: q.types.iter().map(|t| t.as_str().to_owned()).collect(),
        text: q.text.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResponseView {
    pub reply_id: Option<String>,
    pub reply_text: Option<String>,
    pub words: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeltView {
    pub understood: u8,
    pub accepted: u8,
    pub cared_for: u8,
}

/// A question and what the caller may see of the exchange on it.
#[derive(Serialize, ToSchema)]
pub struct ExchangeView {
    pub question: QuestionView,
    /// Deeper than the couple's level: it opens when both are ready.
    pub locked: bool,
    /// none, answered or passed.
    pub my_state: String,
    pub my_answer: Option<String>,
    /// not_yet, waiting_for_you (answer to see), you_passed, passed or revealed.
    pub partner_state: String,
    /// Only when revealed.
    pub partner_answer: Option<String>,
    /// Your response to your partner's answer.
    pub my_response: Option<ResponseView>,
    /// Your partner's response to your answer.
    pub response_to_me: Option<ResponseView>,
    /// How you felt about their response; yours alone.
    pub my_felt: Option<FeltView>,
    pub favorite: bool,
    /// Both answered and both responded.
    pub complete: bool,
    /// The one-tap replies that suit this question.
    pub replies: Vec<ReplyView>,
}

fn response(reply_id: Option<&str>, words: &str) -> ResponseView {
    let reply = reply_id.and_then(|id| questions::replies().iter().find(|r| r.id == id));
    ResponseView {
        reply_id: reply_id.map(str::to_owned),
        reply_text: reply.map(|r| r.text.clone()),
        words: words.to_owned(),
    }
}

fn view(s: &Seen) -> ExchangeView {
    let mine = s.mine.as_ref();
    ExchangeView {
        question: question_view(s.question),
        locked: s.locked,
        my_state: s.my_state().into(),
        my_answer: mine.filter(|m| !m.passed).map(|m| m.body.clone()),
        partner_state: s.partner.as_str().into(),
        partner_answer: s.partner.revealed_body().map(str::to_owned),
        my_response: mine.filter(|m| m.responded_at.is_some()).map(|m| response(m.reply_id.as_deref(), &m.reply_words)),
        response_to_me: s.response_to_me.as_ref().map(|(r, w)| response(r.map(|r| r.id.as_str()), w)),
        my_felt: mine.and_then(|m| m.felt).map(|f| FeltView {
            understood: f.understood,
            accepted: f.accepted,
            cared_for: f.cared_for,
        }),
        favorite: mine.is_some_and(|m| m.favorite),
        complete: s.complete,
        replies: questions::suggested_replies(s.question)
            .into_iter()
            .map(|r| ReplyView { id: r.id.clone(), kind: format!("{:?}", r.kind).to_lowercase(), text: r.text.clone() })
            .collect(),
    }
}

type Reply = Result<Json<ExchangeView>, ApiError>;

/// Today's question for the two of you, drawn at your level.
#[utoipa::path(get, path = "/api/v1/questions/today", tag = "questions", security(("bearer" = [])),
    responses((status = 200, body = ExchangeView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn today(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Reply {
    Ok(Json(view(&exchange::question_for_today(&state.ctx, &me.user, false).await?)))
}

/// Draws another question for today (for both of you).
#[utoipa::path(post, path = "/api/v1/questions/today/another", tag = "questions", security(("bearer" = [])),
    responses((status = 200, body = ExchangeView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn another(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Reply {
    Ok(Json(view(&exchange::question_for_today(&state.ctx, &me.user, true).await?)))
}

/// One question and the exchange on it.
#[utoipa::path(get, path = "/api/v1/questions/{id}", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ExchangeView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller, ApiPath(id): ApiPath<String>) -> Reply {
    Ok(Json(view(&exchange::view(&state.ctx, &me.user, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionAnswerBody {
    #[serde(default)]
    body: String,
    /// Pass on this question instead; no reason needed.
    #[serde(default)]
    pass: bool,
}

/// Answers (or passes on) a question at your level. An answer is final; a pass may later
/// become an answer.
#[utoipa::path(put, path = "/api/v1/questions/{id}/answer", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = QuestionAnswerBody,
    responses((status = 200, body = ExchangeView), (status = 404, body = Problem), (status = 409, description = "Not paired, locked, or answered already", body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<QuestionAnswerBody>,
) -> Reply {
    // The words are held to the rules for words even beside a pass, which leaves them unused.
    text::clean(&body.body, exchange::ANSWER_MAX, "your answer").map_err(|m| tend_domain::Error::field("body", m))?;
    let form = NewAnswer { body: body.body, pass: body.pass.then(|| "yes".to_owned()) };
    Ok(Json(view(&exchange::answer(&state.ctx, &me.user, &id, &form).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseBody {
    /// One of the question's `replies`.
    #[serde(default)]
    reply_id: Option<String>,
    #[serde(default)]
    words: String,
}

/// Responds to your partner's answer, once both have answered; again replaces it.
#[utoipa::path(put, path = "/api/v1/questions/{id}/response", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResponseBody,
    responses((status = 200, body = ExchangeView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not revealed yet", body = Problem), (status = 422, body = Problem)))]
pub async fn respond(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ResponseBody>,
) -> Reply {
    let form = NewResponse { reply_id: body.reply_id, words: body.words };
    Ok(Json(view(&exchange::respond(&state.ctx, &me.user, &id, &form).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct FeltBody {
    #[serde(deserialize_with = "crate::api::whole")]
    understood: i64,
    #[serde(deserialize_with = "crate::api::whole")]
    accepted: i64,
    #[serde(deserialize_with = "crate::api::whole")]
    cared_for: i64,
}

/// How understood, accepted and cared for you felt by your partner's response (1–7 each);
/// private to you.
#[utoipa::path(put, path = "/api/v1/questions/{id}/felt", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FeltBody,
    responses((status = 200, body = ExchangeView), (status = 404, body = Problem), (status = 409, description = "Not paired, or no response to rate yet", body = Problem), (status = 422, body = Problem)))]
pub async fn felt(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<FeltBody>,
) -> Reply {
    let felt = Felt::parse(body.understood, body.accepted, body.cared_for)?;
    Ok(Json(view(&exchange::rate(&state.ctx, &me.user, &id, felt).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct FavoriteBody {
    on: bool,
}

/// Keeps an exchange among your favourites, or not; yours alone.
#[utoipa::path(put, path = "/api/v1/questions/{id}/favorite", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FavoriteBody,
    responses((status = 200, body = ExchangeView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not answered yet", body = Problem)))]
pub async fn favorite(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<FavoriteBody>,
) -> Reply {
    Ok(Json(view(&exchange::favorite(&state.ctx, &me.user, &id, body.on).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OursQuery {
    /// A deck id.
    deck: Option<String>,
    /// An intimacy type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Words in the question or in an answer you may see.
    q: Option<String>,
    /// Only your favourites: `true` (or any value but `false`).
    favorites: Option<String>,
}

/// Every exchange you have a part in, newest first.
#[utoipa::path(get, path = "/api/v1/exchanges", tag = "questions", security(("bearer" = [])), params(OursQuery),
    responses((status = 200, body = [ExchangeView]), (status = 409, description = "Not paired", body = Problem), (status = 422, description = "An unknown deck or type, or a search that is too long", body = Problem)))]
pub async fn ours(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<OursQuery>,
) -> Result<Json<Vec<ExchangeView>>, ApiError> {
    let filter = OursFilter {
        deck: q.deck,
        kind: q.kind,
        q: q.q.as_deref().map(|raw| super::daily::search(raw, exchange::SEARCH_MAX)).transpose()?,
        favorites: q.favorites.filter(|f| !matches!(f.as_str(), "false" | "0" | "no" | "")),
    };
    Ok(Json(exchange::ours(&state.ctx, &me.user, &filter).await?.iter().map(view).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct LadderLevelView {
    /// 1 light, 2 personal, 3 deep.
    pub depth: u8,
    /// Exchanges completed at this depth.
    pub completed: u32,
    /// Ask "Ready to go a little deeper?" now; only you see this.
    pub ask_me: bool,
    /// You said yes and wait for the level to open.
    pub i_said_ready: bool,
}

fn ladder_view(l: LadderView) -> LadderLevelView {
    LadderLevelView { depth: l.depth, completed: l.completed, ask_me: l.ask_me, i_said_ready: l.i_said_ready }
}

/// Your couple's level, and whether you are being asked to go deeper.
#[utoipa::path(get, path = "/api/v1/ladder", tag = "questions", security(("bearer" = [])),
    responses((status = 200, body = LadderLevelView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn ladder(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<LadderLevelView>, ApiError> {
    Ok(Json(ladder_view(exchange::ladder(&state.ctx, &me.user).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FromQuery {
    /// The level you were looking at (1 to 3); if it has changed since, nothing more happens,
    /// so a repeated request acts once.
    from: Option<u8>,
}

impl FromQuery {
    /// The level, refused when it is none there is.
    fn level(&self) -> Result<Option<u8>, ApiError> {
        match self.from {
            Some(level) if !questions::DEPTHS.contains(&level) => {
                Err(ApiError::new(StatusCode::BAD_REQUEST, "validation", "`from` is a level: 1, 2 or 3."))
            }
            other => Ok(other),
        }
    }
}

/// "Ready to go a little deeper?": yes. The next level opens when you both have said it.
#[utoipa::path(post, path = "/api/v1/ladder/ready", tag = "questions", security(("bearer" = [])), params(FromQuery),
    responses((status = 200, body = LadderLevelView), (status = 409, description = "Not paired, not asked yet, or at the top", body = Problem)))]
pub async fn ready(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<FromQuery>,
) -> Result<Json<LadderLevelView>, ApiError> {
    Ok(Json(ladder_view(exchange::say_ready(&state.ctx, &me.user, q.level()?).await?)))
}

/// Takes back your yes, privately.
#[utoipa::path(post, path = "/api/v1/ladder/not-yet", tag = "questions", security(("bearer" = [])),
    responses((status = 200, body = LadderLevelView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn not_yet(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<LadderLevelView>, ApiError> {
    Ok(Json(ladder_view(exchange::not_yet(&state.ctx, &me.user).await?)))
}

/// Steps back one level, privately: your partner sees only the new level.
#[utoipa::path(post, path = "/api/v1/ladder/step-back", tag = "questions", security(("bearer" = [])), params(FromQuery),
    responses((status = 200, body = LadderLevelView), (status = 409, description = "Not paired, or at level 1 already", body = Problem)))]
pub async fn step_back(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<FromQuery>,
) -> Result<Json<LadderLevelView>, ApiError> {
    Ok(Json(ladder_view(exchange::step_back(&state.ctx, &me.user, q.level()?).await?)))
}

#[derive(Serialize, ToSchema)]
pub struct DeckView {
    pub id: String,
    pub name: String,
    pub blurb: String,
    /// Questions open at your level.
    pub open: usize,
    /// Of those, answered or passed by you.
    pub answered: usize,
    /// Deeper ones, opening when you are both ready.
    pub locked: usize,
}

/// The decks, with how far you are through each.
#[utoipa::path(get, path = "/api/v1/decks", tag = "questions", security(("bearer" = [])),
    responses((status = 200, body = [DeckView]), (status = 409, description = "Not paired", body = Problem)))]
pub async fn decks(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<Vec<DeckView>>, ApiError> {
    let (_, counts) = exchange::overview(&state.ctx, &me.user).await?;
    Ok(Json(
        counts
            .iter()
            .map(|c| DeckView {
                id: c.deck.id.clone(),
                name: c.deck.name.clone(),
                blurb: c.deck.blurb.clone(),
                open: c.open,
                answered: c.answered,
                locked: c.locked,
            })
            .collect(),
    ))
}

/// A deck's questions open at your level, with the exchange on each.
#[utoipa::path(get, path = "/api/v1/decks/{id}", tag = "questions", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = [ExchangeView]), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn deck(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<ExchangeView>>, ApiError> {
    let (_, list) = exchange::deck(&state.ctx, &me.user, &id).await?;
    Ok(Json(list.iter().filter(|s| !s.locked).map(view).collect()))
}
