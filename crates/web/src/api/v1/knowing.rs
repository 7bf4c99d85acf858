//! Knowing each other: Our intimacy map, the weekly State of Us, insights, and the private
//! help hint. The same use cases as the pages, so the reveal rule holds here too.

use crate::AppState;
use crate::api::{ApiJson, ApiQuery};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tend_domain::help_hint;
use tend_domain::insights::{self, Insights, Range};
use tend_domain::intimacy_map::{self, Map, MapView, NewMap, NewRating, PartnerMap, Together};
use tend_domain::state_of_us::{self, NewStateOfUs, PartnerState, Shared, StateOfUs, WeekView};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct MapRatingView {
    /// emotional, physical, intellectual, spiritual, social or recreational.
    pub kind: String,
    /// How nourished they feel: 1 (not at all) to 7 (fully).
    pub nourished: u8,
    /// less, as-now or more.
    pub wish: String,
    pub words: String,
}

#[derive(Serialize, ToSchema)]
pub struct MapDoc {
    pub round: i64,
    #[schema(value_type = String, format = DateTime)]
    pub taken_at: jiff::Timestamp,
    pub ratings: Vec<MapRatingView>,
}

impl From<&Map> for MapDoc {
    fn from(m: &Map) -> Self {
        Self {
            round: m.round,
            taken_at: m.taken_at,
            ratings: m
                .ratings
                .iter()
                .map(|r| MapRatingView {
                    kind: r.kind.as_str().into(),
                    nourished: r.nourished,
                    wish: r.wish.as_str().into(),
                    words: r.words.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionView {
    pub kind: String,
    pub text: String,
    /// A page of Tend, when the suggestion has one.
    pub href: Option<String>,
}

/// A round both partners answered.
#[derive(Serialize, ToSchema)]
pub struct TogetherDoc {
    pub round: i64,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
    pub mine: MapDoc,
    pub partner: MapDoc,
    /// One plain sentence: where you meet, and who would like more of what.
    pub summary: String,
    /// Things to try for the kinds one of you would like more of.
    pub suggestions: Vec<SuggestionView>,
}

impl TogetherDoc {
    fn of(t: &Together, partner: &str) -> Self {
        Self {
            round: t.round,
            at: t.at,
            mine: MapDoc::from(&t.mine),
            partner: MapDoc::from(&t.theirs),
            summary: intimacy_map::summary(t, partner),
            suggestions: intimacy_map::wanted_more(t)
                .into_iter()
                .flat_map(|k| {
                    k.info().suggestions.iter().map(move |s| SuggestionView {
                        kind: k.as_str().into(),
                        text: s.text.clone(),
                        href: s.href.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// Our intimacy map as the caller may see it: the partner's map only in rounds you both answered.
#[derive(Serialize, ToSchema)]
pub struct IntimacyMapDoc {
    /// `not_yet`, `waiting_for_you` (the partner made a new map; make yours to see it) or `revealed`.
    pub partner_state: String,
    /// Your latest map.
    pub mine: Option<MapDoc>,
    /// The latest round you both answered.
    pub latest: Option<TogetherDoc>,
    /// Every round you both answered, oldest first.
    pub history: Vec<TogetherDoc>,
    /// Your last map is a month old or more: a gentle invitation to take it again.
    pub invite_retake: bool,
}

fn map_doc(view: &MapView, partner: &str) -> IntimacyMapDoc {
    IntimacyMapDoc {
        partner_state: match view.partner {
            PartnerMap::NotYet => "not_yet",
            PartnerMap::WaitingForYou => "waiting_for_you",
            PartnerMap::Revealed => "revealed",
        }
        .into(),
        mine: view.mine.as_ref().map(MapDoc::from),
        latest: view.latest.as_ref().map(|t| TogetherDoc::of(t, partner)),
        history: view.history.iter().map(|t| TogetherDoc::of(t, partner)).collect(),
        invite_retake: view.invite_retake,
    }
}

/// Our intimacy map: your maps, and your partner's in every round you both answered.
#[utoipa::path(get, path = "/api/v1/intimacy-map", tag = "knowing", security(("bearer" = [])),
    responses((status = 200, body = IntimacyMapDoc), (status = 409, description = "Not paired", body = Problem)))]
pub async fn intimacy_map(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<IntimacyMapDoc>, ApiError> {
    let (us, view) = intimacy_map::view(&state.ctx, &me.user).await?;
    Ok(Json(map_doc(&view, &us.partner.display_name)))
}

#[derive(Deserialize, ToSchema)]
pub struct MapRatingBody {
    /// emotional, physical, intellectual, spiritual, social or recreational.
    #[serde(default)]
    pub kind: String,
    /// How nourished I feel, 1 (not at all) to 7 (fully).
    #[serde(default)]
    pub nourished: i64,
    /// less, as-now or more.
    #[serde(default)]
    pub wish: String,
    #[serde(default)]
    pub words: String,
}

#[derive(Deserialize, ToSchema)]
pub struct MapBody {
    /// One rating for each of the six kinds.
    pub ratings: Vec<MapRatingBody>,
}

/// Makes your map (or takes it again). It joins your partner's newest map when they made one
/// you haven't answered yet; a retake before they answered replaces yours.
#[utoipa::path(post, path = "/api/v1/intimacy-map", tag = "knowing", security(("bearer" = [])), request_body = MapBody,
    responses((status = 201, body = IntimacyMapDoc), (status = 409, description = "Not paired", body = Problem)))]
pub async fn take_map(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<MapBody>,
) -> Result<(StatusCode, Json<IntimacyMapDoc>), ApiError> {
    let form = NewMap {
        ratings: body
            .ratings
            .into_iter()
            .map(|r| NewRating { kind: r.kind, nourished: r.nourished, wish: r.wish, words: r.words })
            .collect(),
    };
    let (us, view) = intimacy_map::take(&state.ctx, &me.user, &form).await?;
    Ok((StatusCode::CREATED, Json(map_doc(&view, &us.partner.display_name))))
}

#[derive(Serialize, ToSchema)]
pub struct StateOfUsView {
    pub went_well: String,
    pub need_more: String,
    pub need_less: String,
    pub feeling: String,
    pub topic: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<&Shared> for StateOfUsView {
    fn from(s: &Shared) -> Self {
        Self {
            went_well: s.went_well.clone(),
            need_more: s.need_more.clone(),
            need_less: s.need_less.clone(),
            feeling: s.feeling.clone(),
            topic: s.topic.clone(),
            updated_at: s.updated_at,
        }
    }
}

/// Your own answers: what your partner may see, and your private mark.
#[derive(Serialize, ToSchema)]
pub struct MyStateOfUsView {
    pub went_well: String,
    pub need_more: String,
    pub need_less: String,
    pub feeling: String,
    pub topic: String,
    /// "The same argument keeps coming back": yours alone, never shown to your partner.
    pub stuck: bool,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<&StateOfUs> for MyStateOfUsView {
    fn from(s: &StateOfUs) -> Self {
        Self {
            went_well: s.went_well.clone(),
            need_more: s.need_more.clone(),
            need_less: s.need_less.clone(),
            feeling: s.feeling.clone(),
            topic: s.topic.clone(),
            stuck: s.stuck,
            updated_at: s.updated_at,
        }
    }
}

/// One week's State of Us as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct WeekStateView {
    /// The Monday the week starts.
    #[schema(value_type = String, format = Date)]
    pub week: Date,
    pub mine: Option<MyStateOfUsView>,
    /// `not_yet`, `waiting_for_you` (your partner answered; answer to see it) or `revealed`.
    pub partner_state: String,
    /// Present only when revealed.
    pub partner: Option<StateOfUsView>,
}

impl From<&WeekView> for WeekStateView {
    fn from(w: &WeekView) -> Self {
        let (partner_state, partner) = match &w.partner {
            PartnerState::NotYet => ("not_yet", None),
            PartnerState::WaitingForYou => ("waiting_for_you", None),
            PartnerState::Revealed { state_of_us } => ("revealed", Some(StateOfUsView::from(state_of_us))),
        };
        Self {
            week: w.week,
            mine: w.mine.as_ref().map(MyStateOfUsView::from),
            partner_state: partner_state.into(),
            partner,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StateOfUsDoc {
    pub this_week: WeekStateView,
    /// Up to eight earlier weeks either of you answered, newest first.
    pub earlier: Vec<WeekStateView>,
}

/// State of Us: this week and the eight before, each as you may see it.
#[utoipa::path(get, path = "/api/v1/state-of-us", tag = "knowing", security(("bearer" = [])),
    responses((status = 200, body = StateOfUsDoc), (status = 409, description = "Not paired", body = Problem)))]
pub async fn state_of_us(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<StateOfUsDoc>, ApiError> {
    let (us, this_week) = state_of_us::this_week(&state.ctx, &me.user).await?;
    let earlier = state_of_us::earlier(&state.ctx, &us, 8).await?;
    Ok(Json(StateOfUsDoc {
        this_week: WeekStateView::from(&this_week),
        earlier: earlier.iter().map(WeekStateView::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct StateOfUsBody {
    /// What went well between us this week.
    #[serde(default)]
    pub went_well: String,
    /// What I need more of next week (this, `need_less`, or both).
    #[serde(default)]
    pub need_more: String,
    #[serde(default)]
    pub need_less: String,
    /// One of the words from `GET /api/v1/state-of-us/feelings`.
    #[serde(default)]
    pub feeling: String,
    /// Optional: one topic I'd like us to talk about.
    #[serde(default)]
    pub topic: String,
    /// "The same argument keeps coming back": private to you.
    #[serde(default)]
    pub stuck: bool,
}

/// Saves (or changes) your State of Us for your own current week.
#[utoipa::path(put, path = "/api/v1/state-of-us/this-week", tag = "knowing", security(("bearer" = [])), request_body = StateOfUsBody,
    responses((status = 200, body = WeekStateView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn save_state_of_us(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<StateOfUsBody>,
) -> Result<Json<WeekStateView>, ApiError> {
    let form = NewStateOfUs {
        went_well: body.went_well,
        need_more: body.need_more,
        need_less: body.need_less,
        feeling: body.feeling,
        topic: body.topic,
        stuck: body.stuck.then(|| "yes".to_owned()),
    };
    let (_, view) = state_of_us::record(&state.ctx, &me.user, &form).await?;
    Ok(Json(WeekStateView::from(&view)))
}

#[derive(Serialize, ToSchema)]
pub struct FeelingGroupView {
    pub name: String,
    pub words: Vec<String>,
}

/// The feeling words State of Us takes, grouped.
#[utoipa::path(get, path = "/api/v1/state-of-us/feelings", tag = "knowing",
    responses((status = 200, body = Vec<FeelingGroupView>)))]
pub async fn feelings() -> Json<Vec<FeelingGroupView>> {
    Json(
        state_of_us::feelings()
            .iter()
            .map(|g| FeelingGroupView { name: g.name.clone(), words: g.words.clone() })
            .collect(),
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsQuery {
    /// `weeks` (12 weeks, the default) or `months` (12 months).
    #[serde(default)]
    pub span: Option<String>,
    /// The range ends with the week or month holding this date (YYYY-MM-DD) or month
    /// (YYYY-MM), up to today; today when not given.
    #[serde(default)]
    pub end: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BucketView {
    #[schema(value_type = String, format = Date)]
    pub first: Date,
    #[schema(value_type = String, format = Date)]
    pub last: Date,
    /// Your average closeness (1–7) on days you both checked in.
    pub my_closeness: Option<f64>,
    /// Your partner's, on the same days.
    pub partner_closeness: Option<f64>,
    /// Days you both checked in.
    pub days_connected: u32,
    /// Your own felt ratings only (1–7); never your partner's.
    pub felt_understood: Option<f64>,
    pub felt_cared_for: Option<f64>,
    pub felt_count: u32,
}

#[derive(Serialize, ToSchema)]
pub struct PracticeCountView {
    pub practice: String,
    pub name: String,
    /// daily, most-days, weekly or monthly.
    pub rhythm: String,
    pub done: u32,
    /// What the rhythm suggests for the month so far.
    pub suggested: u32,
}

#[derive(Serialize, ToSchema)]
pub struct KindCountView {
    pub kind: String,
    pub given: u32,
    pub received: u32,
}

/// What the insights draw, for the caller's own zone. No score, no streak.
#[derive(Serialize, ToSchema)]
pub struct InsightsDoc {
    /// weeks or months.
    pub span: String,
    #[schema(value_type = String, format = Date)]
    pub first: Date,
    #[schema(value_type = String, format = Date)]
    pub last: Date,
    /// Twelve weeks or months, oldest first.
    pub buckets: Vec<BucketView>,
    /// The month the practice counts are for: this month, in your zone.
    #[schema(value_type = String, format = Date)]
    pub month: Date,
    pub practices: Vec<PracticeCountView>,
    pub appreciations: Vec<KindCountView>,
    /// Intimacy maps you both made in the range, oldest first.
    pub maps: Vec<TogetherDoc>,
}

fn insights_doc(data: &Insights, partner: &str) -> InsightsDoc {
    InsightsDoc {
        span: data.range.span.as_str().into(),
        first: data.range.first,
        last: data.range.last,
        buckets: data
            .buckets
            .iter()
            .map(|b| BucketView {
                first: b.first,
                last: b.last,
                my_closeness: b.my_closeness,
                partner_closeness: b.partner_closeness,
                days_connected: b.days_connected,
                felt_understood: b.felt_understood,
                felt_cared_for: b.felt_cared_for,
                felt_count: b.felt_count,
            })
            .collect(),
        month: data.month,
        practices: data
            .practices
            .iter()
            .map(|p| PracticeCountView {
                practice: p.practice.as_str().into(),
                name: p.name.into(),
                rhythm: p.cadence.as_str().into(),
                done: p.done,
                suggested: p.suggested,
            })
            .collect(),
        appreciations: data
            .appreciations
            .iter()
            .map(|k| KindCountView { kind: k.kind.as_str().into(), given: k.given, received: k.received })
            .collect(),
        maps: data.maps.iter().map(|t| TogetherDoc::of(t, partner)).collect(),
    }
}

/// Insights for any 12 weeks or 12 months, in your zone.
#[utoipa::path(get, path = "/api/v1/insights", tag = "knowing", security(("bearer" = [])), params(InsightsQuery),
    responses((status = 200, body = InsightsDoc), (status = 409, description = "Not paired", body = Problem)))]
pub async fn insights(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<InsightsQuery>,
) -> Result<Json<InsightsDoc>, ApiError> {
    let today = me.user.time_zone.today(state.ctx.now());
    // Given but empty is neither a range nor "today": leave the parameter out for that.
    if [&q.span, &q.end].iter().any(|v| v.as_deref().is_some_and(|s| s.trim().is_empty())) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "range",
            "Leave out `span` and `end` to mean the last 12 weeks.",
        ));
    }
    let range = Range::parse(q.span.as_deref(), q.end.as_deref(), today)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "range", &e))?;
    let (us, data) = insights::for_range(&state.ctx, &me.user, range).await?;
    Ok(Json(insights_doc(&data, &us.partner.display_name)))
}

/// The private help hint, for the caller alone.
#[derive(Serialize, ToSchema)]
pub struct HelpHintView {
    /// Your own entries lately suggest distance that persists: Tend suggests Getting support
    /// (`/support`). Never shown to your partner.
    pub show: bool,
    /// You turned the hint off.
    pub off: bool,
}

/// Whether Tend would gently suggest Getting support to you now, from your own entries alone.
#[utoipa::path(get, path = "/api/v1/help-hint", tag = "knowing", security(("bearer" = [])),
    responses((status = 200, body = HelpHintView)))]
pub async fn help_hint(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<HelpHintView>, ApiError> {
    Ok(Json(HelpHintView {
        show: help_hint::for_me(&state.ctx, &me.user).await?,
        off: help_hint::is_off(&state.ctx, &me.user).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct HelpHintBody {
    /// True turns the hint off; false turns it on again.
    pub off: bool,
}

/// Turns the private help hint off, or on again, for you alone.
#[utoipa::path(put, path = "/api/v1/help-hint", tag = "knowing", security(("bearer" = [])), request_body = HelpHintBody,
    responses((status = 200, body = HelpHintView)))]
pub async fn set_help_hint(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<HelpHintBody>,
) -> Result<Json<HelpHintView>, ApiError> {
    help_hint::set_off(&state.ctx, &me.user, body.off).await?;
    let show = help_hint::for_me(&state.ctx, &me.user).await?;
    Ok(Json(HelpHintView { show, off: body.off }))
}
