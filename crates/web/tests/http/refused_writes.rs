//! When the database refuses writes (a full disk, a read-only file), Tend says so: every write
//! through the API answers 5xx with a clear problem document, nothing is half-stored, a log-in
//! hands out no token that would not work, and /healthz reports "degraded".

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn refused_writes_are_reported_not_acknowledged(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (alex, _sam) = api_couple(&app, "refused").await;
    let (status, before) = alex.get("/api/v1/appreciations").await;
    assert_eq!(status, StatusCode::OK, "{before}");

    let node = refusing_node(&app).await;
    let health = reqwest::get(node.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: serde_json::Value = health.json().await.expect("json");
    assert_eq!((health["status"].as_str(), health["writes"].as_bool()), (Some("degraded"), Some(false)));
    let healthy = reqwest::get(app.url("/healthz")).await.expect("healthz");
    assert_eq!(healthy.status(), StatusCode::OK, "the writable node stays healthy");

    let token = alex.token.clone().expect("token");
    let on_node = node.api().with_token(&token);
    let (status, me) = on_node.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "reads still work: {me}");
    let writes = [
        ("/api/v1/appreciations", json!({"kind": "gratitude", "body": "Thank you for the tea."})),
        ("/api/v1/hugs", json!({})),
        ("/api/v1/tokens", json!({"name": "laptop"})),
        ("/api/v1/conversations", json!({"minutes": 15})),
    ];
    for (path, body) in writes {
        let response = on_node.req(reqwest::Method::POST, path).json(&body).send().await.expect("send");
        let status = response.status();
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let problem: serde_json::Value = response.json().await.expect("problem");
        assert!(status.is_server_error(), "{path} answered {status} on a database that refuses writes: {problem}");
        assert_eq!(kind, "application/problem+json", "{path}");
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("Nothing was changed")), "{path}: {problem}");
    }
    let check_in = json!({"high": "A walk", "low": "", "closeness": 5, "need": ""});
    let (status, _) = on_node.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(check_in)).await;
    assert!(status.is_server_error(), "check-in answered {status}");

    // A log-in must not hand out a token that was never stored.
    let (status, body) = node
        .api()
        .post("/api/v1/auth/login", json!({"email": "a-refused@example.org", "password": "a long enough password"}))
        .await;
    assert!(status.is_server_error(), "log-in answered {status}: {body}");
    assert!(body.get("token").is_none(), "{body}");

    // Nothing was half-stored: the writable node sees what it saw before.
    let (_, after) = alex.get("/api/v1/appreciations").await;
    assert_eq!(after, before);
    let (_, hugs) = alex.get("/api/v1/hugs").await;
    assert_eq!(hugs["this_week"], 0, "{hugs}");
    let (_, tokens) = alex.get("/api/v1/tokens").await;
    assert_eq!(tokens.as_array().map(Vec::len), Some(1), "only the sign-up's token: {tokens}");
}

both_backends!(refused_writes_are_reported_not_acknowledged);
