//! Version 1 of the API, one module per feature, and the views they share.

pub mod accounts;
pub mod couple;
pub mod daily;
pub mod export;
pub mod goals;
pub mod knowing;
pub mod learn;
pub mod photos;
pub mod play;
pub mod practices;
pub mod questions;
pub mod reminders;
pub mod rhythm;
pub mod sessions;
pub mod today;

use crate::AppState;
use serde::Serialize;
use tend_domain::store::User;
use utoipa::ToSchema;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// Every route of the API with its documentation: `routes!` takes each path and method from
/// the handler's own `#[utoipa::path]`, so a route and its description cannot part ways.
pub fn routes() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::new();
    for handlers in [
        routes!(accounts::sign_up),
        routes!(accounts::log_in),
        routes!(accounts::log_out),
        routes!(accounts::me, accounts::update_me),
        routes!(accounts::change_password),
        routes!(accounts::deletion),
        routes!(accounts::delete_account),
        routes!(sessions::list_sessions),
        routes!(sessions::revoke_session),
        routes!(sessions::list_tokens, sessions::create_token),
        routes!(sessions::revoke_token),
        routes!(couple::show, couple::unpair),
        routes!(couple::create_invite, couple::open_invite, couple::cancel_invite),
        routes!(couple::preview_invite),
        routes!(couple::join),
        routes!(today::show),
        routes!(today::hide_guide),
        routes!(daily::today_check_in, daily::record_check_in),
        routes!(daily::check_ins),
        routes!(daily::give, daily::list),
        routes!(daily::react),
        routes!(daily::starters),
        routes!(daily::rhythm),
        routes!(daily::history),
        routes!(daily::events),
        routes!(daily::log_hug, daily::hugs),
        routes!(practices::list, practices::start),
        routes!(practices::current),
        routes!(practices::guidance),
        routes!(practices::show),
        routes!(practices::join),
        routes!(practices::heard),
        routes!(practices::rate),
        routes!(practices::cancel),
        routes!(practices::listening_list, practices::share),
        routes!(practices::listening_show),
        routes!(practices::reflect),
        routes!(practices::answer),
        routes!(practices::set_aside),
        routes!(questions::today),
        routes!(questions::another),
        routes!(questions::show),
        routes!(questions::answer),
        routes!(questions::respond),
        routes!(questions::felt),
        routes!(questions::favorite),
        routes!(questions::ours),
        routes!(questions::ladder),
        routes!(questions::ready),
        routes!(questions::not_yet),
        routes!(questions::step_back),
        routes!(questions::decks),
        routes!(questions::deck),
        routes!(rhythm::plan),
        routes!(rhythm::propose),
        routes!(rhythm::accept),
        routes!(rhythm::drop_proposal),
        routes!(rhythm::done),
        routes!(rhythm::week),
        routes!(rhythm::overview, rhythm::start),
        routes!(rhythm::show),
        routes!(rhythm::join),
        routes!(rhythm::end),
        routes!(rhythm::note),
        routes!(reminders::show, reminders::save),
        routes!(reminders::add_device, reminders::devices),
        routes!(reminders::remove_device),
        routes!(reminders::test),
        routes!(reminders::new_calendar, reminders::revoke_calendar),
        routes!(reminders::nudge),
        routes!(knowing::intimacy_map, knowing::take_map),
        routes!(knowing::state_of_us),
        routes!(knowing::save_state_of_us),
        routes!(knowing::feelings),
        routes!(knowing::insights),
        routes!(knowing::help_hint, knowing::set_help_hint),
        routes!(learn::list),
        routes!(learn::show),
        routes!(export::export),
    ] {
        router = add(router, handlers);
    }
    for handlers in photos::routes().into_iter().chain(play::routes()).chain(goals::routes()) {
        router = add(router, handlers);
    }
    crate::api::doc::finish(router.get_openapi_mut());
    router
}

/// Adds routes, refusing two different types under one schema name: the document keeps only
/// one of them, so the other would be described wrongly (as `AnswerBody` once was).
fn add(router: OpenApiRouter<AppState>, handlers: UtoipaMethodRouter<AppState>) -> OpenApiRouter<AppState> {
    let mut seen: std::collections::BTreeMap<&str, serde_json::Value> = std::collections::BTreeMap::new();
    let known = router.get_openapi().components.iter().flat_map(|c| c.schemas.iter());
    for (name, schema) in known.chain(handlers.0.iter().map(|(n, s)| (n, s))) {
        let schema = serde_json::to_value(schema).unwrap_or_default();
        if let Some(other) = seen.insert(name, schema.clone()) {
            assert!(other == schema, "two types share the OpenAPI schema name {name}; rename one");
        }
    }
    router.routes(handlers)
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
