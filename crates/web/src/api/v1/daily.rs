//! The daily practices: check-ins (with the reveal rule), appreciations, the month's rhythm,
//! history, and the live event stream.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tend_domain::appreciation::{self, Appreciation, Box, NewAppreciation, NewReaction};
use tend_domain::check_in::{self, CheckIn, Connected, DayView, NewCheckIn, PartnerCheckIn};
use tend_domain::{couple, history, text};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct CheckInView {
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    pub high: String,
    pub low: String,
    /// 1 (far apart) to 7 (as one).
    pub closeness: u8,
    pub need: String,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<&CheckIn> for CheckInView {
    fn from(c: &CheckIn) -> Self {
        Self {
            day: c.day,
            high: c.high.clone(),
            low: c.low.clone(),
            closeness: c.closeness,
            need: c.need.clone(),
            updated_at: c.updated_at,
        }
    }
}

/// A date's check-ins as the caller may see them: the partner's content only once the caller
/// has checked in for the same date.
#[derive(Serialize, ToSchema)]
pub struct DayCheckInsView {
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    pub mine: Option<CheckInView>,
    /// `not_yet`, `waiting_for_you` (the partner has checked in; check in to see it) or `revealed`.
    pub partner_state: String,
    /// Present only when revealed.
    pub partner: Option<CheckInView>,
}

impl From<&DayView> for DayCheckInsView {
    fn from(d: &DayView) -> Self {
        let (partner_state, partner) = match &d.partner {
            PartnerCheckIn::NotYet => ("not_yet", None),
            PartnerCheckIn::WaitingForYou => ("waiting_for_you", None),
            PartnerCheckIn::Revealed { check_in } => ("revealed", Some(CheckInView::from(check_in))),
        };
        Self { day: d.day, mine: d.mine.as_ref().map(CheckInView::from), partner_state: partner_state.into(), partner }
    }
}

/// Today's check-ins: yours and what you may see of your partner's.
#[utoipa::path(get, path = "/api/v1/check-ins/today", tag = "daily", security(("bearer" = [])),
    responses((status = 200, body = DayCheckInsView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn today_check_in(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<DayCheckInsView>, ApiError> {
    Ok(Json(DayCheckInsView::from(&check_in::today(&state.ctx, &me.user).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckInBody {
    #[serde(default)]
    high: String,
    #[serde(default)]
    low: String,
    /// 1 (far apart) to 7 (as one).
    closeness: serde_json::Value,
    #[serde(default)]
    need: String,
    /// Optional; when given it must be your own local today.
    #[serde(default)]
    day: Option<String>,
}

/// Records or updates your check-in for your own local today (a high or a low, closeness
/// 1–7, an optional need). Sending it twice keeps one check-in with the latest words.
#[utoipa::path(put, path = "/api/v1/check-ins/today", tag = "daily", security(("bearer" = [])), request_body = CheckInBody,
    responses((status = 200, body = DayCheckInsView), (status = 409, description = "Not paired", body = Problem), (status = 422, body = Problem)))]
pub async fn record_check_in(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<CheckInBody>,
) -> Result<Json<DayCheckInsView>, ApiError> {
    let closeness = match &body.closeness {
        // 5.0 is 5 to JSON Schema; anything else is refused as it reads.
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e6 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let form = NewCheckIn { high: body.high, low: body.low, closeness, need: body.need, day: body.day };
    Ok(Json(DayCheckInsView::from(&check_in::record(&state.ctx, &me.user, form).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First date, YYYY-MM-DD, from 2000-01-01 on (default: 13 days before `to`).
    #[param(format = Date)]
    from: Option<String>,
    /// Last date, YYYY-MM-DD (default: your today; later dates count as today). At most 62 days in all.
    #[param(format = Date)]
    to: Option<String>,
}

/// Whether `s` has the shape of `shape`, where `0` stands for any digit: the API takes dates and
/// months only as the document writes them, without the spaces or other ISO 8601 forms the
/// pages' parsing forgives.
fn shaped(s: &str, shape: &str) -> bool {
    s.len() == shape.len()
        && s.bytes().zip(shape.bytes()).all(|(c, p)| if p == b'0' { c.is_ascii_digit() } else { c == p })
}

fn date_param(raw: Option<&str>, name: &str) -> Result<Option<Date>, ApiError> {
    raw.map(|s| {
        let shape = if shaped(s, "0000-00-00") { Ok(s) } else { Err("Dates look like 2026-03-14.".to_owned()) };
        shape
            .and_then(history::parse_date)
            .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "validation", format!("`{name}`: {m}")))
    })
    .transpose()
}

/// Check-ins day by day, newest first; the reveal rule applies to every date.
#[utoipa::path(get, path = "/api/v1/check-ins", tag = "daily", security(("bearer" = [])), params(RangeQuery),
    responses((status = 200, body = Vec<DayCheckInsView>), (status = 400, description = "Dates that are not dates from 2000 on, or more than 62 days apart", body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn check_ins(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<RangeQuery>,
) -> Result<Json<Vec<DayCheckInsView>>, ApiError> {
    let us = couple::us(&state.ctx, &me.user).await?;
    let today = us.me.time_zone.today(state.ctx.now());
    let to = date_param(q.to.as_deref(), "to")?.unwrap_or(today).min(today);
    let from = match date_param(q.from.as_deref(), "from")? {
        Some(f) => f,
        None => to.checked_sub(jiff::Span::new().days(13)).unwrap_or(to),
    };
    if from > to || (to - from).get_days() > 61 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation",
            "`from` must come before `to`, at most 62 days apart.",
        ));
    }
    let days = check_in::days(&state.ctx, &us, from, to).await?;
    Ok(Json(days.iter().map(DayCheckInsView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AppreciationView {
    pub id: i64,
    pub from_me: bool,
    pub author: PartnerRef,
    pub recipient: PartnerRef,
    /// gratitude, respect or admiration.
    pub kind: String,
    pub body: String,
    pub starter_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    /// love, hug, smile or moved.
    pub reaction: Option<String>,
    pub reply: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reacted_at: Option<jiff::Timestamp>,
}

#[derive(Serialize, ToSchema)]
pub struct PartnerRef {
    pub id: i64,
    pub display_name: String,
}

pub fn appreciation_view(a: &Appreciation, us: &couple::Us) -> AppreciationView {
    let name = |id: tend_domain::UserId| {
        if id == us.me.id { us.me.display_name.clone() } else { us.partner.display_name.clone() }
    };
    AppreciationView {
        id: a.id.0,
        from_me: a.author == us.me.id,
        author: PartnerRef { id: a.author.0, display_name: name(a.author) },
        recipient: PartnerRef { id: a.recipient.0, display_name: name(a.recipient) },
        kind: a.kind.as_str().into(),
        body: a.body.clone(),
        starter_id: a.starter_id.clone(),
        created_at: a.created_at,
        reaction: a.reaction.map(|r| r.as_str().into()),
        reply: a.reply.clone(),
        reacted_at: a.reacted_at,
    }
}

#[derive(Deserialize, ToSchema)]
pub struct AppreciationBody {
    /// gratitude, respect or admiration: yours to choose, whatever the starter.
    kind: String,
    body: String,
    /// The opening you started from, if any (see `/api/v1/appreciations/starters`). A starter
    /// of any kind may go with the kind you chose; it never changes that kind.
    #[serde(default)]
    starter_id: Option<String>,
    /// Optional; when given it must be your partner's id.
    #[serde(default, deserialize_with = "crate::api::whole_or_none")]
    to: Option<i64>,
}

/// Sends your partner an appreciation; they see it at once.
#[utoipa::path(post, path = "/api/v1/appreciations", tag = "daily", security(("bearer" = [])), request_body = AppreciationBody,
    responses((status = 201, body = AppreciationView), (status = 409, description = "Not paired", body = Problem), (status = 422, body = Problem)))]
pub async fn give(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<AppreciationBody>,
) -> Result<(StatusCode, Json<AppreciationView>), ApiError> {
    let us = couple::us(&state.ctx, &me.user).await?;
    let form = NewAppreciation { kind: body.kind, body: body.body, starter_id: body.starter_id, to: body.to };
    let saved = appreciation::give(&state.ctx, &me.user, form).await?;
    Ok((StatusCode::CREATED, Json(appreciation_view(&saved, &us))))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `received` (default) or `given`.
    #[serde(rename = "box")]
    #[param(rename = "box")]
    which: Option<String>,
    /// Words to search for in the text and replies; control characters count as spaces.
    q: Option<String>,
    /// From 1; 20 per page.
    page: Option<u32>,
}

use tend_domain::appreciation::LAST_PAGE;

/// Search words as typed, at most `max` characters (counted before control characters are
/// dropped, as the document says), with control characters dropped.
pub fn search(raw: &str, max: usize) -> Result<String, ApiError> {
    if raw.chars().count() > max {
        return Err(tend_domain::Error::field("q", format!("Please search with at most {max} characters.")).into());
    }
    Ok(text::search_terms(raw))
}

#[derive(Serialize, ToSchema)]
pub struct AppreciationPageView {
    pub items: Vec<AppreciationView>,
    pub page: u32,
    pub has_more: bool,
}

/// Appreciations received or given, newest first, paged, searchable.
#[utoipa::path(get, path = "/api/v1/appreciations", tag = "daily", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = AppreciationPageView), (status = 400, description = "A `box` or `page` that does not fit", body = Problem), (status = 409, description = "Not paired", body = Problem), (status = 422, description = "A search that is too long", body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<AppreciationPageView>, ApiError> {
    let which = match q.which.as_deref() {
        None | Some("received") => Box::Received,
        Some("given") => Box::Given,
        Some(_) => return Err(ApiError::new(StatusCode::BAD_REQUEST, "validation", "`box` is `received` or `given`.")),
    };
    let page_no = q.page.unwrap_or(1);
    if !(1..=LAST_PAGE).contains(&page_no) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "validation", format!("`page` is from 1 to {LAST_PAGE}.")));
    }
    let query = q.q.as_deref().map(|raw| search(raw, appreciation::QUERY_MAX)).transpose()?;
    let us = couple::us(&state.ctx, &me.user).await?;
    let page = appreciation::list(&state.ctx, &me.user, which, query.as_deref(), page_no).await?;
    Ok(Json(AppreciationPageView {
        items: page.items.iter().map(|a| appreciation_view(a, &us)).collect(),
        page: page.page,
        has_more: page.has_more,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReactionBody {
    /// love, hug, smile or moved; absent or null keeps the reaction you gave before.
    #[serde(default)]
    reaction: Option<String>,
    /// A few words back; empty or absent keeps the words you wrote before.
    #[serde(default)]
    reply: String,
}

/// Answers an appreciation you received, with a reaction, a few words, or both. Both are kept
/// side by side: a new reaction replaces only the reaction, new words replace only the words.
#[utoipa::path(put, path = "/api/v1/appreciations/{id}/reaction", tag = "daily", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReactionBody,
    responses((status = 200, body = AppreciationView), (status = 404, body = Problem), (status = 409, description = "Not paired, or not yours to answer", body = Problem), (status = 422, body = Problem)))]
pub async fn react(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ReactionBody>,
) -> Result<Json<AppreciationView>, ApiError> {
    let id = parse_id(&id)?;
    let us = couple::us(&state.ctx, &me.user).await?;
    let saved =
        appreciation::react(&state.ctx, &me.user, id, NewReaction { reaction: body.reaction, reply: body.reply })
            .await?;
    Ok(Json(appreciation_view(&saved, &us)))
}

#[derive(Serialize, ToSchema)]
pub struct StarterView {
    pub id: String,
    pub kind: String,
    pub text: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StarterQuery {
    /// gratitude, respect or admiration; all when absent.
    kind: Option<String>,
}

/// Sentence openings to finish in your own words.
#[utoipa::path(get, path = "/api/v1/appreciations/starters", tag = "daily", params(StarterQuery),
    responses((status = 200, body = Vec<StarterView>), (status = 400, body = Problem)))]
pub async fn starters(ApiQuery(q): ApiQuery<StarterQuery>) -> Result<Json<Vec<StarterView>>, ApiError> {
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(appreciation::Kind::parse(k).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "validation", "`kind` is gratitude, respect or admiration.")
        })?),
    };
    Ok(Json(
        appreciation::starters(kind)
            .into_iter()
            .map(|s| StarterView { id: s.id.clone(), kind: s.kind.as_str().into(), text: s.text.clone() })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// YYYY-MM; this month when absent.
    month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RhythmDay {
    #[schema(value_type = String, format = Date)]
    pub day: Date,
    /// `both`, `one` or `none`: who checked in, never which of you.
    pub connected: String,
}

#[derive(Serialize, ToSchema)]
pub struct RhythmView {
    pub month: String,
    pub days: Vec<RhythmDay>,
    /// Days both and one of you checked in; absent when you chose to hide counts.
    pub both_days: Option<u32>,
    pub one_days: Option<u32>,
}

/// "Days we connected" for a month.
#[utoipa::path(get, path = "/api/v1/rhythm", tag = "daily", security(("bearer" = [])), params(MonthQuery),
    responses((status = 200, body = RhythmView), (status = 400, description = "Not a month from 2000 to now", body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn rhythm(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<RhythmView>, ApiError> {
    let today = me.user.time_zone.today(state.ctx.now());
    let month = q.month.as_deref().filter(|m| !m.is_empty());
    if month.is_some_and(|m| !shaped(m, "0000-00")) {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "validation", "`month` looks like 2026-03."));
    }
    let first =
        check_in::parse_month(month, today).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "validation", m))?;
    let month = check_in::month(&state.ctx, &me.user, first).await?;
    let days = month
        .days
        .iter()
        .map(|(day, c)| RhythmDay {
            day: *day,
            connected: match c {
                Connected::Both => "both",
                Connected::One => "one",
                Connected::None => "none",
            }
            .into(),
        })
        .collect();
    Ok(Json(RhythmView {
        month: first.strftime("%Y-%m").to_string(),
        days,
        both_days: month.counts.map(|c| c.0),
        one_days: month.counts.map(|c| c.1),
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The newest date of the page, YYYY-MM-DD, from 2000-01-01 on; your today when absent
    /// (later dates count as today).
    #[param(format = Date)]
    before: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryDayView {
    pub check_ins: DayCheckInsView,
    pub appreciations: Vec<AppreciationView>,
}

#[derive(Serialize, ToSchema)]
pub struct HistoryView {
    pub days: Vec<HistoryDayView>,
    #[schema(value_type = Option<String>, format = Date)]
    pub newer: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub older: Option<Date>,
}

/// The couple's days, newest first, 14 dates a page, quiet days left out.
#[utoipa::path(get, path = "/api/v1/history", tag = "daily", security(("bearer" = [])), params(HistoryQuery),
    responses((status = 200, body = HistoryView), (status = 400, description = "Not a date from 2000 on", body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryView>, ApiError> {
    let until = date_param(q.before.as_deref(), "before")?;
    let us = couple::us(&state.ctx, &me.user).await?;
    let page = history::page(&state.ctx, &me.user, until).await?;
    let days = page
        .days
        .iter()
        .map(|d| HistoryDayView {
            check_ins: DayCheckInsView::from(&d.day),
            appreciations: d.appreciations.iter().map(|a| appreciation_view(a, &us)).collect(),
        })
        .collect();
    Ok(Json(HistoryView { days, newer: page.newer, older: page.older }))
}

/// Server-Sent Events for the caller's couple: `ready` once, then `change` with
/// `{"kind": "check-in" | "appreciation" | "reaction" | …}` whenever something changes.
/// Events never carry content; read it again through the other endpoints. When the caller's
/// access ends (the token revoked, the account switched off) the last event is `access`, and
/// when the couple ends it is `couple`; then the stream closes.
#[utoipa::path(get, path = "/api/v1/events", tag = "daily", security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream", content_type = "text/event-stream"), (status = 409, description = "Not paired", body = Problem)))]
pub async fn events(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Response, ApiError> {
    let us = couple::us(&state.ctx, &me.user).await?;
    Ok(crate::live::stream(&state, &me, crate::live::Audience::Couple(us.couple_id)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct HugWeekView {
    /// Hugs logged since Monday in your zone, for the two of you together.
    pub this_week: u32,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last: Option<jiff::Timestamp>,
    /// Today's idea for affectionate touch beyond the hug: the same for both of you, a new one
    /// each day.
    pub touch_idea: TouchIdeaView,
}

#[derive(Serialize, ToSchema)]
pub struct TouchIdeaView {
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

fn hug_week_view(week: tend_domain::hug::HugWeek) -> HugWeekView {
    let t = week.touch;
    HugWeekView {
        this_week: week.this_week,
        last: week.last,
        touch_idea: TouchIdeaView { id: &t.id, title: &t.title, text: &t.text },
    }
}

/// Logs a 20-second hug for both partners. Taps within two minutes of the last hug (from
/// either phone) count as the same hug.
#[utoipa::path(post, path = "/api/v1/hugs", tag = "daily", security(("bearer" = [])),
    responses((status = 201, body = HugWeekView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn log_hug(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<(StatusCode, Json<HugWeekView>), ApiError> {
    let week = tend_domain::hug::log(&state.ctx, &me.user).await?;
    Ok((StatusCode::CREATED, Json(hug_week_view(week))))
}

/// This week's hugs.
#[utoipa::path(get, path = "/api/v1/hugs", tag = "daily", security(("bearer" = [])),
    responses((status = 200, body = HugWeekView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn hugs(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<HugWeekView>, ApiError> {
    let week = tend_domain::hug::week(&state.ctx, &me.user).await?;
    Ok(Json(hug_week_view(week)))
}
