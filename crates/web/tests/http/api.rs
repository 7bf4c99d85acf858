//! The JSON API: everything a person can do, as a script would do it, and its bad input.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn a_script_can_do_all_a_person_can(db: TestDb) {
    let app = spawn(db).await;
    let api = app.api();
    let alex = api.sign_up("Alex", "alex@example.org", None).await;
    let (status, me) = alex.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (me["display_name"].as_str(), me["paired"].as_bool(), me["time_zone"].as_str()),
        (Some("Alex"), Some(false), Some("America/Chicago"))
    );

    let (status, body) =
        alex.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "Asia/Kolkata"}))).await;
    assert_eq!((status, body["time_zone"].as_str()), (StatusCode::OK, Some("Asia/Kolkata")));

    // Invite, preview, join.
    let (status, invite) = alex.post("/api/v1/invites", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let link = invite["link"].as_str().expect("link");
    let token = link.rsplit('/').next().expect("token");
    let (status, preview) = api.get(&format!("/api/v1/invites/{token}")).await;
    assert_eq!(
        (status, preview["inviter"].as_str(), preview["problem"].is_null()),
        (StatusCode::OK, Some("Alex"), true)
    );
    let (_, couple) = alex.get("/api/v1/couple").await;
    assert_eq!((couple["paired"].as_bool(), couple["open_invite_expires_at"].is_string()), (Some(false), true));

    // The second account joins by log-in: sign up through the invite is the other path.
    let sam = api.sign_up("Sam", "sam@example.org", Some(link)).await;
    let (status, today) = sam.get("/api/v1/today").await;
    assert_eq!(status, StatusCode::OK, "{today}");
    assert_eq!(
        (today["me"]["display_name"].as_str(), today["partner"]["display_name"].as_str()),
        (Some("Sam"), Some("Alex"))
    );
    assert!(today["partner"].get("email").is_none(), "partners see names, not emails");
    let (_, couple) = alex.get("/api/v1/couple").await;
    assert_eq!((couple["paired"].as_bool(), couple["partner"]["display_name"].as_str()), (Some(true), Some("Sam")));
    assert_eq!(couple["unpair_rule"].as_array().map(Vec::len), Some(4));

    // Log in for another token; list, revoke, log out.
    let (status, login) = api
        .post(
            "/api/v1/auth/login",
            json!({"email": "SAM@example.org", "password": "a long enough password", "token_name": "phone"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let sam2 = api.with_token(login["token"].as_str().expect("token"));
    let (_, tokens) = sam2.get("/api/v1/tokens").await;
    let tokens = tokens.as_array().expect("list").clone();
    assert_eq!(tokens.len(), 2);
    assert!(tokens.iter().any(|t| t["name"] == "phone" && t["current"] == true));
    assert!(tokens.iter().all(|t| t.get("token").is_none()), "secrets are never listed");
    let (status, created) = sam2.post("/api/v1/tokens", json!({"name": "backup script"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = sam2.delete(&format!("/api/v1/tokens/{}", created["id"])).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.with_token(created["token"].as_str().expect("t")).get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = sam2.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sam2.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    // Password change.
    let (status, body) = sam
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/password",
            Some(json!({"current_password": "nope", "new_password": "a brand new password"})),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password"))
    );
    let (status, _) = sam
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/password",
            Some(json!({"current_password": "a long enough password", "new_password": "a brand new password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        api.post("/api/v1/auth/login", json!({"email": "sam@example.org", "password": "a brand new password"})).await.0,
        StatusCode::CREATED
    );

    // Sessions: a browser session shows up and can be revoked through the API.
    let browser = app.browser();
    browser.log_in("alex@example.org", "a long enough password").await;
    let (_, sessions) = alex.get("/api/v1/sessions").await;
    let id = sessions[0]["id"].as_i64().expect("id");
    assert_eq!(alex.delete(&format!("/api/v1/sessions/{id}")).await.0, StatusCode::OK);
    assert_eq!(location(&browser.get("/today").await), "/login?next=%2Ftoday");

    // Unpair.
    let (status, _) = sam.delete("/api/v1/couple").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alex.get("/api/v1/couple").await.1["paired"].as_bool(), Some(false));
    let (status, body) = alex.get("/api/v1/today").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(alex.delete("/api/v1/couple").await.0, StatusCode::CONFLICT);

    // Learn is public.
    let (_, pages) = api.get("/api/v1/learn").await;
    assert_eq!(pages.as_array().map(Vec::len), Some(6));
    let (status, page) = api.get("/api/v1/learn/six-kinds").await;
    assert_eq!((status, page["sections"].as_array().map(|s| !s.is_empty())), (StatusCode::OK, Some(true)));
    assert_eq!(api.get("/api/v1/learn/nope").await.0, StatusCode::NOT_FOUND);
}

async fn bad_input_gets_problem_documents(db: TestDb) {
    let app = spawn(db).await;
    let api = app.api();
    let problem =
        |r: &reqwest::Response| r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();

    let r = api
        .req(reqwest::Method::POST, "/api/v1/auth/signup")
        .body("{\"display_name\":")
        .header("content-type", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!((r.status(), problem(&r)), (StatusCode::BAD_REQUEST, "application/problem+json".to_owned()));
    let r = api
        .req(reqwest::Method::POST, "/api/v1/auth/signup")
        .body("display_name=x")
        .header("content-type", "text/plain")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = api.post("/api/v1/auth/signup", json!({"display_name": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = api
        .post("/api/v1/auth/signup", json!({"display_name": 5, "email": [], "password": null, "time_zone": {}}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = api
        .post(
            "/api/v1/auth/signup",
            json!({"display_name": "y".repeat(41), "email": "nope", "password": "short", "time_zone": "Moon/Base"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["display_name", "email", "password", "time_zone"]);
    let huge = json!({"display_name": "z".repeat(100_000), "email": "a@b.co", "password": "x", "time_zone": "UTC"});
    let (status, _) = api.post("/api/v1/auth/signup", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!app.store.is_founded().await.expect("read"), "nothing was written");

    let (status, body) = api.get("/api/v1/no-such-thing").await;
    assert_eq!((status, body["status"].as_u64()), (StatusCode::NOT_FOUND, Some(404)));
    let (status, _) = api.call(reqwest::Method::PUT, "/api/v1/learn", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);

    // No token, a wrong token, a cookie instead of a token.
    let (status, body) = api.get("/api/v1/me").await;
    assert_eq!((status, body["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("urn:tend:problem:unauthenticated")));
    assert_eq!(api.with_token("tend_not-a-real-token").get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.with_token("something else").get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let session = alex.cookie("tend_session").expect("session");
    let r = api
        .req(reqwest::Method::GET, "/api/v1/me")
        .header("cookie", format!("tend_session={session}"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the API never accepts the session cookie, so it needs no CSRF defence"
    );

    let alex = api.with_token(&login_token(&app, "alex@example.org").await);
    for path in ["/api/v1/tokens/abc", "/api/v1/tokens/99999", "/api/v1/sessions/-1"] {
        assert_eq!(alex.delete(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, body) = alex.post("/api/v1/couple/join", json!({"invite": ""})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invite")));
    let (status, _) = alex.post("/api/v1/tokens", json!({"name": "   "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(api.get("/api/v1/invites/inv_unknown").await.0, StatusCode::NOT_FOUND);
}

async fn login_token(app: &TestApp, email: &str) -> String {
    let (status, body) =
        app.api().post("/api/v1/auth/login", json!({"email": email, "password": "a long enough password"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().expect("token").to_owned()
}

/// Input that once made the server fail (a 500, or a half-done sign-up) now gets a problem
/// document, on both databases.
async fn input_that_once_failed_gets_a_problem(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let api = app.api();
    let (alex, sam) = api_couple(&app, "edge").await;
    let is_problem = |r: &reqwest::Response| {
        r.headers().get("content-type").and_then(|v| v.to_str().ok()) == Some("application/problem+json")
    };

    // Dates far outside the calendar's middle.
    for path in [
        "/api/v1/history?before=-009999-01-01",
        "/api/v1/history?before=0001-01-01",
        "/api/v1/check-ins?from=-009999-01-01&to=-009999-01-05",
        "/api/v1/check-ins?from=-1",
        "/api/v1/rhythm?month=-009999-01",
    ] {
        let r = alex.req(reqwest::Method::GET, path).send().await.expect("send");
        assert_eq!((r.status(), is_problem(&r)), (StatusCode::BAD_REQUEST, true), "{path}");
    }
    assert_eq!(alex.get("/api/v1/history?before=2000-01-01").await.0, StatusCode::OK);

    // Query strings that do not fit, and paths that are not UTF-8.
    for path in ["/api/v1/appreciations?page=-1", "/api/v1/appreciations?page=0", "/api/v1/check-ins?to=x&to=y"] {
        let r = alex.req(reqwest::Method::GET, path).send().await.expect("send");
        assert_eq!((r.status(), is_problem(&r)), (StatusCode::BAD_REQUEST, true), "{path}");
    }
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/ladder/ready?from=-1"),
        (reqwest::Method::POST, "/api/v1/ladder/step-back?from=300"),
    ] {
        let r = alex.req(method, path).send().await.expect("send");
        assert_eq!((r.status(), is_problem(&r)), (StatusCode::BAD_REQUEST, true), "{path}");
    }
    for path in ["/api/v1/tokens/%FF", "/api/v1/questions/%FF"] {
        let method = if path.contains("tokens") { reqwest::Method::DELETE } else { reqwest::Method::GET };
        let r = alex.req(method, path).send().await.expect("send");
        assert_eq!((r.status(), is_problem(&r)), (StatusCode::NOT_FOUND, true), "{path}");
    }

    // Searches with control characters find what the words find.
    let (status, _) =
        alex.post("/api/v1/appreciations", json!({"kind": "gratitude", "body": "Thank you for tea"})).await;
    assert_eq!(status, StatusCode::CREATED);
    for q in ["%00", "tea%00", "%07tea"] {
        let (status, body) = sam.get(&format!("/api/v1/appreciations?q={q}")).await;
        assert_eq!((status, body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "q={q}: {body}");
    }
    let (status, _) = alex.get("/api/v1/exchanges?q=%00").await;
    assert_eq!(status, StatusCode::OK);

    // Token names: no NUL, no bell, anywhere a token is named.
    for name in ["a\u{0}b", "a\u{7}b", "\u{1b}[2J"] {
        let (status, body) = alex.post("/api/v1/tokens", json!({"name": name})).await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
            "{name:?}"
        );
        let (status, body) = api
            .post(
                "/api/v1/auth/login",
                json!({"email": "a-edge@example.org", "password": "a long enough password", "token_name": name}),
            )
            .await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("token_name"))
        );
        let (status, body) = api
            .post(
                "/api/v1/auth/signup",
                json!({"display_name": "Nul", "email": "nul@example.org", "password": "a long enough password",
                       "time_zone": "UTC", "token_name": name}),
            )
            .await;
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("token_name"))
        );
    }
    let (_, tokens) = alex.get("/api/v1/tokens").await;
    assert_eq!(tokens.as_array().map(Vec::len), Some(1), "no token was made: {tokens}");
    assert!(
        app.store.user_by_email("nul@example.org").await.expect("read").is_none(),
        "a refused sign-up leaves no account behind"
    );
    let (status, body) =
        api.post("/api/v1/auth/login", json!({"email": "a-edge\u{0}@example.org", "password": "x"})).await;
    assert_eq!((status, body["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("urn:tend:problem:bad-credentials")));

    // What schemathesis found: 5.0 is a whole number to JSON Schema; a level is 1 to 3; a
    // search is measured as sent.
    let (status, body) =
        alex.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "x", "closeness": 5.0}))).await;
    assert_eq!((status, body["mine"]["closeness"].as_u64()), (StatusCode::OK, Some(5)), "{body}");
    let (status, body) = alex.post("/api/v1/conversations", json!({"minutes": 10.0})).await;
    assert_eq!((status, body["conversation"]["minutes"].as_u64()), (StatusCode::CREATED, Some(10)), "{body}");
    assert_eq!(alex.post("/api/v1/conversations", json!({"minutes": 10.5})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alex.post("/api/v1/ladder/ready?from=4", json!({})).await.0, StatusCode::BAD_REQUEST);
    let (status, body) = sam.get(&format!("/api/v1/appreciations?q={}", "%07".repeat(101))).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("q")));
    assert_eq!(alex.get("/api/v1/rhythm?month=").await.0, StatusCode::OK);
    for odd in ["/api/v1/rhythm?month=+", "/api/v1/rhythm?month=2026-3", "/api/v1/history?before=20260310"] {
        assert_eq!(alex.get(odd).await.0, StatusCode::BAD_REQUEST, "{odd}");
    }
    let question = tend_domain::questions::questions().first().expect("a question").id.clone();
    let (status, body) = alex
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/questions/{question}/answer"),
            Some(json!({"body": "\u{e}", "pass": true})),
        )
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")));
    let (_, current) = alex.get("/api/v1/conversations/current").await;
    let id = current["conversation"]["id"].as_i64().expect("the conversation just started");
    assert_eq!(alex.post(&format!("/api/v1/conversations/{id}/cancel"), json!({})).await.0, StatusCode::OK);

    // Bodies must be objects: an array used to start a conversation.
    let (status, body) = alex.post("/api/v1/conversations", json!([])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(alex.get("/api/v1/conversations/current").await.1["conversation"], serde_json::Value::Null);

    // The same on the pages.
    let browser = app.browser();
    browser.log_in("a-edge@example.org", "a long enough password").await;
    assert_eq!(browser.page("/history?before=-009999-01-01").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(browser.page("/history?before=2000-01-01").await.0, StatusCode::OK);
    let (status, html) = browser.page("/appreciations?box=given&q=%00tea").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Thank you for tea"), "the search still finds it");
}

/// Telling a signed-in person that an email is taken reveals that an account exists, so changes
/// of email are throttled per account; the answer stays plain.
async fn changes_of_email_are_throttled(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (alex, _) = api_couple(&app, "mail").await;
    let patch = |email: String| {
        let alex = &alex;
        async move { alex.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"email": email}))).await }
    };
    let (status, body) = patch("b-mail@example.org".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["message"].as_str(), Some("Another account already uses this email."));
    for n in 0..3 {
        assert_eq!(patch(format!("probe{n}@example.org")).await.0, StatusCode::OK);
    }
    assert_eq!(patch("b-mail@example.org".into()).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = patch("someone@example.org".into()).await;
    assert_eq!((status, body["type"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("urn:tend:problem:throttled")));
    assert!(body["retry_after"].as_u64().is_some_and(|s| s > 0));
    // The current address and other fields are not changes of email.
    let (status, _) = alex
        .call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"email": "PROBE2@example.org", "display_name": "Al"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.advance_minutes(16);
    assert_eq!(patch("later@example.org".into()).await.0, StatusCode::OK);
}

/// Sign-up through the API is throttled like the sign-up page: an email that has an account
/// is said so, a few times.
async fn taken_emails_at_api_sign_up_are_throttled(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let api = app.api();
    api.sign_up("Alex", "alex@example.org", None).await;
    let taken = json!({"display_name": "Alex?", "email": "alex@example.org", "password": "a long enough password", "time_zone": "UTC"});
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(api.post("/api/v1/auth/signup", taken.clone()).await.0);
    }
    assert_eq!(statuses[0], StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

both_backends!(
    a_script_can_do_all_a_person_can,
    bad_input_gets_problem_documents,
    input_that_once_failed_gets_a_problem,
    changes_of_email_are_throttled,
    taken_emails_at_api_sign_up_are_throttled
);
