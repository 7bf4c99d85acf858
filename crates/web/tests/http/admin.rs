//! The admin page, through the pages as a host uses it: only admins find it; it lists the
//! accounts and counts and never a word anyone wrote; a reset link is shown once and works
//! once; switching an account off signs the person out everywhere (their open stream too) and
//! keeps them out until it is switched back on; and no admin can lock out or take over
//! themselves or another admin.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use support::*;
use tend_domain::Registration;
use tend_domain::auth::ACCOUNT_OFF;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn id_of(app: &TestApp, email: &str) -> i64 {
    app.store.user_by_email(email).await.expect("read").expect("account").id.0
}

async fn the_host_looks_after_accounts_and_sees_no_words(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let host = app.browser();
    host.sign_up("Robin", "robin@example.org", None).await;
    let (a, b) = api_couple(&app, "kept").await;
    let (status, _) =
        a.post("/api/v1/appreciations", json!({"kind": "gratitude", "body": "Thank you for the lanterns."})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (a_id, b_id, host_id) = (
        id_of(&app, "a-kept@example.org").await,
        id_of(&app, "b-kept@example.org").await,
        id_of(&app, "robin@example.org").await,
    );

    // Only an admin finds the page: to anyone else it is not there, and its actions do nothing.
    let stranger = app.browser();
    stranger.log_in("a-kept@example.org", "a long enough password").await;
    assert_eq!(stranger.page("/admin").await.0, StatusCode::NOT_FOUND);
    assert!(!stranger.page("/settings").await.1.contains("href=\"/admin\""), "no way to it in Settings");
    let r = stranger.submit("/settings", &format!("/admin/accounts/{b_id}/disable"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = stranger.submit("/settings", &format!("/admin/accounts/{b_id}/reset-link"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::OK, "nothing was switched off");
    assert_eq!(app.browser().get("/admin").await.status(), StatusCode::SEE_OTHER, "signed out: to log in");

    // The founding account is an admin: the page lists everyone, counts, how people join.
    assert!(host.page("/settings").await.1.contains("href=\"/admin\""));
    let (status, page) = host.page("/admin").await;
    assert_eq!(status, StatusCode::OK);
    for shown in ["Robin", "robin@example.org", "A kept", "a-kept@example.org", "B kept", "b-kept@example.org"] {
        assert!(page.contains(shown), "{shown} is listed");
    }
    assert!(page.contains("Anyone who can reach this address can make an account"), "the registration mode");
    assert!(page.contains("<dt>Accounts</dt><dd>3</dd>") && page.contains("<dt>Couples</dt><dd>1</dd>"), "{page}");
    assert!(!page.contains("lanterns"), "never a word anyone wrote");
    assert!(!page.contains(&format!("action=\"/admin/accounts/{host_id}/")), "no actions on one's own account");

    // A link to set a new password: made by a POST (reload-safe), shown once, working once.
    let r = host.submit("/admin", &format!("/admin/accounts/{a_id}/reset-link"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let landing = location(&r);
    assert!(landing.starts_with("/admin?done=link"), "{landing}");
    let (_, shown) = host.page(&landing).await;
    assert!(shown.contains("A link for A kept to set a new password is ready"), "a notice naming them");
    let link = attr_after(&shown, "id=\"handed-link\" type=\"text\" readonly value=\"").expect("the link is shown");
    let path = link.split_once("/reset/").map(|(_, t)| format!("/reset/{t}")).expect("a reset link");
    assert!(!host.page(&landing).await.1.contains(&path), "shown once: a reload does not show it again");
    let (status, _) = a.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "making a link signs no one out");
    let phone = app.browser();
    let r = phone.submit(&path, &path, &[("new_password", "handed over passphrase")]).await;
    assert_eq!((r.status(), location(&r).as_str()), (StatusCode::SEE_OTHER, "/login?done=password-set"));
    assert_eq!(a.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "using it signs them out everywhere");
    assert_eq!(phone.log_in("a-kept@example.org", "handed over passphrase").await.status(), StatusCode::SEE_OTHER);
    assert!(app.browser().page(&path).await.1.contains("This link no longer works"), "single use");

    // Switching an account off: signed out everywhere at once, open stream included.
    let b_token = b.token.clone().expect("token");
    let mut stream = Stream::open(&app, &b_token).await;
    let b_phone = app.browser();
    b_phone.log_in("b-kept@example.org", "a long enough password").await;
    assert_eq!(b_phone.get("/today").await.status(), StatusCode::OK);
    let r = host.submit("/admin", &format!("/admin/accounts/{b_id}/disable"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(stream.ends_within(Duration::from_secs(5)).await, "their live updates end");
    assert_eq!(b.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "their token no longer works");
    assert_eq!(b_phone.get("/today").await.status(), StatusCode::SEE_OTHER, "their session is over");
    let (_, listed) = host.page(&location(&r)).await;
    assert!(listed.contains("B kept’s account is switched off"), "a notice naming them");
    assert!(listed.contains("switched off</span>") && listed.contains("<dt>Switched off</dt><dd>1</dd>"));

    // While off, the right password says so (a wrong one says only that it is wrong).
    let r = b_phone.log_in("b-kept@example.org", "a long enough password").await;
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(r.text().await.expect("body").contains("switched off on this Tend"), "{ACCOUNT_OFF}");
    let r = b_phone.log_in("b-kept@example.org", "not the password").await;
    assert!(!r.text().await.expect("body").contains("switched off"), "a stranger learns nothing");
    let (status, body) = app
        .api()
        .post("/api/v1/auth/login", json!({"email": "b-kept@example.org", "password": "a long enough password"}))
        .await;
    assert!(status.is_client_error() && body.get("token").is_none(), "{status} {body}");
    // No link for an account that is off: switch it on first.
    let r = host.submit("/admin", &format!("/admin/accounts/{b_id}/reset-link"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("Switch it back on first"));
    // Their partner is untouched.
    assert_eq!(phone.get("/today").await.status(), StatusCode::OK);

    // Switched on again, they sign in with their password.
    let r = host.submit("/admin", &format!("/admin/accounts/{b_id}/enable"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(host.page(&location(&r)).await.1.contains("B kept’s account is on again"));
    assert_eq!(b_phone.log_in("b-kept@example.org", "a long enough password").await.status(), StatusCode::SEE_OTHER);

    // No admin locks out themselves or another admin.
    let r = host.submit("/admin", &format!("/admin/accounts/{host_id}/disable"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("your own account"));
    tend_domain::admin::name_admin(&app.ctx, "A-Kept@example.org ", true).await.expect("named");
    let (_, page) = host.page("/admin").await;
    assert!(!page.contains(&format!("action=\"/admin/accounts/{a_id}/disable\"")), "no switch for an admin");
    let r = host.submit("/admin", &format!("/admin/accounts/{a_id}/disable"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("is an admin"));
    assert_eq!(phone.get("/admin").await.status(), StatusCode::OK, "a named admin finds the page too");
    // Nor does one admin take over another's account with a link.
    let r = host.submit("/admin", &format!("/admin/accounts/{a_id}/reset-link"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("is an admin"));
    for action in ["reset-link", "disable"] {
        let r = phone.submit("/admin", &format!("/admin/accounts/{host_id}/{action}"), &[]).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{action} on the founder");
    }
    assert_eq!(host.get("/admin").await.status(), StatusCode::OK, "the founder is still in");

    // A search of names and emails, kept across an action on a found account.
    let (_, found) = host.page("/admin?find=KEPT").await;
    assert!(found.contains("a-kept@example.org") && found.contains("b-kept@example.org"), "any case");
    assert!(!found.contains("robin@example.org"), "only what matches");
    assert!(found.contains("value=\"KEPT\""), "the search box shows the term as typed");
    assert!(host.page("/admin?find=nobody-here").await.1.contains("No account’s name or email holds"));
    let r = host.submit("/admin?find=b-kept", &format!("/admin/accounts/{b_id}/disable"), &[("find", "b-kept")]).await;
    assert!(location(&r).starts_with("/admin?find=b-kept&done=disabled"), "{}", location(&r));

    // Pages of a hundred, searched or not.
    for n in 0..105 {
        let new = tend_domain::store::NewUserRecord {
            email: format!("many-{n}@example.org"),
            display_name: format!("Many {n}"),
            password_hash: "hash".into(),
            time_zone: tend_domain::time::TimeZoneName::parse("UTC").expect("zone"),
        };
        app.store.register(&new, &tend_domain::store::Gate::Open, app.now()).await.expect("register");
    }
    let rows = |html: &str| html.matches("<li class=\"row\" id=\"account-").count();
    let (_, first) = host.page("/admin").await;
    assert_eq!(rows(&first), 100);
    let next = attr_after(&first, "href=\"/admin?after=").expect("a link to more accounts");
    let (_, second) = host.page(&format!("/admin?after={next}")).await;
    assert_eq!(rows(&second), 108 - 100, "3 from before and 105 new, after the first hundred");
    assert!(second.contains("href=\"/admin#accounts\">First accounts"), "back to the start, no stray ?");
    let (_, searched) = host.page("/admin?find=many-10").await;
    assert_eq!(rows(&searched), 6, "many-10 and many-100 to many-104");

    // Made-up ids are simply not found.
    for id in ["999999", "abc", "-1"] {
        let r = host.submit("/admin", &format!("/admin/accounts/{id}/disable"), &[]).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{id}");
    }
    assert_eq!(host.page("/admin?after=nope").await.0, StatusCode::NOT_FOUND);
}

both_backends!(the_host_looks_after_accounts_and_sees_no_words);
