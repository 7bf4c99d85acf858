//! Attacks: another couple's data, a partner acting as the other, CSRF, guessing passwords
//! and invite codes.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

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

async fn every_form_needs_its_csrf_token(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let forms: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/settings/profile", vec![("display_name", "Mallory"), ("email", "m@example.org"), ("time_zone", "UTC")]),
        (
            "/settings/password",
            vec![("current_password", "a long enough password"), ("new_password", "owned by mallory")],
        ),
        ("/settings/tokens", vec![("name", "mallory")]),
        ("/pair/invite", vec![]),
        ("/pair/invite/cancel", vec![]),
        ("/pair/join", vec![("invite", "ABCD-EFGH-JK")]),
        ("/unpair", vec![]),
        ("/logout", vec![]),
        ("/check-ins", vec![("high", "forged"), ("closeness", "4")]),
        ("/appreciations", vec![("kind", "gratitude"), ("body", "forged")]),
        ("/hugs", vec![]),
        ("/talk", vec![("minutes", "15")]),
        ("/talk/1/join", vec![]),
        ("/talk/1/heard", vec![]),
        ("/talk/1/rating", vec![("understood", "1"), ("cared_for", "1")]),
        ("/talk/1/cancel", vec![]),
        ("/listen", vec![("share", "forged")]),
        ("/listen/1/reflection", vec![("reflection", "forged"), ("feeling", "x")]),
        ("/listen/1/answer", vec![("verdict", "got-it")]),
        ("/listen/1/set-aside", vec![]),
        ("/questions/today/another", vec![]),
        ("/q/today-001/answer", vec![("body", "forged")]),
        ("/q/today-001/response", vec![("words", "forged")]),
        ("/q/today-001/felt", vec![("understood", "1"), ("accepted", "1"), ("cared_for", "1")]),
        ("/q/today-001/favorite", vec![("on", "yes")]),
        ("/ladder/ready", vec![]),
        ("/ladder/step-back", vec![]),
    ];
    for (action, fields) in forms {
        for token in ["", "forged-token-forged-token-forged-token"] {
            let r = alex.post_raw(action, token, &fields).await;
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action} with {token:?}");
            assert!(r.text().await.expect("body").contains("only accepts forms from its own pages"));
        }
    }
    let me = app.ctx.store.user_by_email("alex@example.org").await.expect("read").expect("user");
    assert_eq!(me.display_name, "Alex", "nothing changed");
    assert!(app.ctx.store.api_tokens_of(me.id).await.expect("list").is_empty());
    assert_eq!(alex.get("/settings").await.status(), StatusCode::OK, "still logged in");

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
    let r = attacker.log_in("alex@example.org", "a long enough password").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let (status, body) = app
        .api()
        .post("/api/v1/auth/login", json!({"email": "alex@example.org", "password": "a long enough password"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the API shares the same counter: {body}");
    assert!(body["retry_after"].as_u64().is_some_and(|s| s > 0 && s <= 15 * 60));

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

    // Fifteen minutes later it releases.
    app.advance_minutes(16);
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

both_backends!(
    one_couple_cannot_reach_another,
    every_form_needs_its_csrf_token,
    log_in_throttling_engages_and_releases,
    invite_codes_cannot_be_guessed
);
