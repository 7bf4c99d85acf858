//! How a failed request looks: a friendly page for people, `application/problem+json` for
//! programs. A domain error is never a 500 unless the database itself failed.

use crate::pages::Layout;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use tend_domain::{Error, FieldErrors};

/// The status that fits a domain error.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Rejected(_) => StatusCode::CONFLICT,
        Error::BadCredentials | Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Unavailable(_) => StatusCode::BAD_GATEWAY,
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn log_internal(e: &Error) {
    if let Error::Internal(detail) = e {
        tracing::error!(%detail, "request failed");
    }
}

/// An error page for people.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

pub struct PageError {
    pub status: StatusCode,
    pub heading: String,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// What an error page says, kept on the response so that [`with_layout`] can draw it again
/// inside the frame of the person who asked (their name, navigation and CSRF token).
#[derive(Clone, Debug)]
struct ErrorContent {
    heading: String,
    message: String,
}

/// Redraws an error page in the requester's own frame; other responses pass unchanged.
pub fn with_layout(mut response: Response, layout: Layout) -> Response {
    if let Some(content) = response.extensions_mut().remove::<ErrorContent>() {
        let status = response.status();
        let page = ErrorPage { layout, status: status.as_u16(), heading: content.heading, message: content.message };
        let fresh = render(&page);
        *response.body_mut() = fresh.into_body();
    }
    response
}

impl PageError {
    pub fn new(status: StatusCode, heading: &str, message: impl Into<String>) -> Self {
        Self { status, heading: heading.into(), message: message.into(), retry_after: None }
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Nothing here",
            "We couldn’t find that page. It may have moved, or the link may be incomplete.",
        )
    }
}

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        log_internal(&e);
        let heading = match &e {
            Error::NotFound => "Nothing here",
            Error::Throttled { .. } => "Let’s pause a moment",
            Error::Busy { .. } => "Tend is busy",
            Error::Unavailable(_) => "That couldn’t be sent",
            Error::Internal(_) => "Something went wrong",
            Error::Unauthenticated | Error::BadCredentials => "Please log in",
            Error::Invalid(_) | Error::Rejected(_) => "That didn’t work",
        };
        let mut message = e.to_string();
        if let Error::Invalid(fields) = &e {
            message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" ");
        }
        let retry_after = match e {
            Error::Throttled { retry_after_secs } | Error::Busy { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        Self { status: status_of(&e), heading: heading.into(), message, retry_after }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let content = ErrorContent { heading: self.heading.clone(), message: self.message.clone() };
        let page = ErrorPage {
            layout: Layout::bare(),
            status: self.status.as_u16(),
            heading: self.heading,
            message: self.message,
        };
        let mut response = (self.status, render(&page)).into_response();
        response.extensions_mut().insert(content);
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Renders a page; a template that fails to render is our bug, shown as a plain 500.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side.").into_response()
        }
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Per-field messages, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Seconds to wait, when throttled or busy; also in the `Retry-After` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

pub struct ApiError(pub Problem);

impl ApiError {
    pub fn new(status: StatusCode, kind: &str, detail: impl Into<String>) -> Self {
        Self(Problem {
            kind: format!("urn:tend:problem:{kind}"),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        })
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "There is nothing at this address.")
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        log_internal(&e);
        let kind = match &e {
            Error::Invalid(_) => "validation",
            Error::Rejected(_) => "rejected",
            Error::BadCredentials => "bad-credentials",
            Error::Throttled { .. } => "throttled",
            Error::Busy { .. } => "busy",
            Error::Unavailable(_) => "unavailable",
            Error::Unauthenticated => "unauthenticated",
            Error::NotFound => "not-found",
            Error::Internal(_) => "internal",
        };
        let mut problem = ApiError::new(status_of(&e), kind, e.to_string()).0;
        match e {
            Error::Invalid(fields) => problem.errors = field_problems(&fields),
            Error::Throttled { retry_after_secs } | Error::Busy { retry_after_secs } => {
                problem.retry_after = Some(retry_after_secs);
            }
            _ => {}
        }
        Self(problem)
    }
}

fn field_problems(fields: &FieldErrors) -> Vec<ProblemField> {
    fields.iter().map(|f| ProblemField { field: f.field.to_string(), message: f.message.clone() }).collect()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.0.retry_after;
        let body = serde_json::to_vec(&self.0).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
