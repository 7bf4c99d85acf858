//! The pages as a person uses them: sign up, pair, Today, settings, unpair.

use crate::support;

use reqwest::StatusCode;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn anonymous_pages_render_with_security_headers(db: TestDb) {
    let app = spawn(db).await;
    let b = app.browser();
    for path in [
        "/",
        "/login",
        "/signup",
        "/learn",
        "/learn/emotional-intimacy",
        "/learn/six-kinds",
        "/learn/small-daily-practices",
        "/learn/how-tend-works",
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let csp = r.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        // Every answer carries the id its line in the access log has.
        let id = r.headers()["x-request-id"].to_str().expect("an id").to_owned();
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        let html = r.text().await.expect("body");
        assert!(!html.contains("<script>") && !html.contains("style=\""), "{path}: no inline script or style");
    }
    // A client's own request id is not taken when no proxy is trusted: it could write anything
    // into the host's log. Each request gets a fresh one.
    let ids: Vec<String> =
        futures_util::future::join_all((0..2).map(|_| {
            reqwest::Client::new().get(app.url("/login")).header("x-request-id", "forged-by-the-client").send()
        }))
        .await
        .into_iter()
        .map(|r| r.expect("login").headers()["x-request-id"].to_str().expect("id").to_owned())
        .collect();
    assert!(ids[0] != ids[1] && ids.iter().all(|id| !id.contains("forged")), "{ids:?}");
    let (status, html) = b.page("/learn/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Nothing here"));
    let (status, html) = b.page("/definitely/not/here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("We couldn’t find that page"));
    // A method a page does not take: refused for want of a CSRF token first, then as such.
    let r = b.client.delete(app.url("/login")).send().await.expect("delete");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let csrf = csrf_of(&b.page("/login").await.1);
    let r = b.client.delete(app.url("/login")).header("x-csrf-token", &csrf).send().await.expect("delete");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Private pages send people to log in, and back afterwards.
    let r = b.get("/settings").await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/login?next=%2Fsettings".to_owned()));
    // Assets are served under hashed names and cached for long.
    let (_, html) = b.page("/").await;
    let css = attr_after(&html, "rel=\"stylesheet\" href=\"").expect("stylesheet");
    let r = b.get(&css).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["cache-control"].to_str().expect("cc").contains("immutable"));
    assert_eq!(b.get("/static/app.0000.css").await.status(), StatusCode::NOT_FOUND);
}

