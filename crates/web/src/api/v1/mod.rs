//! Version 1 of the API, one module per feature, and the views they share.

pub mod accounts;
pub mod couple;
pub mod daily;
pub mod learn;
pub mod practices;
pub mod questions;
pub mod sessions;
pub mod today;

use crate::AppState;
use serde::Serialize;
use tend_domain::store::User;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts::sign_up))
        .routes(routes!(accounts::log_in))
        .routes(routes!(accounts::log_out))
        .routes(routes!(accounts::me, accounts::update_me))
        .routes(routes!(accounts::change_password))
        .routes(routes!(sessions::list_sessions))
        .routes(routes!(sessions::revoke_session))
        .routes(routes!(sessions::list_tokens, sessions::create_token))
        .routes(routes!(sessions::revoke_token))
        .routes(routes!(couple::show, couple::unpair))
        .routes(routes!(couple::create_invite, couple::cancel_invite))
        .routes(routes!(couple::preview_invite))
        .routes(routes!(couple::join))
        .routes(routes!(today::show))
        .routes(routes!(daily::today_check_in, daily::record_check_in))
        .routes(routes!(daily::check_ins))
        .routes(routes!(daily::give, daily::list))
        .routes(routes!(daily::react))
        .routes(routes!(daily::starters))
        .routes(routes!(daily::rhythm))
        .routes(routes!(daily::history))
        .routes(routes!(daily::events))
        .routes(routes!(daily::log_hug, daily::hugs))
        .routes(routes!(practices::list, practices::start))
        .routes(routes!(practices::current))
        .routes(routes!(practices::guidance))
        .routes(routes!(practices::show))
        .routes(routes!(practices::join))
        .routes(routes!(practices::heard))
        .routes(routes!(practices::rate))
        .routes(routes!(practices::cancel))
        .routes(routes!(practices::listening_list, practices::share))
        .routes(routes!(practices::listening_show))
        .routes(routes!(practices::reflect))
        .routes(routes!(practices::answer))
        .routes(routes!(practices::set_aside))
        .routes(routes!(questions::today))
        .routes(routes!(questions::another))
        .routes(routes!(questions::show))
        .routes(routes!(questions::answer))
        .routes(routes!(questions::respond))
        .routes(routes!(questions::felt))
        .routes(routes!(questions::favorite))
        .routes(routes!(questions::ours))
        .routes(routes!(questions::ladder))
        .routes(routes!(questions::ready))
        .routes(routes!(questions::not_yet))
        .routes(routes!(questions::step_back))
        .routes(routes!(questions::decks))
        .routes(routes!(questions::deck))
        .routes(routes!(learn::list))
        .routes(routes!(learn::show))
}

/// A person's own account.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    /// IANA time zone; "today" is this zone's date.
    pub time_zone: String,
    pub paired: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.0,
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            time_zone: u.time_zone.as_str().to_owned(),
            paired: u.couple_id.is_some(),
            created_at: u.created_at,
        }
    }
}

/// A partner as the other partner sees them (no email).
#[derive(Serialize, ToSchema)]
pub struct PartnerView {
    pub id: i64,
    pub display_name: String,
    pub time_zone: String,
    /// The partner's own local date right now (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub today: jiff::civil::Date,
}

impl PartnerView {
    pub fn of(u: &User, now: jiff::Timestamp) -> Self {
        Self {
            id: u.id.0,
            display_name: u.display_name.clone(),
            time_zone: u.time_zone.as_str().to_owned(),
            today: u.time_zone.today(now),
        }
    }
}

/// An empty success.
#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

impl Done {
    pub fn json() -> axum::Json<Done> {
        axum::Json(Done { ok: true })
    }
}
