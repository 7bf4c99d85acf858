//! Learn: Tend's own short guide to emotional intimacy.

use super::Layout;
use crate::auth::{CsrfToken, MaybeUser};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use tend_domain::content::{self, GuidePage};

#[derive(Template)]
#[template(path = "learn/index.html")]
pub struct LearnIndexPage {
    pub layout: Layout,
    pub pages: &'static [GuidePage],
}

#[derive(Template)]
#[template(path = "learn/page.html")]
pub struct LearnPage {
    pub layout: Layout,
    pub page: &'static GuidePage,
    pub next: Option<&'static GuidePage>,
}

pub async fn list(user: MaybeUser, csrf: CsrfToken) -> Response {
    render(&LearnIndexPage { layout: Layout::of(&user, &csrf, "learn"), pages: content::guide() })
}

pub async fn show(user: MaybeUser, csrf: CsrfToken, Path(slug): Path<String>) -> Result<Response, PageError> {
    let layout = Layout::of(&user, &csrf, "learn");
    let page = content::guide_page(&slug).ok_or_else(PageError::not_found)?;
    let next = content::guide().iter().find(|p| p.order > page.order);
    Ok(render(&LearnPage { layout, page, next }))
}
