//! The monthly photo show-and-tell (picking, then live on two phones), the photos themselves
//! (upload, bytes, caption, reply, delete) and Our memories.

use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::memories::{self, Memory, Timeline};
use tend_domain::photo::{self, MAX_UPLOAD_BYTES, PhotoId, PhotoView, Size, Upload};
use tend_domain::show_and_tell::{self, First, Hub, Live, PhotoReaction};
use tend_domain::store::photos::PhotoKind;
use tend_domain::time::TimeZoneName;
use tend_domain::{Error, ShowAndTellId};

/// A time as the page shows it, in the reader's zone: "Sunday 6 December".
fn day(at: jiff::Timestamp, tz: &TimeZoneName) -> String {
    at.to_zoned(tz.zone()).strftime("%A %-d %B").to_string()
}

#[derive(Template)]
#[template(path = "show_and_tell/hub.html")]
pub struct HubPage {
    pub layout: Layout,
    pub notice: Option<&'static str>,
    pub hub: Hub,
    pub partner: String,
    pub upload_error: Option<String>,
    pub caption_value: String,
    pub past: Vec<(i64, String, i64)>,
}

#[derive(Template)]
#[template(path = "show_and_tell/live.html")]
pub struct LivePage {
    pub layout: Layout,
    pub live: Live,
    pub reactions: &'static [PhotoReaction],
    pub reply_error: Option<String>,
    pub day: String,
}

#[derive(Template)]
#[template(path = "show_and_tell/memories.html")]
pub struct MemoriesPage {
    pub layout: Layout,
    pub notice: Option<&'static str>,
    pub timeline: Timeline,
    pub upload_error: Option<String>,
    pub caption_value: String,
    pub tz: TimeZoneName,
}

