//! Deleting one's own account, from Settings and through the API, as the two partners see it:
//! what the confirm page promises, a wrong password that deletes nothing, the deletion itself,
//! every way in closed, and the partner left unpaired with their own words.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use support::*;
use tend_domain::account::{DELETE_GOES, DELETE_STAYS};
use tend_domain::appreciation::Filter;
use tend_domain::{CoupleId, Registration};
use tend_store::both_backends;
use tend_store::testing::TestDb;

const PASSWORD: &str = "a long enough password";

/// The couple a person is in now, read from the store.
async fn couple_of(app: &TestApp, email: &str) -> CoupleId {
    let user = app.store.user_by_email(email).await.expect("read").expect("the person exists");
    user.couple_id.expect("paired")
}

/// The bodies of a couple's appreciations, newest first, read from the store.
async fn appreciation_bodies(app: &TestApp, couple: CoupleId) -> Vec<String> {
    let all = app.store.appreciations(couple, &Filter { limit: 50, ..Default::default() }).await.expect("read");
    all.into_iter().map(|a| a.body).collect()
}

async fn give(browser: &Browser, body: &str) {
    let r = browser.submit("/today", "/appreciations", &[("kind", "gratitude"), ("body", body)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the appreciation is sent");
}

async fn deleting_from_settings(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = browser_couple(&app).await;
    let couple = couple_of(&app, "alex@example.org").await;
    give(&alex, "Alex: thank you for the soup").await;
    give(&sam, "Sam: thank you for listening").await;

    // Settings leads to a page that says what goes and what stays, before anything happens.
    let (status, settings) = alex.page("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(settings.contains("href=\"/settings/delete-account\""), "Settings offers deleting the account");
    let (status, confirm) = alex.page("/settings/delete-account").await;
    assert_eq!(status, StatusCode::OK);
    for rule in DELETE_GOES.iter().chain(DELETE_STAYS.iter()) {
        assert!(confirm.contains(rule), "the confirm page says {rule:?}");
    }
    assert!(confirm.contains("Sam"), "it names the partner whose couple ends");
    assert!(confirm.contains("type=\"password\""), "it asks for the password");
    assert!(confirm.contains("class=\"button danger\""), "the button looks destructive");

    // A wrong password shows the form again with what to fix, and deletes nothing.
    let r =
        alex.submit("/settings/delete-account", "/settings/delete-account", &[("password", "not my password")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("That isn’t your password, so nothing was deleted."), "{html}");
    assert!(html.contains("aria-invalid=\"true\""));
    let r = alex.submit("/settings/delete-account", "/settings/delete-account", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no password at all");
    assert_eq!(alex.get("/settings").await.status(), StatusCode::OK, "still signed in");
    assert_eq!(appreciation_bodies(&app, couple).await.len(), 2, "nothing was deleted");
    assert_eq!(couple_of(&app, "sam@example.org").await, couple, "still paired");

    // The right one deletes, signs this browser out and says goodbye on the front page.
    let cookie = alex.cookie("tend_session").expect("signed in");
    let r = alex.submit("/settings/delete-account", "/settings/delete-account", &[("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/?done=account-deleted");
    let cleared = r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).any(|c| {
        c.starts_with("tend_session=") && (c.contains("Max-Age=0") || c.contains("max-age=0") || c.contains("1970"))
    });
    assert!(cleared, "the session cookie is cleared");
    let (status, welcome) = alex.page("/?done=account-deleted").await;
    assert_eq!(status, StatusCode::OK);
    assert!(welcome.contains("Your account is deleted, with everything you wrote."), "{welcome}");

    // The old session is dead even if the cookie was kept, and the password opens nothing.
    let replay = app.url("/settings");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(replay)
        .header("cookie", format!("tend_session={cookie}"))
        .send()
        .await
        .expect("get");
    assert!(r.status().is_redirection(), "a deleted person's session leads to log-in: {}", r.status());
    assert!(location(&r).starts_with("/login"), "{}", location(&r));
    let r = app.browser().log_in("alex@example.org", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "no account has that email any more");

    // Sam is signed in still, unpaired, and keeps their own words; Alex's words are gone.
    let (status, settings) = sam.page("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(settings.contains("You’re not paired yet."), "Sam is on their own now");
    assert!(!settings.contains("Alex"), "the deleted name is gone from Sam's pages");
    assert_eq!(appreciation_bodies(&app, couple).await, ["Sam: thank you for listening"]);
    let sam_now = app.store.user_by_email("sam@example.org").await.expect("read").expect("Sam stays");
    assert_eq!(sam_now.couple_id, None);

    // Sam can pair again, and Alex's email is free: a new account, starting with nothing.
    let (link, _) = sam.invite().await;
    let again = app.browser();
    let r = again.sign_up("Alex", "alex@example.org", Some(link.rsplit('/').next().expect("token"))).await;
    assert_eq!(location(&r), "/today?done=paired", "the email can be used again");
    let new_couple = couple_of(&app, "alex@example.org").await;
    assert_ne!(new_couple, couple);
    assert_eq!(appreciation_bodies(&app, new_couple).await, Vec::<String>::new());
}

async fn deleting_through_the_api(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (a, b) = api_couple(&app, "del").await;
    let couple = couple_of(&app, "a-del@example.org").await;
    let (status, sent) = a.post("/api/v1/appreciations", json!({"kind": "respect", "body": "A: you were brave"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, sent) = b.post("/api/v1/appreciations", json!({"kind": "gratitude", "body": "B: thank you"})).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");

    // What goes and what stays, as the confirm page says it.
    let (status, rules) = a.get("/api/v1/account/deletion").await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert_eq!(rules["goes"], json!(DELETE_GOES));
    assert_eq!(rules["stays"], json!(DELETE_STAYS));
    assert_eq!(app.api().get("/api/v1/account/deletion").await.0, StatusCode::UNAUTHORIZED);

    // Wrong, empty, missing or malformed passwords: a clear 4xx, and nothing is deleted.
    let delete = |api: &Api, body: Option<serde_json::Value>| {
        let api = Api { client: api.client.clone(), base: api.base.clone(), token: api.token.clone() };
        async move { api.call(reqwest::Method::DELETE, "/api/v1/account", body).await }
    };
    let (status, problem) = delete(&a, Some(json!({"password": "not my password"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "password", "{problem}");
    assert_eq!(problem["errors"][0]["message"], "That isn’t your password, so nothing was deleted.");
    let (status, problem) = delete(&a, Some(json!({"password": ""}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, problem) = delete(&a, Some(json!({"password": "x".repeat(5000)}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for body in [None, Some(json!({})), Some(json!({"password": 12})), Some(json!([]))] {
        let (status, problem) = delete(&a, body.clone()).await;
        assert!(status.is_client_error(), "{body:?}: {status} {problem}");
    }
    let (status, problem) = delete(&app.api(), Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    assert_eq!(a.get("/api/v1/me").await.0, StatusCode::OK, "the token still works");
    assert_eq!(appreciation_bodies(&app, couple).await.len(), 2, "nothing was deleted");

    // The right password deletes; b's open pages hear that their couple changed.
    let mut stream = Stream::open(&app, b.token.as_deref().expect("token")).await;
    let (status, done) = delete(&a, Some(json!({"password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done, json!({"ok": true}));
    let event = stream.next_event(Duration::from_secs(5)).await.expect("an event for b");
    assert!(event.contains("\"kind\":\"couple\""), "{event}");

    // Every way in is closed: the token, a log-in, a second deletion.
    assert_eq!(a.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the token is dead");
    assert_eq!(delete(&a, Some(json!({"password": PASSWORD}))).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) =
        app.api().post("/api/v1/auth/login", json!({"email": "a-del@example.org", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // b is unpaired, signed in, and keeps their own words.
    let (status, me) = b.get("/api/v1/couple").await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["paired"], false);
    assert_eq!(appreciation_bodies(&app, couple).await, ["B: thank you"]);

    // The email is free again.
    app.api().sign_up("A again", "a-del@example.org", None).await;

    // The host's way (`tend user delete`): by email, without a password.
    let err = tend_domain::account::delete_by_email(&app.ctx, "nobody@example.org").await.expect_err("nobody");
    assert!(matches!(err, tend_domain::Error::NotFound), "{err:?}");
    let gone = tend_domain::account::delete_by_email(&app.ctx, "B-DEL@example.org").await.expect("deleted");
    assert_eq!(gone.email, "b-del@example.org");
    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "b's token is dead too");
    assert_eq!(appreciation_bodies(&app, couple).await, Vec::<String>::new(), "and b's words went with them");
}

both_backends!(deleting_from_settings, deleting_through_the_api);
