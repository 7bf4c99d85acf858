//! The JSON API under `/api/v1`: every action of the web pages, for scripts and apps, with
//! bearer tokens and an OpenAPI 3.1 document at `/api/v1/openapi.json`.

pub mod v1;

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tend API",
        description = "Everything a partner can do in Tend's pages, as JSON. Authenticate with a personal access token: \
            create one in Settings, or with `POST /api/v1/auth/login`, and send it as `Authorization: Bearer tend_…`. \
            Errors are `application/problem+json` (RFC 9457). Every read and write is limited to the caller's own couple.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "accounts", description = "Signing up, logging in, profile and password"),
        (name = "sessions", description = "Browser sessions and personal access tokens"),
        (name = "couple", description = "Invites, joining a partner, and unpairing"),
        (name = "today", description = "The day as both partners live it"),
        (name = "daily", description = "Check-ins (answer, then reveal), appreciations, rhythm, history, live events"),
        (name = "practices", description = "The Stress-Reducing Conversation (live on two phones) and reflective listening"),
        (name = "questions", description = "Question decks: answer, then reveal; responses; the ladder that goes deeper only when both are ready"),
        (name = "learn", description = "Tend's guide"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("tend_…").build()),
        );
    }
}

/// A JSON body whose every failure is a problem document: wrong content type (415),
/// malformed JSON (400), wrong fields (422), too large (413).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "content-type",
                    "Send the body as JSON with `Content-Type: application/json`.",
                ),
                JsonRejection::JsonSyntaxError(e) => ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed-json",
                    format!("The body is not valid JSON: {}", e.body_text()),
                ),
                JsonRejection::JsonDataError(e) => ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation",
                    format!("The JSON does not have the expected fields: {}", e.body_text()),
                ),
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "The body is larger than Tend accepts.")
                }
                other => ApiError::new(StatusCode::BAD_REQUEST, "bad-request", other.body_text()),
            }),
        }
    }
}

/// Ids in paths: anything that is not one is simply not found.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}
