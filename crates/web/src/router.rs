//! The whole URL map of Tend, in one place.

use crate::api::{self, ApiDoc};
use crate::auth;
use crate::error::{ApiError, PageError};
use crate::pages::{
    accounts, admin, appreciations, check_ins, conversation, goals, history, hugs, insights, intimacy_map, learn,
    listening, pairing, past_words, play, practices, questions, reminders, rhythm, settings, show_and_tell,
    state_of_us, support, tech_free, today, welcome,
};
use crate::{AppState, assets, security};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// Bodies larger than this are refused with 413 before they are read.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Declares the pages: builds [`pages`] and lists the same routes, with their methods, in
/// [`PAGE_ROUTES`] from the very same tokens, so tests can walk every page route.
macro_rules! page_routes {
    ($($path:literal => $first:ident($first_handler:path) $(.$method:ident($handler:path))*;)*) => {
        /// Every page route and the methods it takes, in lower case (`"get"`, `"post"`), exactly
        /// as [`router`] serves them.
        pub const PAGE_ROUTES: &[(&str, &[&str])] = &[$(($path, &[stringify!($first) $(, stringify!($method))*])),*];

        fn pages() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::$first($first_handler)$(.$method($handler))*))*
        }
    };
}

// Pages. Every method but GET and HEAD needs the CSRF token: `auth::require_csrf` refuses
// it otherwise, for these routes and any other outside /api/, except the one-click email
// unsubscribe (`auth::CSRF_EXEMPT`), which a mail program posts with the token in its address.
page_routes! {
    "/" => get(welcome::show);
    "/signup" => get(accounts::new_form).post(accounts::create);
    "/login" => get(accounts::login_form).post(accounts::login);
    "/logout" => post(accounts::logout);
    "/forgot" => get(accounts::forgot_form).post(accounts::forgot);
    "/reset/{token}" => get(accounts::reset_form).post(accounts::reset);
    "/pair" => get(pairing::show);
    "/pair/invite" => post(pairing::create_invite);
    "/pair/invite/cancel" => post(pairing::cancel_invite);
    "/pair/join" => post(pairing::join);
    "/join/{token}" => get(pairing::invitation).post(pairing::accept);
    "/unpair" => get(pairing::unpair_form).post(pairing::unpair);
    "/today" => get(today::show);
    "/today/guide/hide" => post(today::hide_guide);
    "/events" => get(today::events);
    "/check-ins" => post(check_ins::record);
    "/appreciations" => get(appreciations::list).post(appreciations::give);
    "/appreciations/{id}/reaction" => post(appreciations::react);
    "/rhythm" => get(rhythm::show);
    "/rhythm/{practice}" => post(rhythm::propose);
    "/rhythm/{practice}/accept" => post(rhythm::accept);
    "/rhythm/{practice}/decline" => post(rhythm::decline);
    "/rhythm/{practice}/done" => post(rhythm::done);
    "/tech-free" => get(tech_free::show).post(tech_free::start);
    "/tech-free/{id}/join" => post(tech_free::join);
    "/tech-free/{id}/end" => post(tech_free::end);
    "/tech-free/{id}/note" => post(tech_free::note);
    "/show-and-tell" => get(show_and_tell::show).post(show_and_tell::start);
    "/show-and-tell/{id}" => get(show_and_tell::live);
    "/show-and-tell/{id}/next" => post(show_and_tell::next);
    "/memories" => get(show_and_tell::memories);
    "/photos/{id}/{size}" => get(show_and_tell::bytes);
    "/photos/{id}/reply" => post(show_and_tell::reply);
    "/photos/{id}/caption" => post(show_and_tell::caption);
    "/photos/{id}/delete" => post(show_and_tell::delete);
    "/history" => get(history::show);
    "/insights" => get(insights::show);
    "/intimacy-map" => get(intimacy_map::show).post(intimacy_map::take);
    "/state-of-us" => get(state_of_us::show).post(state_of_us::record);
    "/play" => get(play::list);
    "/play/ideas" => post(play::create);
    "/play/ideas/new" => get(play::new_form);
    "/play/ideas/{id}/mark" => post(play::mark);
    "/play/own/{id}/share" => post(play::share);
    "/play/matches" => get(play::matches);
    "/play/plans" => post(play::propose);
    "/play/plans/{id}" => get(play::show_plan);
    "/play/plans/{id}/accept" => post(play::accept);
    "/play/plans/{id}/cancel" => post(play::cancel);
    "/help-hint" => post(insights::help_hint);
    "/goals" => get(goals::list).post(goals::create);
    "/goals/new" => get(goals::new_form);
    "/goals/{id}" => get(goals::show).post(goals::update);
    "/goals/{id}/edit" => get(goals::edit_form);
    "/goals/{id}/done" => post(goals::finish);
    "/goals/{id}/delete" => post(goals::delete);
    "/goals/{id}/cheers" => post(goals::cheer);
    "/goals/{id}/cheers/{cheer}/accept" => post(goals::accept);
    "/goals/{id}/progress" => post(goals::progress);
    "/goals/{id}/progress/{progress}/reaction" => post(goals::react);
    "/hugs" => get(hugs::show).post(hugs::log);
    "/practices" => get(practices::show);
    "/conversations" => get(conversation::show_start).post(conversation::start);
    "/conversations/{id}" => get(conversation::show);
    "/conversations/{id}/rating" => post(conversation::rate);
    "/conversations/{id}/{step}" => post(conversation::step);
    "/listening" => get(listening::show).post(listening::start);
    "/listening/{id}/reflection" => post(listening::reflect);
    "/listening/{id}/answer" => post(listening::answer);
    "/listening/{id}/set-aside" => post(listening::set_aside);
    "/questions" => get(questions::index);
    "/questions/today/another" => post(questions::another);
    "/questions/deck/{id}" => get(questions::deck);
    "/questions/ours" => get(questions::ours);
    "/questions/{id}" => get(questions::question);
    "/questions/{id}/answer" => post(questions::answer);
    "/questions/{id}/response" => post(questions::respond);
    "/questions/{id}/felt" => post(questions::felt);
    "/questions/{id}/favorite" => post(questions::favorite);
    "/ladder/{step}" => post(questions::ladder);
    "/settings" => get(settings::show);
    "/settings/profile" => post(settings::update_profile);
    "/settings/password" => post(settings::change_password);
    "/settings/sessions/{id}/revoke" => post(settings::revoke_session);
    "/settings/tokens" => post(settings::create_token);
    "/settings/tokens/{id}/revoke" => post(settings::revoke_token);
    "/settings/export" => get(past_words::download);
    "/past-words" => get(past_words::list);
    "/past-words/{id}" => get(past_words::show);
    "/settings/delete-account" => get(settings::delete_account_form).post(settings::delete_account);
    "/admin" => get(admin::show);
    "/admin/accounts/{id}/reset-link" => post(admin::make_reset_link);
    "/admin/accounts/{id}/disable" => post(admin::disable);
    "/admin/accounts/{id}/enable" => post(admin::enable);
    "/reminders" => get(reminders::show).post(reminders::save);
    "/reminders/devices" => post(reminders::add_device);
    "/reminders/devices/{id}/remove" => post(reminders::remove_device);
    "/reminders/test/{channel}" => post(reminders::test);
    "/reminders/calendar" => post(reminders::new_calendar);
    "/reminders/calendar/revoke" => post(reminders::revoke_calendar);
    "/reminders/stop/{token}" => get(reminders::stop_form).post(reminders::stop);
    "/nudges" => post(reminders::nudge);
    "/calendar/{file}" => get(reminders::calendar);
    "/support" => get(support::show);
    "/support/safety" => get(support::safety_form).post(support::safety_check);
    "/learn" => get(learn::list);
    "/learn/{slug}" => get(learn::show);
}

