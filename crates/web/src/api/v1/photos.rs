//! Photos, the monthly show-and-tell and Our memories: what the Show-and-tell and Memories
//! pages do, for scripts and apps.
//!
//! A pick is its owner's alone until a show-and-tell shows it; until then, and for anyone
//! outside the couple, every photo address answers the same 404 as one that never existed.

use crate::AppState;
use crate::api::{ApiJson, ApiPath, ApiQuery, parse_id};
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tend_domain::Error;
use tend_domain::ids::ShowAndTellId;
use tend_domain::memories::{self, Memory};
use tend_domain::photo::{self, MAX_UPLOAD_BYTES, PhotoId, Refusal, Size};
use tend_domain::show_and_tell::{self, First, Hub, Live, Past, PhotoPrompt, PhotoReaction};
use tend_domain::store::photos::PhotoKind;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

/// The upload's own body limit: the largest photo and room for the form around it. Every other
/// route keeps the router's 64 KiB.
pub const UPLOAD_BODY_LIMIT: usize = MAX_UPLOAD_BYTES + 1024 * 1024;

/// The most a text field of the upload form (caption, kind) may carry before it is refused
/// unread: far more than any caption Tend keeps, far less than a photo.
const FORM_TEXT_MAX: usize = 16 * 1024;

/// One-line text as `text::one_line` takes it (as `doc::Rule::Line` says it).
const LINE_PATTERN: &str = r"^[^\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]*$";

/// This module's routes, each with its documentation; the upload carries its own body limit.
pub fn routes() -> Vec<UtoipaMethodRouter<AppState>> {
    let (schemas, paths, upload_route) = routes!(upload);
    vec![
        (schemas, paths, upload_route.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))),
        routes!(show, caption, delete),
        routes!(image),
        routes!(reply),
        routes!(hub, start),
        routes!(reactions),
        routes!(live),
        routes!(next),
        routes!(timeline),
    ]
}