impl MemoriesPage {
    fn when(&self, m: &Memory) -> String {
        day(m.at(), &self.tz)
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
    #[serde(default)]
    q: String,
    /// `YYYY-MM`: Our memories from the months before this one.
    before: Option<String>,
}

fn paired(me: &SignedIn) -> Option<Response> {
    me.0.user.couple_id.is_none().then(|| Redirect::to("/pair").into_response())
}

async fn hub_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    done: Option<&str>,
    upload: Option<(String, String)>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(me) {
        return Ok(r);
    }
    let hub = show_and_tell::hub(&state.ctx, &me.0.user).await?;
    if let (Some(open), None) = (&hub.open, &upload) {
        return Ok(Redirect::to(&format!("/show-and-tell/{}", open.id)).into_response());
    }
    let tz = &me.0.user.time_zone;
    let past = hub.past.iter().map(|p| (p.id.0, day(p.started_at, tz), p.photos)).collect();
    let (upload_error, caption_value) = match upload {
        Some((e, c)) => (Some(e), c),
        None => (None, String::new()),
    };
    let status = if upload_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = HubPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        notice: notice(done),
        partner: hub.partner_name.clone(),
        hub,
        upload_error,
        caption_value,
        past,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    hub_page(&state, &me, &csrf, q.done.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct StartForm {
    #[serde(default)]
    first: String,
}

pub async fn start(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(form): CsrfForm<StartForm>,
) -> Result<Response, PageError> {
    let first = if form.first == "partner" { First::Partner } else { First::Me };
    let live = show_and_tell::start(&state.ctx, &me.0.user, first).await?;
    Ok(Redirect::to(&format!("/show-and-tell/{}", live.id)).into_response())
}

fn parse_id(raw: &str) -> Result<ShowAndTellId, PageError> {
    super::parse_id(raw)
}

async fn live_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: ShowAndTellId,
    reply_error: Option<String>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(me) {
        return Ok(r);
    }
    let live = show_and_tell::get(&state.ctx, &me.0.user, id).await?;
    let status = if reply_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = LivePage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        day: day(live.started_at, &me.0.user.time_zone),
        live,
        reactions: show_and_tell::reactions(),
        reply_error,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn live(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    live_page(&state, &me, &csrf, parse_id(&id)?, None).await
}

#[derive(Deserialize)]
pub struct NextForm {
    #[serde(default)]
    from: String,
}

/// "Next photo", "Swap" or "Finish": moves both phones on.
pub async fn next(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NextForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let from: i64 = form.from.trim().parse().map_err(|_| PageError::from(Error::NotFound))?;
    show_and_tell::next(&state.ctx, &me.0.user, id, from).await?;
    Ok(Redirect::to(&format!("/show-and-tell/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    reaction: String,
    #[serde(default)]
    words: String,
    /// Where to go back to: the show-and-tell the reply was given in, or Our memories.
    #[serde(default)]
    show: String,
}

pub async fn reply(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Result<Response, PageError> {
    let photo = PhotoId::parse(&id).ok_or(Error::NotFound)?;
    let show = form.show.trim().parse::<i64>().ok().map(ShowAndTellId);
    match show_and_tell::reply(&state.ctx, &me.0.user, &photo, &form.reaction, &form.words).await {
        Ok(_) => Ok(Redirect::to(&match show {
            Some(s) => format!("/show-and-tell/{s}"),
            None => "/memories?done=replied".to_owned(),
        })
        .into_response()),
        Err(e @ (Error::Invalid(_) | Error::Rejected(_))) => {
            let message = one_message(e, &["reply", "reaction"])?;
            match show {
                Some(s) => live_page(&state, &me, &csrf, s, Some(message)).await,
                None => Err(PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "That didn’t work", &message)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The message of a refused form that shows one line of error: the general one, or the first
/// of `fields` that has one.
fn one_message(e: Error, fields: &[&str]) -> Result<String, PageError> {
    let errors = FormErrors::from_error(e)?;
    let field = fields.iter().find_map(|f| errors.get(f)).map(str::to_owned);
    Ok(errors.general.clone().or(field).unwrap_or_default())
}

/// One size of a photo, to its couple only; never cached by anything shared.
pub async fn bytes(
    State(state): State<AppState>,
    me: SignedIn,
    Path((id, size)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = PhotoId::parse(&id).ok_or(Error::NotFound)?;
    let size = Size::parse(size.trim_end_matches(".jpg")).ok_or(Error::NotFound)?;
    let bytes = photo::bytes(&state.ctx, &me.0.user, &id, size).await?;
    Ok(photo_response(bytes))
}

/// The headers every photo goes out with: its type, kept privately by the browser (a photo's
/// bytes never change under its id), and no guessing of the type.
pub fn photo_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response()
}

/// The upload form's fields, read in order: the CSRF token must come before the photo, so a
/// forged upload is refused before a byte of it is kept.
struct UploadForm {
    kind: PhotoKind,
    caption: String,
    bytes: Option<Vec<u8>>,
}

async fn read_upload(mut multipart: Multipart, csrf: &CsrfToken) -> Result<UploadForm, UploadProblem> {
    let mut form = UploadForm { kind: PhotoKind::Pick, caption: String::new(), bytes: None };
    let mut checked = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| UploadProblem::Unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            if !checked {
                return Err(UploadProblem::Forged);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| UploadProblem::TooLarge)? {
                if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                    // Drop the rest within the route's body limit, so the browser hears why.
                    while let Ok(Some(_)) = field.chunk().await {}
                    return Err(UploadProblem::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            form.bytes = Some(bytes).filter(|b| !b.is_empty());
            continue;
        }
        let text = field.text().await.map_err(|_| UploadProblem::Unreadable)?;
        match name.as_str() {
            "csrf" => checked = crate::auth::csrf_matches(&text, csrf),
            "kind" => form.kind = PhotoKind::parse(&text).unwrap_or(PhotoKind::Pick),
            "caption" => form.caption = text,
            _ => {}
        }
    }
    if !checked {
        return Err(UploadProblem::Forged);
    }
    Ok(form)
}

enum UploadProblem {
    Forged,
    TooLarge,
    Unreadable,
}

/// A photo from the phone: a pick for the show-and-tell, or a memory for both at once.
pub async fn upload(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    multipart: Multipart,
) -> Result<Response, PageError> {
    // Wait for a place before reading the body (see `uploads`).
    let _place = crate::uploads::admit(&state.uploads).await?;
    let form = match read_upload(multipart, &csrf).await {
        Ok(form) => form,
        Err(UploadProblem::Forged) => return Err(crate::auth::csrf_refused()),
        Err(UploadProblem::TooLarge) => {
            return Err(PageError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "That photo is too large",
                "Tend takes photos up to 20 MB. Please go back and choose a smaller one.",
            ));
        }
        Err(UploadProblem::Unreadable) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "That upload didn’t arrive whole",
                "Please go back and try again.",
            ));
        }
    };
    let back = |error: String, caption: String| async {
        match form.kind {
            PhotoKind::Pick => hub_page(&state, &me, &csrf, None, Some((error, caption))).await,
            PhotoKind::Memory => memories_page(&state, &me, &csrf, None, "", None, Some((error, caption))).await,
        }
    };
    let Some(bytes) = form.bytes else {
        return back("Please choose a photo first.".into(), form.caption.clone()).await;
    };
    let upload = Upload { bytes, caption: form.caption.clone(), kind: form.kind };
    match photo::upload(&state.ctx, &me.0.user, upload).await {
        Ok(_) => Ok(Redirect::to(match form.kind {
            PhotoKind::Pick => "/show-and-tell?done=picked",
            PhotoKind::Memory => "/memories?done=memory-kept",
        })
        .into_response()),
        Err(e @ (Error::Invalid(_) | Error::Rejected(_))) => {
            let message = one_message(e, &["photo", "caption"])?;
            back(message, form.caption.clone()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct CaptionForm {
    #[serde(default)]
    caption: String,
    #[serde(default)]
    back: String,
}

fn back_to(raw: &str) -> &'static str {
    if raw == "memories" { "/memories" } else { "/show-and-tell" }
}

pub async fn caption(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CaptionForm>,
) -> Result<Response, PageError> {
    let id = PhotoId::parse(&id).ok_or(Error::NotFound)?;
    photo::caption(&state.ctx, &me.0.user, &id, &form.caption).await?;
    Ok(Redirect::to(&format!("{}?done=captioned", back_to(&form.back))).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CaptionForm>,
) -> Result<Response, PageError> {
    let id = PhotoId::parse(&id).ok_or(Error::NotFound)?;
    photo::delete(&state.ctx, &me.0.user, &id).await?;
    Ok(Redirect::to(&format!("{}?done=photo-removed", back_to(&form.back))).into_response())
}

async fn memories_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    done: Option<&str>,
    q: &str,
    before: Option<jiff::civil::Date>,
    upload: Option<(String, String)>,
) -> Result<Response, PageError> {
    if let Some(r) = paired(me) {
        return Ok(r);
    }
    let (timeline, search_error) = match memories::timeline(&state.ctx, &me.0.user, q, before).await {
        Ok(t) => (t, None),
        Err(Error::Invalid(e)) => {
            (memories::timeline(&state.ctx, &me.0.user, "", before).await?, e.get("q").map(str::to_owned))
        }
        Err(e) => return Err(e.into()),
    };
    let (upload_error, caption_value) = match upload {
        Some((e, c)) => (Some(e), c),
        None => (search_error, String::new()),
    };
    let status = if upload_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = MemoriesPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        notice: notice(done),
        timeline,
        upload_error,
        caption_value,
        tz: me.0.user.time_zone.clone(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn memories(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    // An address with a month that is not one shows the newest months, as without it.
    let before = q.before.as_deref().and_then(memories::parse_month);
    memories_page(&state, &me, &csrf, q.done.as_deref(), &q.q, before, None).await
}

/// For templates: a photo's image address.
pub fn src(p: &PhotoView, size: &str) -> String {
    format!("/photos/{}/{size}", p.id)
}
