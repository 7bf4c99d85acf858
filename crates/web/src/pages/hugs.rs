//! The 20-second hug: a calm countdown, then "we hugged", logged for both.

use super::{Layout, notice, when};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tend_domain::hug;

#[derive(Template)]
#[template(path = "hugs/hug.html")]
pub struct HugPage {
    pub layout: Layout,
    pub partner: String,
    pub seconds: u32,
    pub this_week: u32,
    pub last: Option<String>,
    pub notice: Option<&'static str>,
    /// Today's idea for affectionate touch beyond the hug, the same for both partners.
    pub touch: &'static tend_domain::touch::TouchIdea,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
    let week = hug::week(&state.ctx, &me.0.user).await?;
    let page = HugPage {
        layout: Layout::new(Some(&me.0), &csrf, "practices"),
        partner: us.partner.display_name,
        seconds: hug::SECONDS,
        this_week: week.this_week,
        last: week.last.map(|t| when(t, &me.0.user.time_zone)),
        notice: notice(q.done.as_deref()),
        touch: week.touch,
    };
    Ok(render(&page))
}

pub async fn log(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    hug::log(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/hugs?done=hugged").into_response())
}