fn words_schema(description: &str, words: Vec<String>, nullable: bool) -> RefOr<Schema> {
    let mut values: Vec<serde_json::Value> = words.into_iter().map(serde_json::Value::from).collect();
    let kind = if nullable {
        values.push(serde_json::Value::Null);
        SchemaType::Array(vec![Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(kind).description(Some(description)).enum_values(Some(values)).into()
}

fn line_schema(description: &str, max: usize, nullable: bool) -> RefOr<Schema> {
    let kind =
        if nullable { SchemaType::Array(vec![Type::String, Type::Null]) } else { SchemaType::Type(Type::String) };
    ObjectBuilder::new()
        .schema_type(kind)
        .description(Some(description))
        .max_length(Some(max))
        .pattern(Some(LINE_PATTERN))
        .into()
}

fn kinds() -> Vec<String> {
    [PhotoKind::Pick, PhotoKind::Memory].into_iter().map(|k| k.as_str().to_owned()).collect()
}

fn kind_schema() -> RefOr<Schema> {
    words_schema("`pick` or `memory`.", kinds(), false)
}

fn upload_kind_schema() -> RefOr<Schema> {
    let mut words = kinds();
    words.push(String::new());
    words_schema(
        "`pick` (the default; empty is the default too): private until your next show-and-tell shows it, at most \
         five waiting; or `memory`: straight to Our memories, seen by your partner at once.",
        words,
        false,
    )
}

fn caption_schema() -> RefOr<Schema> {
    line_schema("Your words about the photo, one line; empty for none.", photo::CAPTION_MAX, false)
}

fn upload_caption_schema() -> RefOr<Schema> {
    line_schema("Your words about the photo, one line.", photo::CAPTION_MAX, false)
}

fn reaction_choice_schema() -> RefOr<Schema> {
    let mut ids: Vec<String> = vec![String::new()];
    ids.extend(show_and_tell::reactions().iter().map(|r| r.id.clone()));
    words_schema("A reaction's id (see `GET /api/v1/show-and-tell/reactions`); empty or null for none.", ids, true)
}

fn reply_words_schema() -> RefOr<Schema> {
    line_schema("A few words back, one line; empty or null for none.", photo::REPLY_MAX, true)
}

fn first_schema() -> RefOr<Schema> {
    words_schema(
        "Who tells first: `me` (the default) or `partner`. Whoever has picked nothing never tells first.",
        vec!["me".into(), "partner".into()],
        true,
    )
}

/// The same answer for a photo that does not exist, is another couple's, or is a pick the
/// partner has not been shown yet: nobody can tell them apart.
fn not_found() -> ApiError {
    Error::NotFound.into()
}

fn photo_id(raw: &str) -> Result<PhotoId, ApiError> {
    PhotoId::parse(raw).ok_or_else(not_found)
}

/// A domain answer, with every "not found" the one of [`not_found`].
fn found<T>(result: tend_domain::Result<T>) -> Result<T, ApiError> {
    result.map_err(|e| match e {
        Error::NotFound => not_found(),
        other => other.into(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct PhotoReactionView {
    pub id: String,
    pub emoji: String,
    pub label: String,
}

impl From<&PhotoReaction> for PhotoReactionView {
    fn from(r: &PhotoReaction) -> Self {
        Self { id: r.id.clone(), emoji: r.emoji.clone(), label: r.label.clone() }
    }
}

/// Where the photo's JPEG bytes are, at each size. An address always shows the same bytes.
#[derive(Serialize, ToSchema)]
pub struct PhotoUrls {
    /// At most 400 px on the long edge.
    pub thumb: String,
    /// At most 1600 px.
    pub screen: String,
    /// At most 4096 px.
    pub full: String,
}

impl PhotoUrls {
    fn of(id: &PhotoId) -> Self {
        let url = |size: Size| format!("/api/v1/photos/{id}/{}", size.as_str());
        Self { thumb: url(Size::Thumb), screen: url(Size::Screen), full: url(Size::Full) }
    }
}

/// A photo as the caller may see it: their own, or one their partner has shown them.
#[derive(Serialize, ToSchema)]
pub struct PhotoView {
    /// 22 characters, base64url.
    pub id: String,
    #[schema(schema_with = kind_schema)]
    pub kind: &'static str,
    /// Yours (you may caption and delete it), or your partner's (you may answer it).
    pub mine: bool,
    pub owner_name: String,
    pub caption: String,
    /// The full size's dimensions, upright.
    pub width: u32,
    pub height: u32,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    /// Whether the partner has seen it: at a show-and-tell, or at once for a memory. A pick
    /// not yet shown is its owner's alone.
    pub shown: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub shown_at: Option<jiff::Timestamp>,
    /// The partner's reaction, if they gave one.
    pub reaction: Option<PhotoReactionView>,
    /// The partner's words back; empty when none.
    pub reply: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub replied_at: Option<jiff::Timestamp>,
    pub urls: PhotoUrls,
}

fn view(p: &photo::PhotoView) -> PhotoView {
    PhotoView {
        id: p.id.to_string(),
        kind: p.kind.as_str(),
        mine: p.mine,
        owner_name: p.owner_name.clone(),
        caption: p.caption.clone(),
        width: p.width,
        height: p.height,
        created_at: p.created_at,
        shown: p.shown_at.is_some(),
        shown_at: p.shown_at,
        reaction: p.reaction.map(PhotoReactionView::from),
        reply: p.reply.clone(),
        replied_at: p.replied_at,
        urls: PhotoUrls::of(&p.id),
    }
}

/// The upload form (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The photo: JPEG, PNG or WebP, at most 20 MB and 50 megapixels. iPhone HEIC photos are
    /// refused with advice; share them as JPEG. Tend keeps it upright, in three sizes, with
    /// every piece of metadata (place, camera, time) removed.
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    #[schema(schema_with = upload_caption_schema, required = false)]
    caption: Option<String>,
    #[schema(schema_with = upload_kind_schema, required = false)]
    kind: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", Refusal::TooLarge.to_string())
}

fn unreadable_form(e: &MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The form could not be read: send it as multipart/form-data with the photo in the `photo` field.",
        )
    }
}

/// Reads a field's bytes, refusing with `over` as soon as they would pass `max`: nothing
/// beyond `max` is ever kept.
async fn read_capped(field: &mut Field<'_>, max: usize, over: fn() -> ApiError) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| unreadable_form(&e))? {
        if bytes.len() + chunk.len() > max {
            // Read (and drop) the rest of the field, within the route's body limit, so the
            // client hears the refusal instead of a connection cut while it still sends.
            while let Ok(Some(_)) = field.chunk().await {}
            return Err(over());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn caption_too_long() -> ApiError {
    Error::field("caption", format!("Please keep the caption to {} characters.", photo::CAPTION_MAX)).into()
}

fn kind_unknown() -> ApiError {
    Error::field("kind", "Choose \"pick\" or \"memory\".").into()
}

/// Uploads a photo: a pick for your next show-and-tell (your partner sees it only when it is
/// shown there; at most five wait at once), or a memory both of you see at once. Tend checks
/// it, turns it upright, removes every piece of metadata (place, camera, time) and keeps three
/// sizes, sealed.
#[utoipa::path(post, path = "/api/v1/photos", tag = "photos", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo, developed and kept", body = PhotoView),
        (status = 400, description = "The form could not be read as multipart/form-data", body = Problem),
        (status = 409, description = "Not paired, or five picks are waiting already", body = Problem),
        (status = 413, description = "The photo is larger than 20 MB (nothing past that is read)", body = Problem),
        (status = 415, description = "The body was not sent as `multipart/form-data`", body = Problem),
        (status = 422, description = "No photo; a file that is no JPEG, PNG or WebP, a HEIC, a damaged file or one over 50 megapixels (`errors` says which, for `photo`); a caption too long; an unknown kind", body = Problem),
        (status = 503, description = "Many photos are being developed right now; nothing was saved; see Retry-After", body = Problem),
    ))]
pub async fn upload(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<PhotoView>), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content-type",
            "Send the photo as `multipart/form-data`, in a field named `photo`.",
        ));
    }
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "The multipart/form-data body has no boundary.")
    })?;
    // Wait for a place before reading the body (see `uploads`).
    let _place = crate::uploads::admit(&state.uploads).await?;
    let mut bytes: Option<Vec<u8>> = None;
    let mut caption = String::new();
    let mut kind = PhotoKind::Pick;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| unreadable_form(&e))? {
        match field.name().unwrap_or_default() {
            "photo" => {
                if bytes.is_some() {
                    return Err(Error::field("photo", "Send one photo at a time.").into());
                }
                bytes = Some(read_capped(&mut field, MAX_UPLOAD_BYTES, too_large).await?);
            }
            "caption" => {
                let raw = read_capped(&mut field, FORM_TEXT_MAX, caption_too_long).await?;
                caption = String::from_utf8(raw).map_err(|_| {
                    ApiError::from(Error::field("caption", "That caption contains characters we can’t show."))
                })?;
            }
            "kind" => {
                let raw = read_capped(&mut field, FORM_TEXT_MAX, kind_unknown).await?;
                let raw = String::from_utf8_lossy(&raw);
                kind = match raw.trim() {
                    "" => PhotoKind::Pick,
                    other => PhotoKind::parse(other).ok_or_else(kind_unknown)?,
                };
            }
            // Anything else is skipped unread (within the route's body limit).
            _ => {}
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return Err(Error::field("photo", "Choose a photo to upload.").into());
    };
    let view_of = photo::upload(&state.ctx, &me.user, photo::Upload { bytes, caption, kind }).await?;
    Ok((StatusCode::CREATED, Json(view(&view_of))))
}

