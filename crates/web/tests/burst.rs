//! A burst of log-ins and sign-ups: password hashes run a few at a time, a request that gets
//! no turn in time is told that Tend is busy (503 with Retry-After), a busy answer is never
//! counted as a wrong password, and a sign-up that will be refused is refused without a hash.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_domain::account::{self, SignUp};
use tend_domain::auth::{Client, password};
use tend_domain::throttle::ACCOUNT_LIMIT;
use tend_domain::{Error, Registration};
use tend_store::both_backends;
use tend_store::testing::TestDb;

/// There is one hashing limit per process: the tests here take turns with it.
static LIMIT: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Takes every hashing turn and stops waiting for one: from now on, a request that needs a
/// password hash is answered Busy at once, and one that needs none is unaffected.
async fn hold_hashing() -> password::HeldTurns {
    let limiter = password::limiter();
    let held = limiter.hold_all().await.expect("turns");
    limiter.set_wait(Duration::ZERO);
    held
}

fn release(held: password::HeldTurns) {
    password::limiter().set_wait(password::DEFAULT_WAIT);
    drop(held);
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

fn signup_body(name: &str, email: &str, invite: Option<&str>) -> Value {
    json!({"display_name": name, "email": email, "password": "a long enough password", "time_zone": "UTC", "invite": invite})
}

async fn busy_is_503_with_retry_after_and_never_a_failed_attempt(db: TestDb) {
    let _turn = LIMIT.lock().await;
    password::limiter().set_wait(password::DEFAULT_WAIT);
    let app = spawn_with(db, Registration::Open).await;
    let api = app.api();
    api.sign_up("Alex", "alex@example.org", None).await;
    let login = json!({"email": "alex@example.org", "password": "a long enough password"});

    let held = hold_hashing().await;
    // More busy answers than the failures that would pause the account.
    for attempt in 0..=ACCOUNT_LIMIT {
        let r = api.req(Method::POST, "/api/v1/auth/login").json(&login).send().await.expect("post");
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "attempt {attempt}: {:?}", r.text().await);
        assert_eq!(header(&r, "retry-after"), "1");
        assert_eq!(header(&r, "content-type"), "application/problem+json");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["type"], "urn:tend:problem:busy", "{body}");
        assert_eq!(body["retry_after"], 1);
        assert!(body["detail"].as_str().expect("detail").starts_with("Tend is busy right now"), "{body}");
    }
    // Pages: the form again, with what was typed and a friendly word, for log-in and sign-up
    // alike, so nothing is lost by trying again.
    let browser = app.browser();
    for (r, typed) in [
        (browser.log_in("alex@example.org", "a long enough password").await, "alex@example.org"),
        (browser.sign_up("Sam", "sam@example.org", None).await, "sam@example.org"),
    ] {
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(header(&r, "retry-after"), "1");
        assert!(header(&r, "content-type").starts_with("text/html"));
        let html = r.text().await.expect("body");
        assert!(html.contains("Tend is busy right now"), "{html}");
        assert!(html.contains(&format!("value=\"{typed}\"")), "the form keeps {typed}: {html}");
        assert!(html.contains("name=\"password\""), "the form is there to send again");
    }
    release(held);

    // None of the busy answers counted as a wrong password: the right one works at once.
    let (status, body) = api.post("/api/v1/auth/login", login.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(browser.sign_up("Sam", "sam@example.org", None).await.status(), StatusCode::SEE_OTHER);

    // A burst: everyone is answered, and no more hashes ran at once than there are turns.
    let logins = (0..12).map(|_| api.post("/api/v1/auth/login", login.clone()));
    for (status, body) in futures_util::future::join_all(logins).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let limiter = password::limiter();
    assert!(limiter.permits() >= 2);
    assert!((1..=limiter.permits()).contains(&limiter.peak()), "peak {} of {}", limiter.peak(), limiter.permits());
}

async fn refused_sign_ups_need_no_password_hash(db: TestDb) {
    let _turn = LIMIT.lock().await;
    password::limiter().set_wait(password::DEFAULT_WAIT);
    let app = spawn(db).await; // invite-only
    let alex = app.api().sign_up("Alex", "alex@example.org", None).await;
    let (status, invite) = alex.post("/api/v1/invites", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    let code = invite["code"].as_str().expect("code").to_owned();
    let api = app.api();

    // With every hashing turn taken, each refusal still arrives as itself, not as Busy.
    let held = hold_hashing().await;
    let (status, body) = api.post("/api/v1/auth/signup", signup_body("Stranger", "s@example.org", None)).await;
    assert_eq!(status, StatusCode::CONFLICT, "founded and invite-only: {body}");
    assert_eq!(body["type"], "urn:tend:problem:rejected");
    let (status, body) =
        api.post("/api/v1/auth/signup", signup_body("Stranger", "s@example.org", Some("ABCD-EFGH-JK"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown invite: {body}");
    assert_eq!(body["errors"][0]["field"], "invite");
    let r = app.browser().sign_up("Stranger", "s@example.org", None).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("This Tend is private"));
    // Only a sign-up that can succeed reaches the hash.
    let (status, body) = api.post("/api/v1/auth/signup", signup_body("Sam", "sam@example.org", Some(&code))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    release(held);

    // The busy answer used nothing up: the invite still works.
    api.sign_up("Sam", "sam@example.org", Some(&code)).await;
    let held = hold_hashing().await;
    let (status, body) = api.post("/api/v1/auth/signup", signup_body("Third", "t@example.org", Some(&code))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "used invite: {body}");
    assert!(body["errors"][0]["message"].as_str().expect("message").contains("already been used"), "{body}");
    release(held);
}

async fn answers_about_taken_emails_are_throttled(db: TestDb) {
    let _turn = LIMIT.lock().await;
    password::limiter().set_wait(password::DEFAULT_WAIT);
    let app = spawn_with(db, Registration::Open).await;
    app.api().sign_up("Alex", "alex@example.org", None).await;
    let prober = Client { ip: "203.0.113.7".into(), user_agent: "probe".into() };
    let form = |email: &str| SignUp {
        display_name: "Someone".into(),
        email: email.into(),
        password: "a long enough password".into(),
        time_zone: "UTC".into(),
        invite: None,
    };

    // A person who already has an account is told plainly, so they can log in instead, and
    // without a password hash (every turn is held)…
    let held = hold_hashing().await;
    for _ in 0..ACCOUNT_LIMIT {
        match account::sign_up_from(&app.ctx, form("Alex@Example.org"), &prober).await {
            Err(Error::Invalid(fields)) => assert_eq!(fields.get("email"), Some(account::EMAIL_TAKEN)),
            other => panic!("expected the email to be taken: {other:?}"),
        }
    }
    // …but asking again and again is throttled, like wrong passwords.
    let again = account::sign_up_from(&app.ctx, form("alex@example.org"), &prober).await;
    assert!(matches!(again, Err(Error::Throttled { .. })), "{again:?}");
    release(held);

    // Someone else, elsewhere, signs up as usual; and Alex can still log in.
    let other = Client { ip: "198.51.100.4".into(), user_agent: "phone".into() };
    account::sign_up_from(&app.ctx, form("sam@example.org"), &other).await.expect("sign-up elsewhere");
    let (status, body) = app
        .api()
        .post("/api/v1/auth/login", json!({"email": "alex@example.org", "password": "a long enough password"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

both_backends!(
    busy_is_503_with_retry_after_and_never_a_failed_attempt,
    refused_sign_ups_need_no_password_hash,
    answers_about_taken_emails_are_throttled,
);