/// What the app sent once `n` messages are out, or after two seconds.
async fn sent_soon(app: &TestApp, n: usize) -> Vec<Sent> {
    for _ in 0..200 {
        if app.courier.sent().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    app.courier.take()
}

async fn a_forgotten_password_is_set_again_by_email(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = api_couple(&app, "forgot").await;
    let b = app.browser();
    let (_, login) = b.page("/login").await;
    assert!(login.contains("href=\"/forgot\">Forgot your password?"), "the way in is offered where email works");

    // The same answer whether or not an account has the email; only a real one gets a link.
    for email in ["a-forgot@example.org", "nobody@example.org"] {
        let r = b.submit("/forgot", "/forgot", &[("email", email)]).await;
        assert_eq!((r.status(), location(&r).as_str()), (StatusCode::SEE_OTHER, "/forgot?done=sent"), "{email}");
        assert!(b.page("/forgot?done=sent").await.1.contains("is on its way"), "{email}");
    }
    // The link goes out apart from the answer (which takes as long either way).
    let sent = sent_soon(&app, 1).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].channel, sent[0].to.as_str()), ("account-email", "a-forgot@example.org"));
    let path = sent[0].message.path.clone();
    assert!(path.starts_with("/reset/") && path.len() > 30, "{path}");
    let r = b.submit("/forgot", "/forgot", &[("email", "not an email")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a typo is said, as on log-in");

    // The link sets a new password, once; the person is signed out everywhere.
    let (status, form) = b.page(&path).await;
    assert!(status == StatusCode::OK && form.contains("name=\"new_password\""), "{form}");
    let r = b.submit(&path, &path, &[("new_password", "short")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.submit(&path, &path, &[("new_password", "a brand new passphrase")]).await;
    assert_eq!((r.status(), location(&r).as_str()), (StatusCode::SEE_OTHER, "/login?done=password-set"));
    assert_eq!(alex.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the old token is revoked");
    assert_eq!(b.log_in("a-forgot@example.org", "a long enough password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(b.log_in("a-forgot@example.org", "a brand new passphrase").await.status(), StatusCode::SEE_OTHER);
    let (_, used) = app.browser().page(&path).await;
    assert!(used.contains("This link no longer works"), "single use");
    let late = app.browser();
    let (_, page) = late.page("/login").await;
    let r = late.post_raw(&path, &csrf_of(&page), &[("new_password", "yet another passphrase")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "a used link sets nothing");
    let (status, forged) = app.browser().page("/reset/not-a-real-link").await;
    assert!(status == StatusCode::OK && forged.contains("This link no longer works"));

    // Asking again and again is throttled, like log-in, and a newer link replaces the last.
    let other = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(other.submit("/forgot", "/forgot", &[("email", "a-forgot@example.org")]).await.status());
    }
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let links: Vec<String> = sent_soon(&app, 5).await.into_iter().map(|s| s.message.path).collect();
    assert!(links.len() >= 2, "{links:?}");
    let mut working = 0;
    for link in &links {
        working += usize::from(other.page(link).await.1.contains("name=\"new_password\""));
    }
    assert_eq!(working, 1, "only the newest of {} links works", links.len());
}

async fn two_partners_sign_up_pair_and_unpair(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    let r = alex.sign_up("Alex", "alex@example.org", None).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/pair?done=welcome".to_owned()));
    let r = alex.get("/today").await;
    assert_eq!(location(&r), "/pair", "not paired yet");

    // Registration is closed after the first account.
    let stranger = app.browser();
    let r = stranger.sign_up("Stranger", "stranger@example.org", None).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("body");
    assert!(html.contains("partner’s invite"), "explains why");
    assert!(html.contains("value=\"stranger@example.org\""), "keeps what was typed");
    assert!(!html.contains("a long enough password"), "never echoes the password");

    let (link, code) = alex.invite().await;
    assert!(link.starts_with(&app.base) && link.contains("/join/inv_"), "{link}");
    assert_eq!(code.len(), 12);

    // The link shows who is inviting; signing up through it pairs at once.
    let sam = app.browser();
    let path = link.trim_start_matches(&app.base).to_owned();
    let (status, html) = sam.page(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Alex invites you"));
    let token = path.trim_start_matches("/join/").to_owned();
    let r = sam.sign_up("Sam", "sam@example.org", Some(&token)).await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/today?done=paired".to_owned()));

    for (who, other) in [(&alex, "Sam"), (&sam, "Alex")] {
        let (status, html) = who.page("/today").await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(other), "each sees the other on Today");
    }

    // The used invite, and its code, no longer work for anyone.
    let third = app.browser();
    let r = third.sign_up("Third", "third@example.org", Some(&code)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("already been used"));
    let (status, _) = third.page(&path).await;
    assert_eq!(status, StatusCode::GONE);

    // Unpairing says what happens first, then does it for both.
    let (status, html) = sam.page("/unpair").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Each of you keeps only your own words"));
    let r = sam.submit("/unpair", "/unpair", &[]).await;
    assert_eq!(location(&r), "/pair?done=unpaired");
    for who in [&alex, &sam] {
        assert_eq!(location(&who.get("/today").await), "/pair");
    }
}

async fn joining_by_code_and_its_mistakes(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let (_, code) = alex.invite().await;

    // Own invite.
    let r = alex.submit("/pair", "/pair/join", &[("invite", &code)]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("your own invite"));

    // A wrong code, then the right one typed loosely.
    let sam = app.browser();
    let r = sam.sign_up("Sam", "sam@example.org", Some("WRONG-CODE-XX")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("don’t know that invite"), "{html}");
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"invite-error\""),
        "the error sits beside the field"
    );
    let r = sam.sign_up("Sam", "sam@example.org", Some(&code.to_lowercase().replace('-', " "))).await;
    assert_eq!(location(&r), "/today?done=paired", "codes forgive case and spacing");

    let (status, html) = alex.page("/pair").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("paired with Sam"));
}

async fn invites_expire_after_seven_days(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let (_, code) = alex.invite().await;
    app.advance_minutes(7 * 24 * 60 + 1);
    let sam = app.browser();
    let r = sam.sign_up("Sam", "sam@example.org", Some(&code)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("expired"));
    assert_eq!(location(&sam.get("/today").await), "/login?next=%2Ftoday", "no account was made");
}

async fn forms_keep_values_and_explain_errors(db: TestDb) {
    let app = spawn(db).await;
    let b = app.browser();
    let long = "x".repeat(500);
    let r = b
        .submit(
            "/signup",
            "/signup",
            &[("display_name", &long), ("email", "not-an-email"), ("password", "short"), ("time_zone", "Mars/Base")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    for message in ["keep your name to 40", "look like an email", "at least 10 characters", "not a time zone we know"] {
        assert!(html.contains(message), "missing: {message}");
    }
    assert!(html.contains("value=\"not-an-email\""));
    // Nothing was created.
    assert!(app.store.user_by_email("not-an-email").await.expect("read").is_none());
    assert!(!app.store.is_founded().await.expect("read"));

    // Wrong content type and broken bodies get pages, not crashes.
    let csrf = csrf_of(&b.page("/signup").await.1);
    let r = b
        .client
        .post(app.url("/signup"))
        .header("content-type", "application/json")
        .header("x-csrf-token", &csrf)
        .body("{}")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = "a".repeat(200 * 1024);
    let r = b.post_raw("/signup", &csrf, &[("display_name", &huge)]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    // A new connection: the server closes the one that carried the refused body.
    let fresh = reqwest::Client::builder().cookie_provider(b.jar.clone()).build().expect("client");
    let r = fresh
        .post(app.url("/signup"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&display_name=%FF%FE&email=a"))
        .send()
        .await
        .expect("post");
    assert!(r.status().is_client_error(), "{}", r.status());
}

async fn settings_change_profile_password_and_sessions(db: TestDb) {
    let app = spawn(db).await;
    let phone = app.browser();
    phone.sign_up("Alex", "alex@example.org", None).await;
    app.advance_minutes(1);
    let laptop = app.browser();
    assert_eq!(location(&laptop.log_in("alex@example.org", "a long enough password").await), "/today");

    let r = phone
        .submit(
            "/settings",
            "/settings/profile",
            &[("display_name", "Alex R"), ("email", "alex@example.org"), ("time_zone", "Pacific/Auckland")],
        )
        .await;
    assert_eq!(location(&r), "/settings?done=profile");
    let (_, html) = phone.page("/settings").await;
    assert!(html.contains("value=\"Alex R\"") && html.contains("<option selected>Pacific/Auckland</option>"));
    let r = phone
        .submit(
            "/settings",
            "/settings/profile",
            &[("display_name", ""), ("email", "alex@example.org"), ("time_zone", "Nowhere/Land")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("what to call you")
            && !html.contains(">Nowhere/Land</option>")
            && html.contains("<option selected>Pacific/Auckland</option>"),
        "errors shown; unknown zones are not options"
    );

    // Both sessions are listed; the phone signs the laptop out.
    let (_, html) = phone.page("/settings").await;
    assert_eq!(html.matches("class=\"badge\">this device").count(), 1);
    let alex = app.store.user_by_email("alex@example.org").await.expect("read").expect("user");
    let sessions = app.store.sessions_of(alex.id, app.now()).await.expect("list");
    assert_eq!(sessions.len(), 2);
    let laptop_session = sessions[0].id;
    assert!(html.contains(&format!("/settings/sessions/{laptop_session}/revoke")));
    let r = phone.submit("/settings", &format!("/settings/sessions/{laptop_session}/revoke"), &[]).await;
    assert_eq!(location(&r), "/settings?done=session");
    assert_eq!(location(&laptop.get("/settings").await), "/login?next=%2Fsettings");
    let r = phone.submit("/settings", "/settings/sessions/999999/revoke", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = phone.submit("/settings", "/settings/sessions/not-a-number/revoke", &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Changing the password signs out the other session and keeps this one.
    assert_eq!(location(&laptop.log_in("alex@example.org", "a long enough password").await), "/today");
    let r = phone
        .submit(
            "/settings",
            "/settings/password",
            &[("current_password", "wrong password!"), ("new_password", "another long password")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("isn’t your current password"));
    let r = phone
        .submit(
            "/settings",
            "/settings/password",
            &[("current_password", "a long enough password"), ("new_password", "another long password")],
        )
        .await;
    assert_eq!(location(&r), "/settings?done=password");
    assert_eq!(phone.get("/settings").await.status(), StatusCode::OK);
    assert_eq!(location(&laptop.get("/settings").await), "/login?next=%2Fsettings", "the other session ended");
    assert_eq!(location(&laptop.log_in("alex@example.org", "another long password").await), "/today");

    // Tokens: created once (the form redirects, so a reload makes no second one), shown once
    // on the page it leads to, revocable.
    let r = phone.submit("/settings", "/settings/tokens", &[("name", "my script")]).await;
    assert_eq!(location(&r), "/settings?done=token-created#tokens");
    let (_, html) = phone.page("/settings?done=token-created").await;
    let token = attr_after(&html, "id=\"new-token\" type=\"text\" readonly value=\"").expect("token shown");
    let (_, again) = phone.page("/settings?done=token-created").await;
    assert!(!again.contains(&token), "a reload does not show it again");
    assert_eq!(again.matches("action=\"/settings/tokens/").count(), 1, "nor make another");
    let api = app.api().with_token(&token);
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::OK);
    let (_, html) = phone.page("/settings").await;
    assert!(!html.contains(&token), "never shown again");
    let id = attr_after(&html, "action=\"/settings/tokens/").expect("listed").split('/').next().expect("id").to_owned();
    let r = phone.submit("/settings", &format!("/settings/tokens/{id}/revoke"), &[]).await;
    assert_eq!(location(&r), "/settings?done=token");
    assert_eq!(api.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}

async fn logging_in_rotates_the_session_and_out_ends_it(db: TestDb) {
    let app = spawn(db).await;
    let b = app.browser();
    b.sign_up("Alex", "alex@example.org", None).await;
    let first = b.cookie("tend_session").expect("signed in");
    // Logging in again from a signed-in browser (the form on /login redirects, so post it).
    let r =
        b.submit("/settings", "/login", &[("email", "alex@example.org"), ("password", "a long enough password")]).await;
    assert_eq!(location(&r), "/today");
    let second = b.cookie("tend_session").expect("signed in");
    assert_ne!(first, second, "a new session id at log-in");

    // The old session no longer works.
    let r = app
        .browser()
        .client
        .get(app.url("/settings"))
        .header("cookie", format!("tend_session={first}"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let r = b.submit("/settings", "/logout", &[]).await;
    assert_eq!(location(&r), "/login?done=logged-out");
    let r = app
        .browser()
        .client
        .get(app.url("/settings"))
        .header("cookie", format!("tend_session={second}"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "logged-out sessions are gone from the database");
    assert!(
        app.store
            .session_by_token(&tend_domain::secret::SecretHash::of(&second), app.now())
            .await
            .expect("read")
            .is_none()
    );
}

/// Each feature has one name in its addresses now; the old addresses people may have saved
/// answer with a permanent redirect to the new ones, path and query kept.
async fn moved_pages_redirect_to_their_one_name(db: TestDb) {
    let app = support::spawn(db).await;
    let browser = app.browser();
    for (old, new) in [
        ("/talk", "/conversations"),
        ("/talk/12", "/conversations/12"),
        ("/listen", "/listening"),
        ("/hug?done=hugged", "/hugs?done=hugged"),
        ("/q/today-001", "/questions/today-001"),
    ] {
        let r = browser.get(old).await;
        assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT, "{old}");
        assert_eq!(support::location(&r), new, "{old}");
    }
    // The new addresses are served (here: to someone signed out, who is sent to log in).
    for new in ["/conversations", "/listening", "/hugs", "/questions/today-001"] {
        let r = browser.get(new).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{new}");
    }
    // Every page route the router lists is under one of the new names, none under an old one.
    for (path, _) in tend_web::router::PAGE_ROUTES {
        for (old, _) in tend_web::router::MOVED {
            assert!(*path != *old && !path.starts_with(&format!("{old}/")), "{path} is still under {old}");
        }
    }
}

/// An invite survives a reload, a second tap and a retried API call: the same link and code
/// stay valid and viewable until used, cancelled or expired; only "Make a new invite" (or a
/// cancel) replaces them.
async fn an_invite_survives_reloads_and_retries(db: TestDb) {
    let app = spawn(db).await;
    let alex = app.browser();
    alex.sign_up("Alex", "alex@example.org", None).await;
    let (link, code) = alex.invite().await;
    // Reloading the page, and tapping "Create an invite" again, show the same invite.
    let (_, html) = alex.page("/pair").await;
    assert!(html.contains(&link) && html.contains(&code), "{html}");
    assert_eq!(alex.invite().await, (link.clone(), code.clone()));

    // The API agrees, and a retried POST does not replace it.
    let api = app.api();
    let (_, login) = api
        .post(
            "/api/v1/auth/login",
            serde_json::json!({"email": "alex@example.org", "password": "a long enough password", "token_name": "t"}),
        )
        .await;
    let alex_api = api.with_token(login["token"].as_str().expect("token"));
    let (status, open) = alex_api.get("/api/v1/invites").await;
    assert_eq!((status, open["code"].as_str()), (StatusCode::OK, Some(code.as_str())), "{open}");
    let (status, again) = alex_api.post("/api/v1/invites", serde_json::json!({})).await;
    assert_eq!((status, again["link"].as_str()), (StatusCode::OK, Some(link.as_str())), "{again}");

    // "Make a new invite": a new link and code, and the old ones stop working.
    let r = alex.submit("/pair", "/pair/invite", &[("fresh", "on")]).await;
    assert_eq!(location(&r), "/pair?done=invite-replaced#invite");
    let (_, html) = alex.page("/pair").await;
    assert!(!html.contains(&link) && !html.contains(&code), "the old invite is gone from the page");
    let old = app.browser().get(&link.replace(&app.base, "")).await;
    assert_eq!(old.status(), StatusCode::NOT_FOUND, "the old link no longer works");
    let new_link = attr_after(&html, "id=\"invite-link\" type=\"text\" readonly value=\"").expect("new link");
    let sam = app.browser();
    sam.sign_up("Sam", "sam@example.org", Some(new_link.rsplit('/').next().expect("token"))).await;
    let (_, html) = alex.page("/pair").await;
    assert!(html.contains("You’re paired with Sam"), "{html}");
    let (status, _) = alex_api.get("/api/v1/invites").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no open invite once paired");
}

both_backends!(
    a_forgotten_password_is_set_again_by_email,
    an_invite_survives_reloads_and_retries,
    moved_pages_redirect_to_their_one_name,
    anonymous_pages_render_with_security_headers,
    two_partners_sign_up_pair_and_unpair,
    joining_by_code_and_its_mistakes,
    invites_expire_after_seven_days,
    forms_keep_values_and_explain_errors,
    settings_change_profile_password_and_sessions,
    logging_in_rotates_the_session_and_out_ends_it,
);
