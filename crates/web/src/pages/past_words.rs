//! "Your past words": after unpairing, each person reads their own words from couples that
//! have ended, read-only; and the download of everything they may see.

use super::Layout;
use crate::AppState;
use crate::auth::{CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::export::{self, Fmt, Refused};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tend_domain::CoupleId;
use tend_domain::export::{PastWords, past_couples, past_words};

pub struct CoupleRow {
    pub id: i64,
    pub since: String,
    pub ended: String,
}

#[derive(Template)]
#[template(path = "past_words/index.html")]
pub struct PastWordsListPage {
    pub layout: Layout,
    pub couples: Vec<CoupleRow>,
}

#[derive(Template)]
#[template(path = "past_words/show.html")]
pub struct PastWordsPage {
    pub layout: Layout,
    pub fmt: Fmt,
    pub words: PastWords,
}

pub async fn list(State(state): State<AppState>, me: SignedIn, csrf: CsrfToken) -> Result<Response, PageError> {
    let user = &me.0.user;
    let fmt = Fmt { tz: user.time_zone.clone() };
    let couples = past_couples(&state.ctx, user)
        .await?
        .into_iter()
        .rev()
        .map(|c| CoupleRow {
            id: c.id.0,
            since: fmt.date(c.since),
            ended: c.ended.map(|e| fmt.date(e)).unwrap_or_default(),
        })
        .collect();
    let page = PastWordsListPage { layout: Layout::new(Some(&me.0), &csrf, "settings"), couples };
    Ok(render(&page).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = super::parse_id(&id)?;
    let user = &me.0.user;
    let words = past_words(&state.ctx, user, CoupleId(id)).await?;
    let page = PastWordsPage {
        layout: Layout::new(Some(&me.0), &csrf, "settings"),
        fmt: Fmt { tz: user.time_zone.clone() },
        words,
    };
    Ok(render(&page).into_response())
}

/// "Download my data": the whole export as a ZIP attachment.
pub async fn download(State(state): State<AppState>, me: SignedIn) -> Result<Response, PageError> {
    match export::start(&state.ctx, &me.0.user, &state.exports).await {
        Ok(download) => Ok((
            [
                (header::CONTENT_TYPE, export::CONTENT_TYPE.to_owned()),
                (header::CONTENT_DISPOSITION, export::disposition(&download.file_name)),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            download.body,
        )
            .into_response()),
        Err(Refused::Busy) => Err(PageError {
            retry_after: Some(60),
            ..PageError::new(StatusCode::SERVICE_UNAVAILABLE, "Please try again in a minute", export::BUSY)
        }),
        Err(Refused::Domain(e)) => Err(e.into()),
    }
}
