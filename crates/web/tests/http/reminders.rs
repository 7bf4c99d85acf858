//! Reminders through every door, with the scheduler run by hand on a set clock: what is due
//! follows the agreed rhythm and each person's choices; nothing about something done, nothing
//! in quiet hours or during a tech-free evening, at most three a day, sent once however often
//! (and from however many tasks) the scheduler runs, late if still useful and dropped if not;
//! a nudge a day; no one's words in any message; push addresses that point inside refused;
//! the calendar feed parsed back across a daylight-saving change; one-click unsubscribe.

use crate::support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::json;
use support::*;
use tend_domain::reminder;
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn keys() -> serde_json::Value {
    json!({"p256dh": URL_SAFE_NO_PAD.encode([4u8; 65]), "auth": URL_SAFE_NO_PAD.encode([7u8; 16])})
}

/// Runs the scheduler once, as every node does every minute.
async fn tick(app: &TestApp) -> reminder::Round {
    reminder::plan(&app.ctx).await.expect("plan");
    reminder::dispatch(&app.ctx, app.courier.as_ref()).await.expect("dispatch")
}

/// Sets the clock to a Berlin wall-clock time.
fn at_berlin(app: &TestApp, local: &str) {
    let t: jiff::civil::DateTime = local.parse().expect("date-time");
    let ts = t.to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").expect("zone")).expect("zoned").timestamp();
    app.clock.set(ts);
}