/// One photo: your own, or one your partner has shown you (any other is not found).
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "A photo's id (22 characters)", pattern = r"^[A-Za-z0-9_-]{22}$")),
    responses((status = 200, body = PhotoView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<PhotoView>, ApiError> {
    let id = photo_id(&id)?;
    Ok(Json(view(&found(photo::get(&state.ctx, &me.user, &id).await)?)))
}

/// One of the three sizes a photo is kept in.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum PhotoSize {
    Thumb,
    Screen,
    Full,
}

/// A photo's bytes (JPEG, no metadata). An address never changes what it shows, so it may be
/// cached for good, privately.
#[utoipa::path(get, path = "/api/v1/photos/{id}/{size}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "A photo's id (22 characters)", pattern = r"^[A-Za-z0-9_-]{22}$"), ("size" = inline(PhotoSize), Path)),
    responses(
        (status = 200, description = "image/jpeg: the photo at that size", content_type = "image/jpeg",
            headers(("cache-control" = String, description = "private, max-age=31536000, immutable"))),
        (status = 404, description = "No such photo or size, or one you may not see", body = Problem),
        (status = 409, description = "Not paired", body = Problem),
    ))]
pub async fn image(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath((id, size)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let id = photo_id(&id)?;
    let size = Size::parse(&size).ok_or_else(not_found)?;
    let bytes = found(photo::bytes(&state.ctx, &me.user, &id, size).await)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct CaptionBody {
    #[schema(schema_with = caption_schema)]
    caption: String,
}

/// Changes your photo's caption.
#[utoipa::path(patch, path = "/api/v1/photos/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "A photo's id (22 characters)", pattern = r"^[A-Za-z0-9_-]{22}$")), request_body = CaptionBody,
    responses((status = 200, body = PhotoView), (status = 404, description = "No such photo of yours", body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn caption(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<CaptionBody>,
) -> Result<Json<PhotoView>, ApiError> {
    let id = photo_id(&id)?;
    Ok(Json(view(&found(photo::caption(&state.ctx, &me.user, &id, &body.caption).await)?)))
}

/// Deletes your photo, with its files.
#[utoipa::path(delete, path = "/api/v1/photos/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "A photo's id (22 characters)", pattern = r"^[A-Za-z0-9_-]{22}$")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such photo of yours", body = Problem),
        (status = 409, description = "Not paired, or the photo belongs to the show-and-tell you are in the middle of", body = Problem),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = photo_id(&id)?;
    found(photo::delete(&state.ctx, &me.user, &id).await)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PhotoReplyBody {
    #[serde(default)]
    #[schema(schema_with = reaction_choice_schema, required = false)]
    reaction: Option<String>,
    #[serde(default)]
    #[schema(schema_with = reply_words_schema, required = false)]
    words: Option<String>,
}

/// Answers a photo your partner has shown you: a reaction, a few words, or both. Answering
/// again replaces the answer.
#[utoipa::path(post, path = "/api/v1/photos/{id}/reply", tag = "photos", security(("bearer" = [])),
    params(("id" = String, Path, description = "A photo's id (22 characters)", pattern = r"^[A-Za-z0-9_-]{22}$")), request_body = PhotoReplyBody,
    responses(
        (status = 200, body = PhotoView),
        (status = 404, description = "No such photo shown to you", body = Problem),
        (status = 409, description = "Not paired, or your own photo", body = Problem),
        (status = 422, description = "Neither a reaction nor words, an unknown reaction, or words too long", body = Problem),
    ))]
pub async fn reply(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PhotoReplyBody>,
) -> Result<Json<PhotoView>, ApiError> {
    let id = photo_id(&id)?;
    let reaction = body.reaction.unwrap_or_default();
    let words = body.words.unwrap_or_default();
    Ok(Json(view(&found(show_and_tell::reply(&state.ctx, &me.user, &id, &reaction, &words).await)?)))
}

#[derive(Serialize, ToSchema)]
pub struct PhotoPromptView {
    pub id: String,
    pub text: String,
}

impl From<&PhotoPrompt> for PhotoPromptView {
    fn from(p: &PhotoPrompt) -> Self {
        Self { id: p.id.clone(), text: p.text.clone() }
    }
}

/// A show-and-tell as the caller sees it; both phones show the same step.
#[derive(Serialize, ToSchema)]
pub struct ShowAndTellView {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: jiff::Timestamp,
    /// The photo on screen, from 0; equal to `total` once finished. Send it back as `from`
    /// with `next`.
    pub step: i64,
    /// How many photos it shows.
    pub total: i64,
    pub finished: bool,
    /// The photo on screen now; null once finished.
    pub current: Option<PhotoView>,
    /// Whether you tell the story of the photo on screen (else you listen).
    pub teller_is_me: bool,
    pub teller_name: String,
    pub listener_name: String,
    /// A gentle question the listener may ask; only on the listener's phone.
    pub prompt: Option<PhotoPromptView>,
    /// Which of the teller's photos this is, from 1, and how many they brought.
    pub teller_index: usize,
    pub teller_count: usize,
    /// The next photo is the other partner's: "Next" swaps who tells.
    pub next_swaps: bool,
    /// Every photo shown so far, in order.
    pub shown: Vec<PhotoView>,
}

fn live_view(l: &Live) -> ShowAndTellView {
    ShowAndTellView {
        id: l.id.0,
        started_at: l.started_at,
        step: l.step,
        total: l.total,
        finished: l.finished,
        current: l.current.as_ref().map(view),
        teller_is_me: l.teller_is_me,
        teller_name: l.teller_name.clone(),
        listener_name: l.listener_name.clone(),
        prompt: l.prompt.map(PhotoPromptView::from),
        teller_index: l.teller_index,
        teller_count: l.teller_count,
        next_swaps: l.next_swaps,
        shown: l.shown.iter().map(view).collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct PastShowAndTellView {
    pub id: i64,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<jiff::Timestamp>,
    /// How many photos it showed.
    pub photos: i64,
}

impl From<&Past> for PastShowAndTellView {
    fn from(p: &Past) -> Self {
        Self { id: p.id.0, started_at: p.started_at, finished_at: p.finished_at, photos: p.photos }
    }
}

/// The show-and-tell page: your picks, how many your partner has picked (never which), and
/// the show-and-tell going, if any.
#[derive(Serialize, ToSchema)]
pub struct ShowAndTellHubView {
    /// Your picks waiting for the next show-and-tell, in order.
    pub my_picks: Vec<PhotoView>,
    /// How many photos your partner has picked; which ones stays a surprise.
    pub partner_picks: i64,
    pub partner_name: String,
    /// How many picks each of you may have waiting.
    pub max_picks: i64,
    pub can_pick: bool,
    pub can_start: bool,
    /// The show-and-tell going now; null when none is.
    pub open: Option<ShowAndTellView>,
    /// Finished show-and-tells, newest first.
    pub past: Vec<PastShowAndTellView>,
}

fn hub_view(h: &Hub) -> ShowAndTellHubView {
    ShowAndTellHubView {
        my_picks: h.my_picks.iter().map(view).collect(),
        partner_picks: h.partner_picks,
        partner_name: h.partner_name.clone(),
        max_picks: h.max_picks,
        can_pick: h.can_pick(),
        can_start: h.can_start(),
        open: h.open.as_ref().map(live_view),
        past: h.past.iter().map(PastShowAndTellView::from).collect(),
    }
}

/// Your picks, how many your partner has picked, and the show-and-tell going, if any.
#[utoipa::path(get, path = "/api/v1/show-and-tell", tag = "photos", security(("bearer" = [])),
    responses((status = 200, body = ShowAndTellHubView), (status = 409, description = "Not paired", body = Problem)))]
pub async fn hub(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
) -> Result<Json<ShowAndTellHubView>, ApiError> {
    Ok(Json(hub_view(&show_and_tell::hub(&state.ctx, &me.user).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct ShowAndTellStartBody {
    #[serde(default)]
    #[schema(schema_with = first_schema, required = false)]
    first: Option<String>,
}

/// Starts the show-and-tell with every photo both of you have picked, and shows the first. If
/// one is already going (your partner started it a moment ago), that one is the answer (200).
#[utoipa::path(post, path = "/api/v1/show-and-tell", tag = "photos", security(("bearer" = [])),
    request_body = ShowAndTellStartBody,
    responses(
        (status = 201, description = "Started", body = ShowAndTellView),
        (status = 200, description = "The show-and-tell already going", body = ShowAndTellView),
        (status = 409, description = "Not paired, or neither of you has picked a photo", body = Problem),
    ))]
pub async fn start(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiJson(body): ApiJson<ShowAndTellStartBody>,
) -> Result<(StatusCode, Json<ShowAndTellView>), ApiError> {
    let first = match body.first.as_deref() {
        None | Some("me") => First::Me,
        Some("partner") => First::Partner,
        Some(_) => return Err(Error::field("first", "Choose \"me\" or \"partner\".").into()),
    };
    let before = show_and_tell::hub(&state.ctx, &me.user).await?.open.map(|l| l.id);
    let live = show_and_tell::start(&state.ctx, &me.user, first).await?;
    let status = if before == Some(live.id) { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(live_view(&live))))
}

/// The reactions a listener may give a photo.
#[utoipa::path(get, path = "/api/v1/show-and-tell/reactions", tag = "photos",
    responses((status = 200, body = [PhotoReactionView])))]
pub async fn reactions() -> Json<Vec<PhotoReactionView>> {
    Json(show_and_tell::reactions().iter().map(PhotoReactionView::from).collect())
}

/// One show-and-tell, at the step both phones are on.
#[utoipa::path(get, path = "/api/v1/show-and-tell/{id}", tag = "photos", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ShowAndTellView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn live(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ShowAndTellView>, ApiError> {
    let id: ShowAndTellId = parse_id(&id)?;
    Ok(Json(live_view(&found(show_and_tell::get(&state.ctx, &me.user, id).await)?)))
}

