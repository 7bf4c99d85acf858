//! Reminders: what the Reminders page does, for scripts and apps. Your choices and quiet
//! hours, the devices that get notifications, a test message, your calendar feed address,
//! and the daily nudge to your partner.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use tend_domain::reminder::{self, Channel, NewChoices, NewDevice, Overview};
use tend_domain::rhythm::Practice;
use tend_domain::store::reminders::PushSubscription;
use utoipa::ToSchema;

/// How a reminder reaches you, as it appears in paths and bodies.
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)]
pub enum ChannelName {
    Push,
    Email,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct WantView {
    /// The practice: hug, check-in, appreciation, conversation, tech-free-evening, listening, show-and-tell,
    /// state-of-us or intimacy-map.
    pub practice: String,
    /// push or email.
    pub channel: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeviceView {
    pub id: i64,
    /// "Chrome on Android".
    pub label: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl From<&PushSubscription> for DeviceView {
    fn from(d: &PushSubscription) -> Self {
        Self { id: d.id.0, label: d.label.clone(), created_at: d.created_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChannelsView {
    /// Web Push works here: subscribe with `push_public_key`.
    pub push: bool,
    /// Email is set up here.
    pub email: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RemindersView {
    /// Quiet hours start, `22:00`, in your zone.
    pub quiet_from: String,
    /// Quiet hours end, `08:00`; equal to `quiet_from` means none.
    pub quiet_until: String,
    /// What you want to be reminded of, and how. Reminders follow your agreed rhythm.
    pub wanted: Vec<WantView>,
    /// Which channels this Tend offers.
    pub channels: ChannelsView,
    /// The VAPID public key (base64url) for `PushManager.subscribe`.
    pub push_public_key: Option<String>,
    pub devices: Vec<DeviceView>,
    /// When your current calendar address was made, if you have one.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub calendar_since: Option<jiff::Timestamp>,
}

fn view(state: &AppState, o: &Overview) -> RemindersView {
    RemindersView {
        quiet_from: o.choices.quiet.from.strftime("%H:%M").to_string(),
        quiet_until: o.choices.quiet.until.strftime("%H:%M").to_string(),
        wanted: o
            .choices
            .wanted
            .iter()
            .map(|(p, c)| WantView { practice: p.as_str().into(), channel: c.as_str().into() })
            .collect(),
        channels: ChannelsView { push: state.courier.push_public_key().is_some(), email: state.courier.email_ready() },
        push_public_key: state.courier.push_public_key(),
        devices: o.devices.iter().map(DeviceView::from).collect(),
        calendar_since: o.calendar_since,
    }
}

/// Your reminder choices, quiet hours, devices and calendar address.
#[utoipa::path(get, path = "/api/v1/reminders", tag = "reminders", security(("bearer" = [])),
    responses((status = 200, body = RemindersView)))]
pub async fn show(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Json<RemindersView>, ApiError> {
    let overview = reminder::overview(&state.ctx, &me.user).await?;
    Ok(Json(view(&state, &overview)))
}

#[derive(Deserialize, ToSchema)]
pub struct ChoicesBody {
    /// `22:00`, in your zone.
    quiet_from: String,
    /// `08:00`; the same as `quiet_from` for no quiet hours.
    quiet_until: String,
    /// Everything you want to be reminded of; what is left out is off.
    #[serde(default)]
    wanted: Vec<WantBody>,
}

#[derive(Deserialize, ToSchema)]
pub struct WantBody {
    #[schema(value_type = crate::api::v1::rhythm::PracticeName)]
    practice: String,
    #[schema(value_type = ChannelName)]
    channel: String,
}

/// Replaces your reminder choices and quiet hours.
#[utoipa::path(put, path = "/api/v1/reminders", tag = "reminders", security(("bearer" = [])),
    request_body = ChoicesBody,
    responses((status = 200, body = RemindersView), (status = 422, body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<ChoicesBody>,
) -> Result<Json<RemindersView>, ApiError> {
    let form = NewChoices {
        quiet_from: body.quiet_from,
        quiet_until: body.quiet_until,
        wanted: body.wanted.into_iter().map(|w| format!("{}:{}", w.practice, w.channel)).collect(),
    };
    reminder::save_choices(&state.ctx, &me.user, &form).await?;
    let overview = reminder::overview(&state.ctx, &me.user).await?;
    Ok(Json(view(&state, &overview)))
}

#[derive(Deserialize, ToSchema)]
pub struct DeviceBody {
    /// The push service's address for this browser: https, on a public host.
    endpoint: String,
    keys: DeviceKeysBody,
    /// What to call the device; made from the User-Agent when absent.
    #[serde(default)]
    label: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct DeviceKeysBody {
    /// The browser's P-256 public key, base64url (65 bytes, uncompressed).
    p256dh: String,
    /// The browser's authentication secret, base64url (16 bytes).
    auth: String,
}

/// Adds a device for notifications: the body is what `PushSubscription.toJSON()` gives.
#[utoipa::path(post, path = "/api/v1/reminders/devices", tag = "reminders", security(("bearer" = [])),
    request_body = DeviceBody,
    responses((status = 201, body = DeviceView), (status = 422, description = "A malformed subscription, or an endpoint that is not https or points to a private address", body = Problem)))]
pub async fn add_device(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DeviceBody>,
) -> Result<(StatusCode, Json<DeviceView>), ApiError> {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let device = NewDevice {
        endpoint: body.endpoint,
        keys: reminder::DeviceKeys { p256dh: body.keys.p256dh, auth: body.keys.auth },
        label: body.label,
    };
    let added = reminder::add_device(&state.ctx, &me.user, &device, agent, state.endpoint_policy).await?;
    Ok((StatusCode::CREATED, Json(DeviceView::from(&added))))
}

/// Your devices that get notifications.
#[utoipa::path(get, path = "/api/v1/reminders/devices", tag = "reminders", security(("bearer" = [])),
    responses((status = 200, body = [DeviceView])))]
pub async fn devices(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<Vec<DeviceView>>, ApiError> {
    let devices = reminder::devices(&state.ctx, &me.user).await?;
    Ok(Json(devices.iter().map(DeviceView::from).collect()))
}

/// Stops notifications to one of your devices.
#[utoipa::path(delete, path = "/api/v1/reminders/devices/{id}", tag = "reminders", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem)))]
pub async fn remove_device(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    reminder::remove_device(&state.ctx, &me.user, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TestSentView {
    /// How many devices (or emails) it went to.
    pub sent: usize,
}

/// Sends you a test notification (to each of your devices) or a test email.
#[utoipa::path(post, path = "/api/v1/reminders/test/{channel}", tag = "reminders", security(("bearer" = [])),
    params(("channel" = inline(ChannelName), Path)),
    responses((status = 200, body = TestSentView), (status = 404, body = Problem),
        (status = 409, description = "No device yet, or email not set up here", body = Problem),
        (status = 502, description = "The push service or mail server did not take it", body = Problem)))]
pub async fn test(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(channel): ApiPath<String>,
) -> Result<Json<TestSentView>, ApiError> {
    let channel = Channel::parse(&channel).ok_or_else(ApiError::not_found)?;
    let sent = reminder::send_test(&state.ctx, state.courier.as_ref(), &me.user, channel).await?;
    Ok(Json(TestSentView { sent }))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarView {
    /// Your secret calendar address (iCalendar). Shown only now; a new one turns it off.
    pub url: String,
}

/// Makes a new secret calendar address for you, turning off the old one.
#[utoipa::path(post, path = "/api/v1/reminders/calendar", tag = "reminders", security(("bearer" = [])),
    responses((status = 201, body = CalendarView)))]
pub async fn new_calendar(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<CalendarView>), ApiError> {
    let token = reminder::new_calendar_token(&state.ctx, &me.user).await?;
    let base = crate::pages::pairing::base_url(&state.config, &headers);
    Ok((StatusCode::CREATED, Json(CalendarView { url: format!("{base}/calendar/{}.ics", token.expose()) })))
}

/// Turns your calendar address off.
#[utoipa::path(delete, path = "/api/v1/reminders/calendar", tag = "reminders", security(("bearer" = [])),
    responses((status = 204, description = "Turned off")))]
pub async fn revoke_calendar(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<StatusCode, ApiError> {
    reminder::revoke_calendar(&state.ctx, &me.user).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct NudgeBody {
    /// What you would love to do together; a check-in when absent.
    #[serde(default)]
    #[schema(value_type = Option<crate::api::v1::rhythm::PracticeName>)]
    practice: Option<String>,
}

/// Sends your partner one gentle nudge ("Sam would love a check-in with you today"), by the
/// channels they chose, outside their quiet hours. One a day.
#[utoipa::path(post, path = "/api/v1/nudges", tag = "reminders", security(("bearer" = [])),
    request_body = NudgeBody,
    responses((status = 204, description = "Sent"), (status = 409, description = "Not paired, or you nudged today already", body = Problem), (status = 422, body = Problem)))]
pub async fn nudge(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<NudgeBody>,
) -> Result<StatusCode, ApiError> {
    let practice = match body.practice.as_deref() {
        None => Practice::CheckIn,
        Some(raw) => Practice::parse(raw).ok_or_else(|| {
            let mut errors = tend_domain::FieldErrors::default();
            errors.add("practice", "Please choose a practice, such as check-in.");
            ApiError::from(tend_domain::Error::Invalid(errors))
        })?,
    };
    reminder::nudge(&state.ctx, &me.user, practice).await?;
    Ok(StatusCode::NO_CONTENT)
}