/// A couple in Berlin who agreed: check-in every day at 21:00, tech-free evening Thursdays
/// from 19:30 (three hours).
async fn couple_with_rhythm(app: &TestApp, tag: &str) -> (Api, Api) {
    let (alex, sam) = api_couple(app, tag).await;
    for who in [&alex, &sam] {
        let (status, body) =
            who.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "Europe/Berlin"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    for (practice, slot) in
        [("check-in", json!({"at": "21:00"})), ("tech-free-evening", json!({"weekday": "thursday", "at": "19:30"}))]
    {
        let (status, body) = alex.post(&format!("/api/v1/rhythm/plan/{practice}"), slot).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = sam.post(&format!("/api/v1/rhythm/plan/{practice}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    (alex, sam)
}

async fn choose(who: &Api, quiet: (&str, &str), wanted: &[(&str, &str)]) {
    let wanted: Vec<_> = wanted.iter().map(|(p, c)| json!({"practice": p, "channel": c})).collect();
    let (status, body) = who
        .call(
            reqwest::Method::PUT,
            "/api/v1/reminders",
            Some(json!({"quiet_from": quiet.0, "quiet_until": quiet.1, "wanted": wanted})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn add_device(who: &Api, endpoint: &str) -> (StatusCode, serde_json::Value) {
    who.post("/api/v1/reminders/devices", json!({"endpoint": endpoint, "keys": keys()})).await
}

async fn reminders_follow_the_rhythm_once(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = couple_with_rhythm(&app, "rem").await;
    choose(&alex, ("23:00", "07:00"), &[("check-in", "push"), ("check-in", "email"), ("tech-free-evening", "push")])
        .await;
    let (status, device) = add_device(&alex, "https://push.example.org/send/alex-phone").await;
    assert_eq!(status, StatusCode::CREATED, "{device}");
    // Sam wants nothing: Sam gets nothing.

    // Tuesday 20:59: nothing is due yet.
    at_berlin(&app, "2026-03-10T20:59");
    assert_eq!(tick(&app).await, reminder::Round::default());
    assert!(app.courier.sent().is_empty());

    // 21:00: the check-in, by notification and by email, to Alex only.
    at_berlin(&app, "2026-03-10T21:00");
    let round = tick(&app).await;
    assert_eq!(round.sent, 2, "{round:?}");
    let sent = app.courier.take();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|s| s.message.title == "Your check-in" && s.message.path == "/today#check-in"));
    assert!(sent.iter().any(|s| s.channel == "push" && s.to == "https://push.example.org/send/alex-phone"));
    assert!(sent.iter().any(|s| s.channel == "email" && s.to == "a-rem@example.org"));

    // Sent once: the scheduler runs again (as every node does), concurrently too.
    for minute in ["21:01", "21:30"] {
        at_berlin(&app, &format!("2026-03-10T{minute}"));
        let (a, b) = tokio::join!(tick(&app), tick(&app));
        assert_eq!(a.sent + b.sent, 0);
    }
    assert!(app.courier.sent().is_empty());

    // Wednesday: Alex checks in before 21:00, so no check-in reminder that evening.
    at_berlin(&app, "2026-03-11T19:00");
    let (status, body) = alex
        .call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "a quiet lunch", "closeness": 5})))
        .await;
    assert!(status.is_success(), "{status} {body}");
    at_berlin(&app, "2026-03-11T21:00");
    let round = tick(&app).await;
    assert_eq!(round.sent, 0, "{round:?}");
    assert_eq!(round.dropped, 2, "done already, on both channels: {round:?}");

    // Thursday: the tech-free evening is reminded of an hour before it starts.
    at_berlin(&app, "2026-03-12T18:29");
    tick(&app).await;
    assert!(app.courier.sent().iter().all(|s| s.message.tag != "tech-free-evening"));
    at_berlin(&app, "2026-03-12T18:30");
    tick(&app).await;
    let sent = app.courier.take();
    assert!(sent.iter().any(|s| s.message.title == "Your tech-free evening starts soon"), "{sent:?}");
    let _ = sam;
}

async fn quiet_hours_tech_free_evenings_and_the_daily_limit(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = couple_with_rhythm(&app, "quiet").await;
    // Three practices at 08:00 every day, each by notification and email: six are due.
    for practice in ["hug", "appreciation", "conversation"] {
        let (status, body) = alex.post(&format!("/api/v1/rhythm/plan/{practice}"), json!({"at": "08:00"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _) = sam.post(&format!("/api/v1/rhythm/plan/{practice}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let all: Vec<(&str, &str)> = ["hug", "appreciation", "conversation", "check-in", "tech-free-evening"]
        .iter()
        .flat_map(|p| [(*p, "push"), (*p, "email")])
        .collect();
    // Quiet until 08:30: the 08:00 reminders wait until then.
    choose(&sam, ("22:30", "08:30"), &all).await;
    let (status, _) = add_device(&sam, "https://push.example.org/send/sam").await;
    assert_eq!(status, StatusCode::CREATED);

    at_berlin(&app, "2026-03-10T08:00");
    let round = tick(&app).await;
    // The conversation's time (08:00 to 08:30) is over by then: those two are dropped.
    assert_eq!((round.sent, round.later, round.dropped), (0, 4, 2), "{round:?}");
    at_berlin(&app, "2026-03-10T08:30");
    tick(&app).await;
    // At most three a day, summed over every channel.
    assert_eq!(app.courier.take().len(), 3);
    at_berlin(&app, "2026-03-10T21:00");
    tick(&app).await;
    assert!(app.courier.take().is_empty(), "the day's three were used");

    // Thursday, for Alex (check-in and evening by notification): the evening's reminder at
    // 18:30; Sam starts the evening early, at 18:45, and Alex's 21:00 check-in waits while it
    // runs; "We're back" at 21:10 lets it through a few minutes later.
    choose(&alex, ("23:00", "07:00"), &[("check-in", "push"), ("tech-free-evening", "push")]).await;
    let (status, _) = add_device(&alex, "https://push.example.org/send/alex").await;
    assert_eq!(status, StatusCode::CREATED);
    let to_alex = |sent: Vec<Sent>| -> Vec<String> {
        sent.into_iter().filter(|s| s.to.ends_with("/alex")).map(|s| s.message.tag).collect()
    };
    at_berlin(&app, "2026-03-12T18:30");
    tick(&app).await;
    assert_eq!(to_alex(app.courier.take()), ["tech-free-evening"]);
    at_berlin(&app, "2026-03-12T18:45");
    let (status, evening) = sam.post("/api/v1/tech-free", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{evening}");
    at_berlin(&app, "2026-03-12T21:00");
    tick(&app).await;
    assert!(to_alex(app.courier.take()).is_empty(), "nothing during the evening");
    at_berlin(&app, "2026-03-12T21:10");
    let id = evening["id"].as_i64().expect("id");
    let (status, _) = alex.post(&format!("/api/v1/tech-free/{id}/end"), json!({})).await;
    assert!(status.is_success(), "{status}");
    at_berlin(&app, "2026-03-12T21:15");
    tick(&app).await;
    assert_eq!(to_alex(app.courier.take()), ["check-in"]);
}

async fn late_reminders_are_sent_if_still_useful_and_failures_retry(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = couple_with_rhythm(&app, "late").await;
    choose(&alex, ("23:30", "07:00"), &[("check-in", "push"), ("tech-free-evening", "push")]).await;
    add_device(&alex, "https://push.example.org/send/late").await;

    // The server was down from 18:00 to 23:00 on Thursday: the check-in (due 21:00) still
    // helps before midnight and goes out late; the evening's (due 18:30, over at 22:30) not.
    at_berlin(&app, "2026-03-12T23:00");
    tick(&app).await;
    let sent = app.courier.take();
    assert_eq!(sent.iter().map(|s| s.message.tag.as_str()).collect::<Vec<_>>(), ["check-in"]);

    // Friday 21:00: the push service is unreachable twice; the reminder is tried again after
    // one minute, then two, and is sent once.
    app.courier.failing.store(2, std::sync::atomic::Ordering::SeqCst);
    at_berlin(&app, "2026-03-13T21:00");
    assert_eq!(tick(&app).await.later, 1);
    at_berlin(&app, "2026-03-13T21:00:30");
    assert_eq!(tick(&app).await, reminder::Round::default(), "not before its time");
    at_berlin(&app, "2026-03-13T21:01");
    assert_eq!(tick(&app).await.later, 1);
    at_berlin(&app, "2026-03-13T21:03");
    assert_eq!(tick(&app).await.sent, 1);
    assert_eq!(app.courier.take().len(), 1);
}

async fn a_nudge_a_day_and_no_words_of_anyone(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = couple_with_rhythm(&app, "nudge").await;
    choose(&alex, ("23:30", "07:00"), &[("check-in", "push")]).await;
    add_device(&alex, "https://push.example.org/send/nudge").await;

    at_berlin(&app, "2026-03-10T12:00");
    // Words only the two of them should ever see.
    let secret = json!({"high": "SECRET-HIGH", "low": "SECRET-LOW", "need": "SECRET-NEED", "closeness": 4});
    let (status, _) = sam.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(secret)).await;
    assert!(status.is_success());
    let (_, me) = alex.get("/api/v1/me").await;
    let (status, body) =
        sam.post("/api/v1/appreciations", json!({"to": me["id"], "kind": "gratitude", "body": "SECRET-THANKS"})).await;
    assert!(status.is_success(), "{status} {body}");

    let (status, body) = sam.post("/api/v1/nudges", json!({"practice": "check-in"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = sam.post("/api/v1/nudges", json!({"practice": "hug"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "one a day: {body}");
    let (status, _) = sam.post("/api/v1/nudges", json!({"practice": "cuddles"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    tick(&app).await;
    at_berlin(&app, "2026-03-10T21:00");
    tick(&app).await;
    let sent = app.courier.take();
    let titles: Vec<&str> = sent.iter().map(|s| s.message.title.as_str()).collect();
    assert!(titles.contains(&"B nudge would love a check-in with you today"), "{titles:?}");
    assert!(titles.contains(&"Your check-in"), "{titles:?}");
    for s in &sent {
        let all = format!("{} {} {} {}", s.message.title, s.message.body, s.message.path, s.message.tag);
        assert!(!all.contains("SECRET"), "a reminder carried someone's words: {all}");
    }

    // Alex's Today shows the nudge; Sam's says it was sent.
    let alex_page = app.browser();
    alex_page.log_in("a-nudge@example.org", "a long enough password").await;
    let (_, html) = alex_page.page("/today").await;
    assert!(html.contains("B nudge would love a check-in with you today."), "{html}");

    // The next day Sam may nudge again.
    at_berlin(&app, "2026-03-11T12:00");
    let (status, _) = sam.post("/api/v1/nudges", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

/// An account an admin switched off hears nothing: neither its rhythm's reminders nor a
/// partner's nudge. Switched back on, the reminders come again.
async fn an_account_switched_off_is_not_reminded(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = couple_with_rhythm(&app, "off").await;
    choose(&alex, ("23:00", "07:00"), &[("check-in", "push"), ("check-in", "email")]).await;
    let (status, device) = add_device(&alex, "https://push.example.org/send/off").await;
    assert_eq!(status, StatusCode::CREATED, "{device}");
    let alex_id = app.store.user_by_email("a-off@example.org").await.expect("read").expect("alex").id;
    at_berlin(&app, "2026-03-10T20:00");
    assert!(app.store.set_disabled(alex_id, Some(app.now()), app.now()).await.expect("off"));

    let (status, body) = sam.post("/api/v1/nudges", json!({"practice": "check-in"})).await;
    assert!(status.is_success(), "{status} {body}");
    tick(&app).await;
    at_berlin(&app, "2026-03-10T21:00");
    let round = tick(&app).await;
    assert_eq!(round.sent, 0, "{round:?}");
    assert!(app.courier.take().is_empty(), "nothing reaches an account that is off");

    at_berlin(&app, "2026-03-11T12:00");
    assert!(app.store.set_disabled(alex_id, None, app.now()).await.expect("on"));
    at_berlin(&app, "2026-03-11T21:00");
    let round = tick(&app).await;
    assert_eq!(round.sent, 2, "back on, reminded again: {round:?}");
    let _ = alex;
}

async fn devices_are_checked_and_private_addresses_refused(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = couple_with_rhythm(&app, "ssrf").await;
    for endpoint in [
        "http://push.example.org/x",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://10.1.2.3/x",
        "https://192.168.0.10:8443/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/x",
        "https://user@push.example.org/x",
        "https://printer/x",
        "ftp://push.example.org/x",
        "not a url",
    ] {
        let (status, body) = add_device(&alex, endpoint).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{endpoint}: {body}");
        assert!(body["errors"].to_string().contains("endpoint"), "{body}");
    }
    let (status, body) = alex
        .post(
            "/api/v1/reminders/devices",
            json!({"endpoint": "https://push.example.org/x", "keys": {"p256dh": "short", "auth": "!!"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A real one, listed, tested, and removable only by its owner.
    let (status, device) = add_device(&alex, "https://fcm.googleapis.com/fcm/send/abc").await;
    assert_eq!(status, StatusCode::CREATED, "{device}");
    let id = device["id"].as_i64().expect("id");
    let (status, body) = alex.post("/api/v1/reminders/test/push", json!({})).await;
    assert_eq!((status, body["sent"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
    let test = app.courier.take();
    assert_eq!(test[0].message.title, "Reminders from Tend work");
    let (status, _) = sam.delete(&format!("/api/v1/reminders/devices/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = alex.delete(&format!("/api/v1/reminders/devices/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = alex.post("/api/v1/reminders/test/push", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "no device left: {body}");

    // Bad choices: an unknown practice, a time that is none.
    let (status, body) = alex
        .call(
            reqwest::Method::PUT,
            "/api/v1/reminders",
            Some(json!({"quiet_from": "25:00", "quiet_until": "07:00", "wanted": [{"practice": "naps", "channel": "push"}]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, now) = alex.get("/api/v1/reminders").await;
    assert_eq!(now["quiet_from"], "22:00", "nothing was saved: {now}");
}

async fn the_calendar_feed_keeps_local_time_across_daylight_saving(db: TestDb) {
    use icalendar::{Calendar, Component};
    let app = spawn(db).await;
    let (alex, _sam) = couple_with_rhythm(&app, "ics").await;
    let (status, made) = alex.post("/api/v1/reminders/calendar", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let url = made["url"].as_str().expect("url");
    let path = &url[url.find("/calendar/").expect("path")..];
    let response = app.api().req(reqwest::Method::GET, path).send().await.expect("feed");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().expect("ct").starts_with("text/calendar"));
    let text = response.text().await.expect("body");
    let calendar: Calendar = text.parse().expect("the feed parses as iCalendar");
    let events: Vec<_> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 2, "{text}");
    assert_eq!(text.matches("PRODID").count(), 1, "{text}");
    assert_eq!(calendar.property_value("VERSION"), Some("2.0"));
    let evening = events.iter().find(|e| e.get_summary() == Some("Tech-free evening")).expect("the evening");
    assert_eq!(evening.property_value("RRULE"), Some("FREQ=WEEKLY;BYDAY=TH"));
    assert_eq!(evening.property_value("DURATION"), Some("PT180M"));
    let start = evening.properties().get("DTSTART").expect("DTSTART");
    assert_eq!(start.params().get("TZID").map(|p| p.value()), Some("Europe/Berlin"));
    assert_eq!(start.value(), "20260312T193000");

    // Expanded by an independent implementation, every evening is 19:30 in Berlin, which is
    // 18:30 UTC before 29 March 2026 and 17:30 UTC after.
    let rule = format!("DTSTART;TZID=Europe/Berlin:{}\nRRULE:{}", start.value(), "FREQ=WEEKLY;BYDAY=TH");
    let set: rrule::RRuleSet = rule.parse().expect("rrule");
    let dates = set.all(5).dates;
    let local: Vec<String> = dates.iter().map(|d| d.format("%Y-%m-%d %H:%M").to_string()).collect();
    assert_eq!(
        local,
        ["2026-03-12 19:30", "2026-03-19 19:30", "2026-03-26 19:30", "2026-04-02 19:30", "2026-04-09 19:30"]
    );
    let utc: Vec<String> = dates.iter().map(|d| d.with_timezone(&rrule::Tz::UTC).format("%H:%M").to_string()).collect();
    assert_eq!(utc, ["18:30", "18:30", "18:30", "17:30", "17:30"]);
    let check_in = events.iter().find(|e| e.get_summary() == Some("Daily check-in")).expect("check-in");
    assert_eq!(check_in.property_value("RRULE"), Some("FREQ=DAILY"));

    // A new address turns the old one off; turning it off leaves none.
    let (_, again) = alex.post("/api/v1/reminders/calendar", json!({})).await;
    let new_url = again["url"].as_str().expect("url");
    let old = app.api().req(reqwest::Method::GET, path).send().await.expect("old");
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    let new_path = &new_url[new_url.find("/calendar/").expect("path")..];
    assert_eq!(app.api().req(reqwest::Method::GET, new_path).send().await.expect("new").status(), StatusCode::OK);
    let (status, _) = alex.delete("/api/v1/reminders/calendar").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api().req(reqwest::Method::GET, new_path).send().await.expect("gone").status(),
        StatusCode::NOT_FOUND
    );
    let junk = app.api().req(reqwest::Method::GET, "/calendar/cal_nothing.ics").send().await.expect("junk");
    assert_eq!(junk.status(), StatusCode::NOT_FOUND);
}

async fn email_unsubscribes_in_one_click_and_the_page_saves_choices(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = couple_with_rhythm(&app, "stop").await;
    let page = app.browser();
    page.log_in("a-stop@example.org", "a long enough password").await;
    let (status, html) = page.page("/reminders").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Every day at 21:00, reminded at the time"), "{html}");
    // The form: check-in by email, quiet hours 22:00 to 07:00.
    let r = page
        .submit(
            "/reminders",
            "/reminders",
            &[("check-in:email", "on"), ("quiet_from", "22:00"), ("quiet_until", "07:00")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let (_, choices) = alex.get("/api/v1/reminders").await;
    assert_eq!(choices["wanted"], json!([{"practice": "check-in", "channel": "email"}]));
    assert_eq!(choices["quiet_until"], "07:00");
    // A bad time shows the form again with the message, and saves nothing.
    let r = page
        .submit(
            "/reminders",
            "/reminders",
            &[("check-in:push", "on"), ("quiet_from", "soon"), ("quiet_until", "07:00")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Please give a time like 22:00."));

    at_berlin(&app, "2026-03-10T21:00");
    tick(&app).await;
    let sent = app.courier.take();
    assert_eq!(sent.len(), 1);
    let stop = sent[0].stop_path.clone().expect("an unsubscribe path");

    // A mail scanner opening the link changes nothing; the one-click POST (RFC 8058, no
    // CSRF token, no session) turns email off.
    let scanner = app.api();
    let r = scanner.req(reqwest::Method::GET, &stop).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, choices) = alex.get("/api/v1/reminders").await;
    assert_eq!(choices["wanted"].as_array().map(Vec::len), Some(1));
    let r = scanner
        .req(reqwest::Method::POST, &stop)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, choices) = alex.get("/api/v1/reminders").await;
    assert_eq!(choices["wanted"], json!([]));
    // A forged link does nothing.
    let forged = stop.replace("/reminders/stop/", "/reminders/stop/9").replace('.', ".x");
    let r = scanner.req(reqwest::Method::POST, &forged).send().await.expect("forged");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

both_backends!(
    reminders_follow_the_rhythm_once,
    quiet_hours_tech_free_evenings_and_the_daily_limit,
    late_reminders_are_sent_if_still_useful_and_failures_retry,
    a_nudge_a_day_and_no_words_of_anyone,
    an_account_switched_off_is_not_reminded,
    devices_are_checked_and_private_addresses_refused,
    the_calendar_feed_keeps_local_time_across_daylight_saving,
    email_unsubscribes_in_one_click_and_the_page_saves_choices,
);
