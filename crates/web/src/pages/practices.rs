//! The guided practices at a glance.

use super::Layout;
use crate::AppState;
use crate::auth::{CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tend_domain::{conversation, hug};

#[derive(Template)]
#[template(path = "practices/index.html")]
pub struct PracticesPage {
    pub layout: Layout,
    pub partner: String,
    pub hugs_this_week: u32,
    pub talks_held: u32,
}

pub async fn show(State(state): State<AppState>, me: SignedIn, csrf: CsrfToken) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = tend_domain::couple::us(&state.ctx, user).await?;
    let page = PracticesPage {
        layout: Layout::new(Some(&me.0), &csrf, "practices"),
        partner: us.partner.display_name,
        hugs_this_week: hug::week(&state.ctx, user).await?.this_week,
        talks_held: conversation::history(&state.ctx, user).await?.held,
    };
    Ok(render(&page))
}
