//! Tend's guide, as data.

use crate::api::ApiPath;
use crate::error::{ApiError, Problem};
use axum::Json;
use serde::Serialize;
use tend_domain::content::{self, GuidePage};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct GuideSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct GuideSectionView {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GuidePageView {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub sections: Vec<GuideSectionView>,
    pub sources: Vec<String>,
}

impl From<&GuidePage> for GuidePageView {
    fn from(p: &GuidePage) -> Self {
        Self {
            slug: p.slug.clone(),
            title: p.title.clone(),
            summary: p.summary.clone(),
            sections: p
                .sections
                .iter()
                .map(|s| GuideSectionView { heading: s.heading.clone(), paragraphs: s.paragraphs.clone() })
                .collect(),
            sources: p.sources.iter().map(|s| s.citation.clone()).collect(),
        }
    }
}

/// The guide's pages, in reading order.
#[utoipa::path(get, path = "/api/v1/learn", tag = "learn", responses((status = 200, body = Vec<GuideSummary>)))]
pub async fn list() -> Json<Vec<GuideSummary>> {
    Json(
        content::guide()
            .iter()
            .map(|p| GuideSummary { slug: p.slug.clone(), title: p.title.clone(), summary: p.summary.clone() })
            .collect(),
    )
}

/// One page of the guide.
#[utoipa::path(get, path = "/api/v1/learn/{slug}", tag = "learn",
    params(("slug" = String, Path)),
    responses((status = 200, body = GuidePageView), (status = 404, body = Problem)))]
pub async fn show(ApiPath(slug): ApiPath<String>) -> Result<Json<GuidePageView>, ApiError> {
    content::guide_page(&slug).map(|p| Json(GuidePageView::from(p))).ok_or_else(ApiError::not_found)
}