/// Page addresses that moved when each feature got one name, old to new: bookmarks and links
/// people saved keep working, answered with a permanent redirect.
pub const MOVED: &[(&str, &str)] =
    &[("/talk", "/conversations"), ("/listen", "/listening"), ("/hug", "/hugs"), ("/q", "/questions")];

fn moved() -> Router<AppState> {
    MOVED.iter().fold(Router::new(), |router, &(old, new)| {
        let to = move |uri: Uri| async move {
            let rest = uri.path().strip_prefix(old).unwrap_or_default();
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            Redirect::permanent(&format!("{new}{rest}{query}"))
        };
        router.route(old, get(to)).route(&format!("{old}/{{*rest}}"), get(to))
    })
}

pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(api::v1::routes()).split_for_parts();
    let openapi_json = serde_json::to_value(&openapi).unwrap_or_default();

    let mut app = Router::new()
        .merge(pages())
        // Photos arrive as multipart/form-data, up to 20 MB (see `auth::MULTIPART_UPLOAD`).
        .route(
            auth::MULTIPART_UPLOAD,
            axum::routing::post(show_and_tell::upload)
                .layer(DefaultBodyLimit::max(tend_domain::photo::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        // "How was it?" with an optional photo, multipart too (see `auth::takes_multipart`).
        .route(
            auth::PLAY_AFTERWARDS,
            axum::routing::post(play::afterwards)
                .layer(DefaultBodyLimit::max(tend_domain::photo::MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .merge(moved())
        .merge(api)
        .route("/api/v1/openapi.json", get(move || async move { Json(openapi_json.clone()) }))
        .route("/healthz", get(healthz))
        .route("/static/{name}", get(assets::serve))
        .route("/manifest.webmanifest", get(crate::pwa::serve_manifest))
        .route("/sw.js", get(crate::pwa::service_worker))
        .route(crate::pwa::OFFLINE, get(crate::pwa::offline))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Inside `resolve`, which finds the token each browser must send back.
        .layer(middleware::from_fn(auth::require_csrf))
        .layer(middleware::from_fn_with_state(state.clone(), auth::resolve));
    for layer in security::layers() {
        app = app.layer(layer);
    }
    // Outermost, and after routing, so it times everything and knows the route's pattern.
    app.layer(middleware::from_fn_with_state(state.clone(), crate::access_log::log)).with_state(state)
}

/// 200 when the database answers, 503 when it does not.
/// 200 `ok` when this node can read and write; 503 `degraded` when writes fail (a full disk,
/// a read-only file) and `down` when the database does not answer. The body is JSON, so a
/// monitor can show the cause.
async fn healthz(State(state): State<AppState>) -> Response {
    let health = tend_domain::health::check(&state.ctx).await;
    if let Some(problem) = &health.problem {
        tracing::warn!(status = health.status(), problem = %problem, "health check failed");
    }
    let status = if health.is_ok() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = serde_json::json!({ "status": health.status(), "reads": health.reads, "writes": health.writes });
    (status, [(axum::http::header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        PageError::not_found().into_response()
    }
}

async fn method_not_allowed(uri: Uri) -> Response {
    let message = "This address doesn’t take that kind of request.";
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", message).into_response()
    } else {
        PageError::new(StatusCode::METHOD_NOT_ALLOWED, "That didn’t work", message).into_response()
    }
}
