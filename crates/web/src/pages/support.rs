//! Getting support and the private safety check. The check's answers are read from the
//! request, weighed, and dropped with it: this module stores nothing, logs nothing, emits no
//! event and notifies no one, so nothing of it can reach the partner.

use super::Layout;
use crate::auth::{CsrfToken, MaybeUser};
use crate::error::render;
use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tend_domain::content::Source;
use tend_domain::support::{
    self, Country, Prose, SafetyAnswers, SafetyOutcome, SafetyQuestion, SafetyTexts, SupportPage,
};

#[derive(Template)]
#[template(path = "support/show.html")]
pub struct GettingSupportPage {
    pub layout: Layout,
    pub page: &'static SupportPage,
}

#[derive(Template)]
#[template(path = "support/safety.html")]
pub struct SafetyFormPage {
    pub layout: Layout,
    pub texts: &'static SafetyTexts,
    pub questions: &'static [SafetyQuestion],
}

#[derive(Template)]
#[template(path = "support/result.html")]
pub struct SafetyResultPage {
    pub layout: Layout,
    pub texts: &'static SafetyTexts,
    pub concern: bool,
    pub result: &'static Prose,
    pub countries: Vec<&'static Country>,
    /// Whether the first country is the reader's own, as far as their time zone tells.
    pub local_first: bool,
    pub sources: &'static [Source],
}

/// What the safety pages send besides the page: never kept in any cache, never named to the
/// site a link leads to. (The app sets both on every page; these say it where it matters
/// most, so no later change elsewhere can loosen them.)
const PRIVATE: [(header::HeaderName, &str); 2] =
    [(header::CACHE_CONTROL, "no-store"), (header::REFERRER_POLICY, "no-referrer")];

pub async fn show(user: MaybeUser, csrf: CsrfToken) -> Response {
    render(&GettingSupportPage { layout: Layout::of(&user, &csrf, "learn"), page: support::support_page() })
}

pub async fn safety_form(user: MaybeUser, csrf: CsrfToken) -> Response {
    let texts = support::safety();
    let page = SafetyFormPage { layout: Layout::of(&user, &csrf, "learn"), texts, questions: &texts.questions };
    (PRIVATE, render(&page)).into_response()
}

/// The check's result, shown in answer to the POST itself: the answers go no further than
/// this function. A form that cannot be read counts as nothing answered, never as an error,
/// so the helplines always show.
pub async fn safety_check(
    user: MaybeUser,
    csrf: CsrfToken,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let fields = form.map(|Form(fields)| fields).unwrap_or_default();
    let outcome = support::assess(&SafetyAnswers::from_pairs(fields.iter().map(|(k, v)| (k, v))));
    // The signed-in reader's own zone first, else the one their browser offered; a zone that
    // matches no listed country (UTC, or something made up) leaves the usual order.
    let own_zone = user.0.as_ref().map(|u| u.user.time_zone.as_str());
    let device_zone = fields.iter().find(|(k, _)| k == "zone").map(|(_, v)| v.as_str());
    let hotlines = [own_zone, device_zone]
        .into_iter()
        .flatten()
        .map(|zone| support::hotlines_for(Some(zone)))
        .find(|h| h.local_first)
        .unwrap_or_else(|| support::hotlines_for(None));
    let texts = support::safety();
    let page = SafetyResultPage {
        layout: Layout::of(&user, &csrf, "learn"),
        texts,
        concern: outcome == SafetyOutcome::Concern,
        result: texts.result(outcome),
        countries: hotlines.countries,
        local_first: hotlines.local_first,
        sources: &texts.sources,
    };
    (PRIVATE, render(&page)).into_response()
}