#[derive(Deserialize, ToSchema)]
pub struct NextBody {
    /// The step you are moving on from (the `step` you were shown). A tap that comes after the
    /// other phone already moved on changes nothing.
    #[serde(deserialize_with = "crate::api::whole")]
    #[schema(minimum = 0)]
    from: i64,
}

/// "Next photo" (or "Finish" on the last): moves both phones on from `from`. Finishing counts
/// the show-and-tell in your rhythm and keeps its photos in Our memories.
#[utoipa::path(post, path = "/api/v1/show-and-tell/{id}/next", tag = "photos", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NextBody,
    responses((status = 200, body = ShowAndTellView), (status = 404, body = Problem), (status = 409, description = "Not paired", body = Problem)))]
pub async fn next(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<NextBody>,
) -> Result<Json<ShowAndTellView>, ApiError> {
    let id: ShowAndTellId = parse_id(&id)?;
    if body.from < 0 {
        return Err(Error::field("from", "Send the step you were shown: 0 or more.").into());
    }
    Ok(Json(live_view(&found(show_and_tell::next(&state.ctx, &me.user, id, body.from).await)?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemoriesQuery {
    /// Words to find in a caption, a reply, an answer or a note; at most 100 characters.
    #[param(max_length = 100)]
    q: Option<String>,
    /// `YYYY-MM`: the months before this one (a page is six months; `earlier` in the answer
    /// names the next page). Ignored with `q`, which searches everything.
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}$")]
    before: Option<String>,
}

// The documented limit is the domain's.
const _: () = assert!(memories::SEARCH_MAX == 100);

/// One thing kept: a photo, an exchange of the Memories deck both answered, what a tech-free
/// evening was spent on, something new tried together, or a goal reached.
#[derive(Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MemoryView {
    Photo {
        #[schema(value_type = String, format = DateTime)]
        at: jiff::Timestamp,
        photo: Box<PhotoView>,
    },
    Exchange {
        #[schema(value_type = String, format = DateTime)]
        at: jiff::Timestamp,
        question_id: String,
        question: String,
        mine: String,
        theirs: String,
    },
    Evening {
        #[schema(value_type = String, format = DateTime)]
        at: jiff::Timestamp,
        note: String,
    },
    /// Something new tried together: how each of you found it, once said.
    Tried {
        #[schema(value_type = String, format = DateTime)]
        at: jiff::Timestamp,
        plan_id: i64,
        title: String,
        mine: Option<String>,
        theirs: Option<String>,
    },
    /// A goal one of you reached.
    GoalDone {
        #[schema(value_type = String, format = DateTime)]
        at: jiff::Timestamp,
        goal_id: i64,
        title: String,
        /// Whether it was your goal.
        mine: bool,
    },
}

fn memory_view(m: &Memory) -> MemoryView {
    match m {
        Memory::Photo { at, photo } => MemoryView::Photo { at: *at, photo: Box::new(view(photo)) },
        Memory::Exchange { at, question_id, question, mine, theirs } => MemoryView::Exchange {
            at: *at,
            question_id: question_id.clone(),
            question: question.clone(),
            mine: mine.clone(),
            theirs: theirs.clone(),
        },
        Memory::Evening { at, note } => MemoryView::Evening { at: *at, note: note.clone() },
        Memory::Tried { at, plan_id, title, mine, theirs } => MemoryView::Tried {
            at: *at,
            plan_id: *plan_id,
            title: title.clone(),
            mine: mine.clone(),
            theirs: theirs.clone(),
        },
        Memory::GoalDone { at, goal_id, title, mine } => {
            MemoryView::GoalDone { at: *at, goal_id: *goal_id, title: title.clone(), mine: *mine }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemoryMonthView {
    /// `2026-12`.
    pub key: String,
    /// `December 2026`.
    pub label: String,
    pub memories: Vec<MemoryView>,
}

#[derive(Serialize, ToSchema)]
pub struct MemoriesView {
    /// Newest month first, in your time zone.
    pub months: Vec<MemoryMonthView>,
    /// The search, as taken.
    pub query: String,
    /// How many memories on this page.
    pub count: usize,
    /// `before` for the next, older page, when there may be one.
    pub earlier: Option<String>,
}

/// Our memories: photos shown at a show-and-tell or added as memories, exchanges of the
/// Memories deck both answered, and tech-free evenings' notes, by month. Only what both of you
/// may see is on it.
#[utoipa::path(get, path = "/api/v1/memories", tag = "photos", security(("bearer" = [])), params(MemoriesQuery),
    responses((status = 200, body = MemoriesView), (status = 409, description = "Not paired", body = Problem), (status = 422, description = "A search that is too long, or a month that is not one", body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiCaller(me): ApiCaller,
    ApiQuery(q): ApiQuery<MemoriesQuery>,
) -> Result<Json<MemoriesView>, ApiError> {
    let query = super::daily::search(q.q.as_deref().unwrap_or_default(), memories::SEARCH_MAX)?;
    let before = match q.before.as_deref() {
        Some(raw) => Some(memories::parse_month(raw).ok_or_else(|| {
            ApiError::from(tend_domain::Error::field("before", "Please give a month as YYYY-MM, e.g. 2026-05."))
        })?),
        None => None,
    };
    let t = memories::timeline(&state.ctx, &me.user, &query, before).await?;
    Ok(Json(MemoriesView {
        months: t
            .months
            .iter()
            .map(|m| MemoryMonthView {
                key: m.key.clone(),
                label: m.label.clone(),
                memories: m.memories.iter().map(memory_view).collect(),
            })
            .collect(),
        query: t.query,
        count: t.count,
        earlier: t.earlier,
    }))
}
