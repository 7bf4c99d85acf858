//! The front door: what Tend is, for someone who has not signed in.

use super::{Layout, notice};
use crate::AppState;
use crate::auth::{CsrfToken, MaybeUser};
use crate::error::{PageError, render};
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use tend_domain::account::{self, SignUpMode};

#[derive(Template)]
#[template(path = "welcome.html")]
pub struct WelcomePage {
    pub layout: Layout,
    pub mode: SignUpMode,
    /// A goodbye after an account was deleted.
    pub notice: Option<&'static str>,
}

pub async fn show(
    State(state): State<AppState>,
    user: MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    if user.0.is_some() {
        return Ok(Redirect::to("/today").into_response());
    }
    let mode = account::sign_up_mode(&state.ctx).await?;
    let notice = notice(q.done.as_deref());
    Ok(render(&WelcomePage { layout: Layout::of(&user, &csrf, "welcome"), mode, notice }))
}
