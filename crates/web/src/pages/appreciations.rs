//! Appreciations: giving one (from the form on Today), every one received and given, newest
//! first, paged and searchable; and answering one.

use super::today::{Variant, today_page};
use super::views::{AppreciationView, ReactionChoice, reaction_choices};
use super::{FormErrors, Layout, safe_return};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::appreciation::{self, Box, NewAppreciation, NewReaction};
use tend_domain::couple;

#[derive(Template)]
#[template(path = "appreciations/list.html")]
pub struct AppreciationsPage {
    pub layout: Layout,
    pub received: bool,
    pub query: String,
    pub items: Vec<AppreciationView>,
    pub page: u32,
    pub has_more: bool,
    pub reactions: Vec<ReactionChoice>,
    pub return_to: String,
}

impl AppreciationsPage {
    fn link(&self, page: u32) -> String {
        let which = if self.received { "received" } else { "given" };
        let q = crate::auth::urlencode(&self.query);
        format!("/appreciations?box={which}&q={q}&page={page}")
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "box")]
    which: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let which = if q.which.as_deref() == Some("given") { Box::Given } else { Box::Received };
    let page_no = q.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1);
    let query: String = q.q.unwrap_or_default().chars().take(appreciation::QUERY_MAX).collect();
    let page = appreciation::list(&state.ctx, &me.0.user, which, Some(&query), page_no).await?;
    let us = couple::us(&state.ctx, &me.0.user).await?;
    let mut view = AppreciationsPage {
        layout: Layout::new(Some(&me.0), &csrf, "today"),
        received: which == Box::Received,
        query,
        items: page.items.iter().map(|a| AppreciationView::of(a, &us, false)).collect(),
        page: page.page,
        has_more: page.has_more,
        reactions: reaction_choices(),
        return_to: String::new(),
    };
    view.return_to = view.link(view.page);
    Ok(render(&view))
}

#[derive(Deserialize, Default)]
pub struct ReactionForm {
    reaction: Option<String>,
    #[serde(default)]
    reply: String,
    return_to: Option<String>,
}

pub async fn react(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ReactionForm>,
) -> Result<Response, PageError> {
    let id = super::parse_id(&id)?;
    appreciation::react(&state.ctx, &me.0.user, id, NewReaction { reaction: form.reaction, reply: form.reply }).await?;
    let back = safe_return(form.return_to.as_deref(), "/today#appreciations");
    let sep = if back.contains('?') { '&' } else { '?' };
    let (path, fragment) = back.split_once('#').map_or((back.as_str(), ""), |(p, f)| (p, f));
    let fragment = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
    Ok(Redirect::to(&format!("{path}{sep}done=reacted{fragment}")).into_response())
}

/// Gives an appreciation, or shows Today again with the form as sent and what to fix.
pub async fn give(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<NewAppreciation>,
) -> Result<Response, PageError> {
    match appreciation::give(&state.ctx, &me.0.user, form.clone()).await {
        Ok(_) => Ok(Redirect::to("/today?done=appreciated#appreciations").into_response()),
        Err(e) => {
            let v = Variant {
                appreciation_errors: FormErrors::from_error(e)?,
                appreciation_form: form,
                ..Variant::default()
            };
            today_page(&state, &me, &csrf, v).await
        }
    }
}
