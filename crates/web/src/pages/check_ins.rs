//! The daily check-in: saving one from the form on Today.

use super::FormErrors;
use super::today::{Variant, today_page};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::PageError;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use tend_domain::check_in::{self, NewCheckIn};

/// Saves today's check-in, or shows Today again with the form as sent and what to fix.
pub async fn record(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<NewCheckIn>,
) -> Result<Response, PageError> {
    match check_in::record(&state.ctx, &me.0.user, form.clone()).await {
        Ok(_) => Ok(Redirect::to("/today?done=checked-in#check-in").into_response()),
        Err(e) => {
            let v = Variant {
                check_in_errors: FormErrors::from_error(e)?,
                check_in_form: Some(form),
                ..Variant::default()
            };
            today_page(&state, &me, &csrf, v).await
        }
    }
}
