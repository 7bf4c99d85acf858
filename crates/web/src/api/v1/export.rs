//! Export: everything the caller may see, as one ZIP (`data.json`, photos and an HTML archive).

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, Problem};
use crate::export::{self, Refused};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Downloads everything you may see in Tend as one ZIP: `data.json` (a versioned schema,
/// documented in docs/export.md), your photos and those shown to you (`photos/<id>.jpg`), and
/// a readable HTML archive (`index.html`) that opens offline with no script. Your partner's
/// private parts are never in it: their check-ins and answers that are not revealed to you,
/// how they felt, their favourites and ratings, and photos they picked but have not shown you. After unpairing it holds your own words from the couples you were in. The archive
/// is streamed as it is made; a few exports may run at once, and one more is refused with
/// 503 and `Retry-After`.
#[utoipa::path(get, path = "/api/v1/export", tag = "accounts", operation_id = "export", security(("bearer" = [])),
    responses(
        (status = 200, description = "application/zip: the archive, as an attachment named tend-export-YYYY-MM-DD.zip",
            content_type = "application/zip",
            headers(("content-disposition" = String, description = "attachment; filename=\"tend-export-YYYY-MM-DD.zip\""))),
        (status = 503, description = "Several exports are being prepared right now; try again after `Retry-After` seconds", body = Problem),
    ))]
pub async fn export(State(state): State<AppState>, ApiCaller(me): ApiCaller) -> Result<Response, ApiError> {
    match export::start(&state.ctx, &me.user, &state.exports).await {
        Ok(download) => Ok((
            [
                (header::CONTENT_TYPE, export::CONTENT_TYPE.to_owned()),
                (header::CONTENT_DISPOSITION, export::disposition(&download.file_name)),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            download.body,
        )
            .into_response()),
        Err(Refused::Busy) => {
            let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", export::BUSY);
            e.0.retry_after = Some(60);
            Err(e)
        }
        Err(Refused::Domain(e)) => Err(e.into()),
    }
}
