//! The JSON API: everything a person can do, as a script would do it, and its bad input.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
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
    assert_eq!(pages.as_array().map(Vec::len), Some(4));
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
    assert!(!app.ctx.store.is_founded().await.expect("read"), "nothing was written");

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

async fn the_openapi_document_describes_every_endpoint(db: TestDb) {
    let app = spawn(db).await;
    let (status, doc) = app.api().get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/v1/auth/signup", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me", "patch"),
        ("/api/v1/me/password", "put"),
        ("/api/v1/sessions", "get"),
        ("/api/v1/sessions/{id}", "delete"),
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens/{id}", "delete"),
        ("/api/v1/couple", "get"),
        ("/api/v1/couple", "delete"),
        ("/api/v1/couple/join", "post"),
        ("/api/v1/invites", "post"),
        ("/api/v1/invites", "delete"),
        ("/api/v1/invites/{invite}", "get"),
        ("/api/v1/today", "get"),
        ("/api/v1/learn", "get"),
        ("/api/v1/learn/{slug}", "get"),
        ("/api/v1/check-ins/today", "get"),
        ("/api/v1/check-ins/today", "put"),
        ("/api/v1/check-ins", "get"),
        ("/api/v1/appreciations", "get"),
        ("/api/v1/appreciations", "post"),
        ("/api/v1/appreciations/{id}/reaction", "put"),
        ("/api/v1/appreciations/starters", "get"),
        ("/api/v1/rhythm", "get"),
        ("/api/v1/history", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/hugs", "post"),
        ("/api/v1/hugs", "get"),
        ("/api/v1/conversations", "get"),
        ("/api/v1/conversations", "post"),
        ("/api/v1/conversations/current", "get"),
        ("/api/v1/conversations/guidance", "get"),
        ("/api/v1/conversations/{id}", "get"),
        ("/api/v1/conversations/{id}/join", "post"),
        ("/api/v1/conversations/{id}/heard", "post"),
        ("/api/v1/conversations/{id}/rating", "put"),
        ("/api/v1/conversations/{id}/cancel", "post"),
        ("/api/v1/listening", "get"),
        ("/api/v1/listening", "post"),
        ("/api/v1/listening/{id}", "get"),
        ("/api/v1/listening/{id}/reflection", "post"),
        ("/api/v1/listening/{id}/answer", "post"),
        ("/api/v1/listening/{id}/set-aside", "post"),
        ("/api/v1/questions/today", "get"),
        ("/api/v1/questions/today/another", "post"),
        ("/api/v1/questions/{id}", "get"),
        ("/api/v1/questions/{id}/answer", "put"),
        ("/api/v1/questions/{id}/response", "put"),
        ("/api/v1/questions/{id}/felt", "put"),
        ("/api/v1/questions/{id}/favorite", "put"),
        ("/api/v1/exchanges", "get"),
        ("/api/v1/ladder", "get"),
        ("/api/v1/ladder/ready", "post"),
        ("/api/v1/ladder/not-yet", "post"),
        ("/api/v1/ladder/step-back", "post"),
        ("/api/v1/decks", "get"),
        ("/api/v1/decks/{id}", "get"),
    ];
    for (path, method) in expected {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} undocumented");
    }
    let documented: usize = paths.values().map(|p| p.as_object().map_or(0, |o| o.len())).sum();
    assert_eq!(documented, expected.len(), "every documented operation is listed in this test");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

both_backends!(
    a_script_can_do_all_a_person_can,
    bad_input_gets_problem_documents,
    the_openapi_document_describes_every_endpoint
);
