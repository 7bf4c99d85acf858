//! The JSON API under `/api/v1`: every action of the web pages, for scripts and apps, with
//! bearer tokens and an OpenAPI 3.1 document at `/api/v1/openapi.json`.

pub mod doc;
pub mod v1;

use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
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
        (name = "rhythm", description = "Our rhythm: agreed times for each practice (proposed by one, accepted by the other), this week, and the tech-free evening"),
        (name = "reminders", description = "Reminders: your choices per practice and channel, quiet hours, devices for Web Push, your calendar feed, and the daily nudge"),
        (name = "photos", description = "Photos, the monthly show-and-tell (each partner picks up to five; a pick stays private until it is shown), and Our memories"),
        (name = "play", description = "Play and new things together: an idea deck and your couple's own ideas, private marks (yes, maybe, not for me), matches, plans both agree to, and how it was. Your marks are private: they are only ever returned to you, and your partner learns of them only through a match, an idea you both said yes or maybe to. A mark that makes no match changes nothing your partner can see or hear. Your own ideas stay yours until you suggest them"),
        (name = "knowing", description = "Knowing each other: Our intimacy map and the weekly State of Us (answer, then reveal), insights, and the private help hint"),
        (name = "goals", description = "Each other's goals: share a goal (or keep it private), cheer your partner's on with words, a day you'll ask about it or an offer of help, post progress your partner can react to, and celebrate it done. A private goal, with its cheers and progress, is only ever returned to its owner: to the partner it is not found, like a goal that does not exist"),
        (name = "learn", description = "Tend’s guide"),
        (name = "meta", description = "This document"),
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
/// malformed JSON (400), anything but an object or wrong fields (422), too large (413).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as any JSON first: serde would take `[]` for a struct whose fields all have
        // defaults, and every body Tend takes is an object.
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(json_problem(rejection)),
        };
        if !value.is_object() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The body must be a JSON object, like {\"name\": \"my script\"}.",
            ));
        }
        let bytes =
            serde_json::to_vec(&value).map_err(|e| ApiError::from(tend_domain::Error::Internal(e.to_string())))?;
        axum::Json::<T>::from_bytes(&bytes).map(|axum::Json(v)| ApiJson(v)).map_err(json_problem)
    }
}

fn json_problem(rejection: JsonRejection) -> ApiError {
    match rejection {
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
    }
}

/// A query string whose failure is a problem document (400) naming the parameter, rather than
/// axum's plain-text answer.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad-query",
                format!("The query string does not fit this address: {}", e.body_text()),
            )),
            Err(other) => Err(ApiError::new(StatusCode::BAD_REQUEST, "bad-query", other.body_text())),
        }
    }
}

/// Path parameters; a path that does not fit (not UTF-8, say) names nothing, so it is not found.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::MissingPathParams(e)) => Err(ApiError::from(tend_domain::Error::Internal(format!(
                "route without its parameters: {}",
                e.body_text()
            )))),
            Err(_) => Err(ApiError::not_found()),
        }
    }
}

/// A whole number in a JSON body, written as `7` or `7.0`: JSON Schema's "integer" takes both.
pub fn whole<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

/// [`whole`] for a field that may be left out or null.
pub fn whole_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole")] i64);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}

/// Ids in paths: anything that is not one is simply not found.
pub fn parse_id<Id: std::str::FromStr>(raw: &str) -> Result<Id, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}
