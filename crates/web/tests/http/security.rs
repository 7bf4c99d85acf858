//! Attacks: another couple's data, a partner acting as the other, CSRF, guessing passwords
//! and invite codes.

use crate::support;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;
use tend_web::router::PAGE_ROUTES;

async fn one_couple_cannot_reach_another(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (a1, a2) = api_couple(&app, "juniper").await;
    let (b1, _b2) = api_couple(&app, "willow").await;

    // Ids of couple one's sessions and tokens, used by couple two.
    let browser = app.browser();
    browser.log_in("a-juniper@example.org", "a long enough password").await;
    let (_, sessions) = a1.get("/api/v1/sessions").await;
    let session_id = sessions[0]["id"].as_i64().expect("id");
    let (_, tokens) = a1.get("/api/v1/tokens").await;
    let token_id = tokens[0]["id"].as_i64().expect("id");
    assert_eq!(b1.delete(&format!("/api/v1/sessions/{session_id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(b1.delete(&format!("/api/v1/tokens/{token_id}")).await.0, StatusCode::NOT_FOUND);
    // Partners are no different: one partner cannot end the other's sessions or tokens.
    assert_eq!(a2.delete(&format!("/api/v1/sessions/{session_id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(a2.delete(&format!("/api/v1/tokens/{token_id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(a1.get("/api/v1/me").await.0, StatusCode::OK, "still valid");
    assert_eq!(browser.get("/today").await.status(), StatusCode::OK, "still signed in");

    // Nothing of couple one shows through couple two's views.
    for path in ["/api/v1/couple", "/api/v1/today", "/api/v1/me", "/api/v1/sessions", "/api/v1/tokens"] {
        let (status, body) = b1.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = body.to_string();
        assert!(!text.contains("juniper"), "{path}: {text}");
    }
    let (_, b_sessions) = b1.get("/api/v1/sessions").await;
    assert!(b_sessions.as_array().expect("list").iter().all(|s| s["id"].as_i64() != Some(session_id)));
    // And through the pages: a browser of couple two revoking couple one's session.
    let b_browser = app.browser();
    b_browser.log_in("a-willow@example.org", "a long enough password").await;
    let r = b_browser.submit("/settings", &format!("/settings/sessions/{session_id}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = b_browser.submit("/settings", &format!("/settings/tokens/{token_id}/revoke"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (_, html) = b_browser.page("/today").await;
    assert!(html.contains("B willow") && !html.contains("juniper"));

    // A third person cannot join a couple, whatever invite they hold.
    let (status, invite) = b1.post("/api/v1/invites", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a paired person has no one to invite: {invite}");
    let c = app.api().sign_up("C", "c@example.org", None).await;
    let (_, c_invite) = c.post("/api/v1/invites", json!({})).await;
    let (status, body) = a1.post("/api/v1/couple/join", json!({"invite": c_invite["code"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"][0]["message"].as_str().expect("m").contains("already paired"));
    let (_, couple) = a1.get("/api/v1/couple").await;
    assert_eq!(couple["partner"]["display_name"].as_str(), Some("B juniper"));

    // Unpairing one couple leaves the other alone.
    assert_eq!(a2.delete("/api/v1/couple").await.0, StatusCode::OK);
    assert_eq!(b1.get("/api/v1/couple").await.1["paired"].as_bool(), Some(true));
}

/// A path that matches a route pattern: every `{param}` becomes `1`.
fn concrete(pattern: &str) -> String {
    pattern.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/")
}

/// Every state-changing page route (method other than GET or HEAD) from the router's own
/// table, as (method, concrete path, route pattern).
fn state_changing_page_routes() -> Vec<(Method, String, &'static str)> {
    let mut routes = Vec::new();
    for (pattern, methods) in PAGE_ROUTES {
        for m in *methods {
            let method = Method::from_bytes(m.to_ascii_uppercase().as_bytes()).expect("an HTTP method");
            // The one-click email unsubscribe carries its own secret in the address and is
            // posted by mail programs (RFC 8058); reminders.rs shows a forged one does nothing.
            let exempt = tend_web::auth::CSRF_EXEMPT.iter().any(|prefix| pattern.starts_with(prefix));
            if method != Method::GET && method != Method::HEAD && !exempt {
                routes.push((method, concrete(pattern), *pattern));
            }
        }
    }
    routes
}

async fn is_csrf_refusal(r: reqwest::Response) -> bool {
    r.status() == StatusCode::FORBIDDEN
        && r.text().await.expect("body").contains("only accepts forms from its own pages")
}

/// Walks the router's table of page routes: every one that changes state refuses a request
/// without this browser's CSRF token, and lets one with it through to its handler.
async fn every_state_changing_page_route_needs_the_csrf_token(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = browser_couple(&app).await;

    let routes = state_changing_page_routes();
    let patterns: Vec<&str> = routes.iter().map(|r| r.2).collect();
    assert!(
        routes.len() >= 30
            && ["/login", "/signup", "/logout", "/settings/profile", "/unpair"].iter().all(|p| patterns.contains(p)),
        "the router's table lists the page routes: {patterns:?}"
    );
    // Fields that would change something, were any of them accepted.
    let forged = [
        ("display_name", "Mallory"),
        ("email", "m@example.org"),
        ("time_zone", "UTC"),
        ("current_password", "a long enough password"),
        ("new_password", "owned by mallory"),
        ("name", "mallory"),
        ("body", "forged"),
        ("kind", "gratitude"),
    ];
    for (method, path, _) in &routes {
        for token in ["", "forged-token-forged-token-forged-token"] {
            let mut fields = vec![("csrf", token)];
            fields.extend_from_slice(&forged);
            let r = alex.client.request(method.clone(), app.url(path)).form(&fields).send().await.expect("send");
            assert!(is_csrf_refusal(r).await, "{method} {path} with {token:?}");
        }
        let r = alex.client.request(method.clone(), app.url(path)).send().await.expect("send");
        assert!(is_csrf_refusal(r).await, "{method} {path} with no body");
        let r = alex
            .client
            .request(method.clone(), app.url(path))
            .header("content-type", "application/json")
            .body(r#"{"csrf": ""}"#)
            .send()
            .await
            .expect("send");
        assert!(is_csrf_refusal(r).await, "{method} {path} as JSON");
    }
    let me = app.store.user_by_email("alex@example.org").await.expect("read").expect("user");
    assert_eq!(me.display_name, "Alex", "nothing changed");
    assert!(me.couple_id.is_some(), "still paired");
    assert!(app.store.api_tokens_of(me.id).await.expect("list").is_empty());
    assert_eq!(alex.get("/settings").await.status(), StatusCode::OK, "still logged in");
    let r = alex
        .submit("/settings", "/login", &[("email", "alex@example.org"), ("password", "a long enough password")])
        .await;
    assert_eq!(location(&r), "/today", "the password is unchanged");

    // The layer covers every path outside /api/, not only the table: a route added anywhere
    // else is protected as well.
    let r = alex.post_raw("/not-a-page-yet", "", &[]).await;
    assert!(is_csrf_refusal(r).await, "unknown paths are refused first");
    let csrf = csrf_of(&alex.page("/settings").await.1);
    assert_eq!(alex.post_raw("/not-a-page-yet", &csrf, &[]).await.status(), StatusCode::NOT_FOUND);

    // With the token, each request passes the check and reaches its handler, which answers
    // for itself (a redirect, a form with errors, not found), never with the CSRF refusal.
    for (method, path, _) in &routes {
        if alex.get("/settings").await.status() != StatusCode::OK {
            // An earlier route (log out, revoke a session) ended this browser's session.
            alex.log_in("alex@example.org", "a long enough password").await;
        }
        let csrf = csrf_of(&alex.page("/settings").await.1);
        let r = alex
            .client
            .request(method.clone(), app.url(path))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .expect("send");
        let status = r.status();
        assert!(!is_csrf_refusal(r).await, "{method} {path} with its token");
        assert!(!status.is_server_error(), "{method} {path}: {status}");
    }

    // A script may send the token in a header instead of the form.
    let csrf = csrf_of(&alex.page("/settings").await.1);
    let r = alex
        .client
        .post(app.url("/settings/profile"))
        .header("x-csrf-token", &csrf)
        .form(&[("display_name", "Alex H"), ("email", "alex@example.org"), ("time_zone", "UTC")])
        .send()
        .await
        .expect("send");
    assert_eq!(location(&r), "/settings?done=profile");
    let r = alex.client.post(app.url("/settings/profile")).header("x-csrf-token", "forged").send().await.expect("send");
    assert!(is_csrf_refusal(r).await);

    // Anonymous forms carry a token too (double-submit cookie).
    let stranger = app.browser();
    let r =
        stranger.post_raw("/login", "", &[("email", "alex@example.org"), ("password", "a long enough password")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = stranger.post_raw("/signup", "x", &[("display_name", "S")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A token from one browser is no good in another.
    let (_, html) = alex.page("/settings").await;
    let alex_token = csrf_of(&html);
    let r = stranger
        .post_raw("/login", &alex_token, &[("email", "alex@example.org"), ("password", "a long enough password")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With its own token the stranger's log-in form works.
    assert_eq!(location(&stranger.log_in("sam@example.org", "a long enough password").await), "/today");
}

async fn log_in_throttling_engages_and_releases(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let attacker = app.browser();
    for i in 0..tend_domain::throttle::ACCOUNT_LIMIT {
        let r = attacker.log_in("alex@example.org", &format!("guess number {i}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let html = r.text().await.expect("body");
        assert!(html.contains("don’t match an account"), "generic message");
        assert!(html.contains("value=\"alex@example.org\""), "email kept");
    }
    // Now even the right password waits: the account is paused, from any address.
    // Five minutes on, both the page and the API say how long is really left.
    app.advance_minutes(5);
    let r = attacker.log_in("alex@example.org", "a long enough password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let page_wait: u64 = r.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    let (status, body) = app
        .api()
        .post("/api/v1/auth/login", json!({"email": "alex@example.org", "password": "a long enough password"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the API shares the same counter: {body}");
    let api_wait = body["retry_after"].as_u64().expect("retry_after");
    assert!(api_wait > 60 && api_wait <= 10 * 60, "{api_wait}");
    assert_eq!(page_wait, api_wait, "the page's Retry-After is the real time left, as the API's");

    // Unknown accounts are throttled exactly alike: nothing to learn from the difference.
    for _ in 0..tend_domain::throttle::ACCOUNT_LIMIT {
        assert_eq!(
            app.browser().log_in("nobody@example.org", "whatever it is").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.browser().log_in("nobody@example.org", "whatever it is").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Fifteen minutes after the failures it releases.
    app.advance_minutes(11);
    let r = attacker.log_in("alex@example.org", "a long enough password").await;
    assert_eq!(location(&r), "/today");
}

async fn invite_codes_cannot_be_guessed(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let alex = app.api().sign_up("Alex", "alex@example.org", None).await;
    alex.post("/api/v1/invites", json!({})).await;
    let guesser = app.api().sign_up("Guess", "guess@example.org", None).await;
    let mut statuses = Vec::new();
    for i in 0..(tend_domain::throttle::ACCOUNT_LIMIT + 1) {
        let (status, _) =
            guesser.post("/api/v1/couple/join", json!({"invite": format!("ABCD-EFGH-{:02}", i + 22)})).await;
        statuses.push(status);
    }
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
}

/// Someone at an unlocked phone cannot guess the current password without limit: a wrong one is
/// counted like a wrong log-in, and the right one afterwards waits too.
async fn password_changes_are_throttled(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, _) = api_couple(&app, "pw").await;
    let wrong = serde_json::json!({"current_password": "not my password", "new_password": "another long password"});
    for i in 0..tend_domain::throttle::ACCOUNT_LIMIT {
        let (status, body) = alex.call(reqwest::Method::PUT, "/api/v1/me/password", Some(wrong.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "try {i}: {body}");
    }
    let right =
        serde_json::json!({"current_password": "a long enough password", "new_password": "another long password"});
    let (status, body) = alex.call(reqwest::Method::PUT, "/api/v1/me/password", Some(right.clone())).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    app.advance_minutes(16);
    let (status, body) = alex.call(reqwest::Method::PUT, "/api/v1/me/password", Some(right)).await;
    assert!(status.is_success(), "after the window the right password works: {status} {body}");
}

/// The reload rule: a POST that changes something answers with a redirect, so reloading the
/// page it leads to (pull-to-refresh on a phone) never does it again; a refused one shows the
/// form with what to fix (4xx). No page route ever answers a POST with 2xx. Every route of
/// the router's table is tried with a valid CSRF token and fields that most forms accept.
async fn every_post_redirects_or_refuses(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = browser_couple(&app).await;
    let fields = [
        ("name", "reload rule"),
        ("display_name", "Alex"),
        ("email", "alex@example.org"),
        ("time_zone", "Europe/Berlin"),
        ("high", "a good walk"),
        ("closeness", "5"),
        ("kind", "gratitude"),
        ("body", "thank you for the tea"),
        ("reaction", "heart"),
        ("at", "21:00"),
        ("weekday", "thursday"),
        ("share", "something on my mind"),
        ("reflection", "you felt unseen"),
        ("feeling", "lonely"),
        ("verdict", "got-it"),
        ("minutes", "10"),
        ("first", "me"),
        ("practice", "check-in"),
        ("quiet_from", "22:00"),
        ("quiet_until", "08:00"),
        ("note", "we walked"),
        ("understood", "6"),
        ("cared_for", "6"),
        ("accepted", "6"),
    ];
    let mut answered_ok = Vec::new();
    for (method, path, pattern) in state_changing_page_routes() {
        if ["/logout", "/unpair"].contains(&pattern) {
            continue;
        }
        // The safety check writes nothing: its answers are shown once and never kept, so a
        // reload repeats nothing, and a redirect would have to put them in an address or a row.
        if pattern == "/support/safety" {
            continue;
        }
        if alex.get("/settings").await.status() != StatusCode::OK {
            alex.log_in("alex@example.org", "a long enough password").await;
        }
        let csrf = csrf_of(&alex.page("/settings").await.1);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(&fields);
        let r = alex.client.request(method.clone(), app.url(&path)).form(&form).send().await.expect("send");
        if r.status().is_success() {
            answered_ok.push(format!("{method} {pattern}"));
        }
    }
    assert!(answered_ok.is_empty(), "these answered a POST with a page, so a reload repeats them: {answered_ok:?}");
}

both_backends!(
    every_post_redirects_or_refuses,
    password_changes_are_throttled,
    one_couple_cannot_reach_another,
    every_state_changing_page_route_needs_the_csrf_token,
    log_in_throttling_engages_and_releases,
    invite_codes_cannot_be_guessed
);
