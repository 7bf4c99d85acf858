//! The daily practices through every door: the reveal rule on pages, API, events and
//! history; bad input and races; appreciations and reactions; live events.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const SECRET: &str = "my-secret-high-7f3a";

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

fn token_of(api: &Api) -> String {
    api.token.clone().expect("token")
}

async fn check_in(api: &Api, high: &str, closeness: Value) -> (StatusCode, Value) {
    put(api, "/api/v1/check-ins/today", json!({"high": high, "low": "", "closeness": closeness, "need": "tea"})).await
}

async fn nothing_is_revealed_before_you_check_in(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "reveal").await;
    let alex_browser = app.browser();
    assert_eq!(location(&alex_browser.log_in("a-reveal@example.org", "a long enough password").await), "/today");
    let mut stream = Stream::open(&app, &token_of(&alex)).await;

    let (status, body) = check_in(&sam, SECRET, json!(6)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mine"]["high"], SECRET);
    assert_eq!(body["partner_state"], "not_yet");

    // The event says only that something changed.
    let event = stream.next_event(Duration::from_secs(5)).await.expect("an event");
    assert!(event.contains("event: change") && event.contains("check-in"), "{event}");
    assert!(!event.contains(SECRET) && !event.contains("tea"));

    // Every door, as Alex: that Sam checked in, never what.
    for path in ["/api/v1/today", "/api/v1/check-ins/today", "/api/v1/check-ins", "/api/v1/history", "/api/v1/rhythm"] {
        let (status, body) = alex.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.to_string().contains(SECRET), "{path} leaks: {body}");
    }
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!(today["check_in"]["partner_state"], "waiting_for_you");
    assert!(today["check_in"]["partner"].is_null());
    for path in ["/today", "/history", "/rhythm", "/appreciations", "/appreciations?box=given", "/today?edit=1"] {
        let (status, html) = alex_browser.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(SECRET), "{path} leaks");
    }
    let (_, html) = alex_browser.page("/today").await;
    assert!(html.contains("has checked in."), "the page says Sam is waiting");

    // Once Alex checks in, both see both.
    let r = alex_browser
        .submit("/today", "/check-ins", &[("high", "Lunch with you"), ("low", ""), ("closeness", "5"), ("need", "")])
        .await;
    assert_eq!(location(&r), "/today?done=checked-in#check-in");
    let (_, html) = alex_browser.page("/today").await;
    assert!(html.contains(SECRET), "revealed on the page");
    let (_, body) = alex.get("/api/v1/check-ins/today").await;
    assert_eq!((body["partner_state"].as_str(), body["partner"]["high"].as_str()), (Some("revealed"), Some(SECRET)));
    let (_, body) = sam.get("/api/v1/check-ins/today").await;
    assert_eq!(body["partner"]["high"], "Lunch with you");
    let (_, history) = alex.get("/api/v1/history").await;
    assert!(history.to_string().contains(SECRET), "and in history");

    // Edits stay revealed and replace the words.
    check_in(&sam, "changed my mind", json!(7)).await;
    let (_, body) = alex.get("/api/v1/check-ins/today").await;
    assert_eq!(
        (body["partner"]["high"].as_str(), body["partner"]["closeness"].as_u64()),
        (Some("changed my mind"), Some(7))
    );
}

async fn yesterday_stays_private_if_you_skipped_it(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "skip").await;
    check_in(&sam, SECRET, json!(4)).await;
    app.advance_minutes(24 * 60);
    check_in(&alex, "today's", json!(4)).await;
    check_in(&sam, "today's too", json!(4)).await;
    let (_, days) = alex.get("/api/v1/check-ins").await;
    assert!(!days.to_string().contains(SECRET), "a day Alex skipped keeps Sam's words private: {days}");
    assert!(days.to_string().contains("today's too"));
    let yesterday =
        days.as_array().expect("days").iter().find(|d| d["mine"].is_null() && d["partner_state"] == "waiting_for_you");
    assert!(yesterday.is_some(), "Alex still sees that Sam checked in: {days}");
}

async fn check_in_bad_input_and_races(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "bad").await;
    for closeness in [json!(0), json!(8), json!("abc"), json!(null), json!(4.5), json!(-1), json!([3])] {
        let (status, body) = check_in(&alex, "x", closeness.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{closeness}: {body}");
        assert_eq!(body["errors"][0]["field"], "closeness");
    }
    let (status, body) = put(&alex, "/api/v1/check-ins/today", json!({"high": "", "low": "  ", "closeness": 3})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("high")));
    let (status, _) = check_in(&alex, &"x".repeat(281), json!(3)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let today = app.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    for day in [today.yesterday().expect("d"), today.tomorrow().expect("d")] {
        let (status, body) =
            put(&alex, "/api/v1/check-ins/today", json!({"high": "x", "closeness": 3, "day": day.to_string()})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{day}");
        assert!(body["errors"][0]["message"].as_str().expect("m").contains(&today.to_string()));
    }
    let (status, _) =
        put(&alex, "/api/v1/check-ins/today", json!({"high": "x", "closeness": 3, "day": today.to_string()})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = alex.get("/api/v1/check-ins/today").await;
    assert_eq!(mine["mine"]["high"], "x", "nothing partial from the refused attempts");

    // Double submits and both partners at the same instant.
    let (a, b, c, d) = tokio::join!(
        check_in(&alex, "first", json!(2)),
        check_in(&alex, "second", json!(3)),
        check_in(&sam, "sam", json!(5)),
        check_in(&sam, "sam again", json!(6)),
    );
    for r in [a, b, c, d] {
        assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    }
    let (_, view) = alex.get("/api/v1/check-ins/today").await;
    assert!(["first", "second"].contains(&view["mine"]["high"].as_str().expect("high")));
    assert!(["sam", "sam again"].contains(&view["partner"]["high"].as_str().expect("high")));

    // The page form keeps what was typed next to the error.
    let browser = app.browser();
    browser.log_in("a-bad@example.org", "a long enough password").await;
    let r = browser.submit("/today", "/check-ins", &[("high", "kept words"), ("low", ""), ("need", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("kept words") && html.contains("Please choose how close you feel"));
}

async fn appreciations_and_reactions(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (alex, sam) = api_couple(&app, "thanks").await;
    let (other, _) = api_couple(&app, "elsewhere").await;

    let (status, given) = alex
        .post(
            "/api/v1/appreciations",
            json!({"kind": "gratitude", "body": "Thank you for the soup", "starter_id": "gratitude-01"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{given}");
    let id = given["id"].as_i64().expect("id");
    let (_, today) = sam.get("/api/v1/today").await;
    assert_eq!(today["received"][0]["body"], "Thank you for the soup", "the partner sees it at once");

    // Only the recipient answers; others get not found or a clear refusal.
    let (status, _) = alex
        .call(reqwest::Method::PUT, &format!("/api/v1/appreciations/{id}/reaction"), Some(json!({"reaction": "love"})))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = other
        .call(reqwest::Method::PUT, &format!("/api/v1/appreciations/{id}/reaction"), Some(json!({"reaction": "love"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another couple's appreciation does not exist for them");
    let (status, _) = sam
        .call(reqwest::Method::PUT, "/api/v1/appreciations/999999/reaction", Some(json!({"reaction": "love"})))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = sam
        .call(reqwest::Method::PUT, &format!("/api/v1/appreciations/{id}/reaction"), Some(json!({"reaction": "meh"})))
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reaction")));
    let (status, body) = sam
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/appreciations/{id}/reaction"),
            Some(json!({"reaction": "hug", "reply": "Anytime!"})),
        )
        .await;
    assert_eq!(
        (status, body["reaction"].as_str(), body["reply"].as_str()),
        (StatusCode::OK, Some("hug"), Some("Anytime!"))
    );
    let (_, given) = alex.get("/api/v1/appreciations?box=given").await;
    assert_eq!(given["items"][0]["reaction"], "hug");

    // Bad input.
    for (body, field) in [
        (json!({"kind": "love", "body": "x"}), "kind"),
        (json!({"kind": "respect", "body": "   "}), "body"),
        (json!({"kind": "respect", "body": "x".repeat(501)}), "body"),
        (json!({"kind": "respect", "body": "x", "to": 424242}), "to"),
        (json!({"kind": "respect", "body": "x", "starter_id": "no-such"}), "starter_id"),
    ] {
        let (status, problem) = alex.post("/api/v1/appreciations", body).await;
        assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)));
    }

    // Paging and search over many.
    for i in 0..25 {
        sam.post("/api/v1/appreciations", json!({"kind": "admiration", "body": format!("Number {i} of many")})).await;
    }
    let (_, page1) = alex.get("/api/v1/appreciations").await;
    assert_eq!((page1["items"].as_array().map(Vec::len), page1["has_more"].as_bool()), (Some(20), Some(true)));
    assert_eq!(page1["items"][0]["body"], "Number 24 of many", "newest first");
    let (_, page2) = alex.get("/api/v1/appreciations?page=2").await;
    assert_eq!((page2["items"].as_array().map(Vec::len), page2["has_more"].as_bool()), (Some(5), Some(false)));
    let (_, found) = alex.get("/api/v1/appreciations?q=NUMBER%201").await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(11), "1 and 10–19");
    let (status, _) = alex.get("/api/v1/appreciations?box=sideways").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, found) = sam.get("/api/v1/appreciations?box=received&q=anytime").await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "replies are searchable too");
    let (_, starters) = app.api().get("/api/v1/appreciations/starters").await;
    assert!(starters.as_array().is_some_and(|s| s.len() >= 60));

    // The pages agree.
    let browser = app.browser();
    browser.log_in("b-thanks@example.org", "a long enough password").await;
    let (_, html) = browser.page("/appreciations?q=soup").await;
    assert!(html.contains("Thank you for the soup") && html.contains("Sending a hug"));
    let r = browser
        .submit(
            "/today",
            "/appreciations",
            &[("kind", "respect"), ("body", "You kept your promise"), ("starter_id", "")],
        )
        .await;
    assert_eq!(location(&r), "/today?done=appreciated#appreciations");
    let (_, html) = browser.page("/appreciations?box=given&page=1").await;
    assert!(html.contains("You kept your promise"));
    let r = browser.submit("/appreciations", "/appreciations/not-a-number/reaction", &[("reaction", "love")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// A starter is only an opening line: the kind stays the one chosen. A reaction and a few
/// words are two parts of one answer, both kept and shown, in the API and on the pages.
async fn a_starter_keeps_the_kind_and_an_answer_keeps_both_parts(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "both").await;
    let (status, given) = alex
        .post(
            "/api/v1/appreciations",
            json!({"kind": "respect", "body": "Thank you for standing firm", "starter_id": "gratitude-01"}),
        )
        .await;
    assert_eq!(
        (status, given["kind"].as_str(), given["starter_id"].as_str()),
        (StatusCode::CREATED, Some("respect"), Some("gratitude-01")),
        "{given}"
    );
    let id = given["id"].as_i64().expect("id");
    let path = format!("/api/v1/appreciations/{id}/reaction");
    let answer =
        |body: &Value| (body["reaction"].as_str().map(str::to_owned), body["reply"].as_str().map(str::to_owned));
    let said = |reaction: &str, reply: &str| (Some(reaction.to_owned()), Some(reply.to_owned()));
    let (_, body) = put(&sam, &path, json!({"reaction": "love"})).await;
    assert_eq!(answer(&body), said("love", ""));
    let (_, body) = put(&sam, &path, json!({"reply": "That meant a lot"})).await;
    assert_eq!(answer(&body), said("love", "That meant a lot"), "words keep the heart");
    let (_, body) = put(&sam, &path, json!({"reaction": "moved", "reply": ""})).await;
    assert_eq!(answer(&body), said("moved", "That meant a lot"), "a new reaction keeps the words");
    let (_, given) = alex.get("/api/v1/appreciations?box=given").await;
    assert_eq!(answer(&given["items"][0]), said("moved", "That meant a lot"), "the author sees both");

    // The pages: a tap on a reaction, then words sent on their own, keep both.
    let sams = app.browser();
    sams.log_in("b-both@example.org", "a long enough password").await;
    let action = format!("/appreciations/{id}/reaction");
    let back = ("return_to", "/today#appreciations");
    let r = sams.submit("/today", &action, &[("reaction", "hug"), ("reply", "That meant a lot"), back]).await;
    assert_eq!(location(&r), "/today?done=reacted#appreciations");
    sams.submit("/today", &action, &[("reply", "Still smiling"), back]).await;
    let (_, html) = sams.page("/today").await;
    assert!(
        html.contains("Change your answer") && html.contains(r#"value="Still smiling""#),
        "the words, ready to edit"
    );
    let alexs = app.browser();
    alexs.log_in("a-both@example.org", "a long enough password").await;
    let (_, html) = alexs.page("/today").await;
    assert!(html.contains("Sending a hug") && html.contains("“Still smiling”"), "both shown to the author");
    let (_, html) = alexs.page("/appreciations?box=given").await;
    assert!(html.contains("Sending a hug") && html.contains("“Still smiling”"));

    // Without JavaScript a starter opens the form with its words and the kind it is listed
    // under, each group of starters labelled with its kind.
    let (_, html) = alexs.page("/today?starter=respect-01").await;
    assert!(html.contains(r#"name="kind" value="respect" checked"#), "the starter's kind, shown as chosen");
    for kind in ["gratitude", "respect", "admiration"] {
        assert!(html.contains(&format!(r#"data-starter-group="{kind}""#)), "{kind}");
    }
}

/// Each appreciation reaches the partner's open stream as an event of its own. How fast is
/// measured, not asserted: bench/live-events.sh.
async fn live_events_reach_the_partner(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "live").await;
    let mut stream = Stream::open(&app, &token_of(&alex)).await;
    for i in 0..5 {
        sam.post("/api/v1/appreciations", json!({"kind": "gratitude", "body": format!("live {i}")})).await;
        let event = stream.next_event(Duration::from_secs(10)).await.expect("an event for each appreciation");
        assert!(event.contains("appreciation"), "{event}");
        assert!(!event.contains(&format!("live {i}")), "events carry no content: {event}");
    }
}

async fn revoking_access_ends_open_streams_at_once(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "revoke").await;
    let (status, second) = alex.post("/api/v1/tokens", json!({"name": "a script"})).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let mut kept = Stream::open(&app, &token_of(&alex)).await;
    let mut revoked = Stream::open(&app, second["token"].as_str().expect("token")).await;
    let mut partners = Stream::open(&app, &token_of(&sam)).await;

    let (status, _) = alex.call(reqwest::Method::DELETE, &format!("/api/v1/tokens/{}", second["id"]), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked.ends_within(Duration::from_secs(5)).await, "the revoked token's stream ends at once");
    // The others go on, and never see the change of access itself.
    sam.post("/api/v1/appreciations", json!({"kind": "gratitude", "body": "still here"})).await;
    let event = kept.next_event(Duration::from_secs(5)).await.expect("the kept token's stream goes on");
    assert!(event.contains("appreciation"), "{event}");
    let event = partners.next_event(Duration::from_secs(5)).await.expect("and the partner's");
    assert!(event.contains("appreciation") && !event.contains("access"), "{event}");

    // Unpairing ends both partners' streams of the couple's space, once they have heard of it.
    let (status, _) = sam.call(reqwest::Method::DELETE, "/api/v1/couple", None).await;
    assert!(status.is_success(), "{status}");
    for stream in [&mut kept, &mut partners] {
        let mut heard = String::new();
        while let Some(event) = stream.next_event(Duration::from_secs(5)).await {
            heard.push_str(&event);
        }
        assert!(heard.contains("\"kind\":\"couple\"") && !heard.contains("access"), "{heard}");
        assert!(stream.ends_within(Duration::from_secs(1)).await, "a stream of a couple that ended closes");
    }
}

async fn rhythm_counts_can_be_hidden(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "rhythm").await;
    check_in(&alex, "x", json!(3)).await;
    check_in(&sam, "y", json!(3)).await;
    let (_, month) = alex.get("/api/v1/rhythm").await;
    assert_eq!((month["both_days"].as_u64(), month["one_days"].as_u64()), (Some(1), Some(0)));
    let day = month["days"].as_array().expect("days").iter().find(|d| d["connected"] == "both");
    assert!(day.is_some());
    alex.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"hide_counts": true}))).await;
    let (_, month) = alex.get("/api/v1/rhythm").await;
    assert!(month["both_days"].is_null() && month["days"].as_array().is_some_and(|d| !d.is_empty()));
    let (_, month) = sam.get("/api/v1/rhythm").await;
    assert_eq!(month["both_days"].as_u64(), Some(1), "a choice for one partner only");
    for bad in ["2026-13", "soon", "1999-01"] {
        assert_eq!(alex.get(&format!("/api/v1/rhythm?month={bad}")).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
    let browser = app.browser();
    browser.log_in("a-rhythm@example.org", "a long enough password").await;
    let (status, html) = browser.page("/rhythm").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("both of you checked in") && !html.contains("This month:"));
    assert_eq!(browser.page("/rhythm?month=2999-01").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(browser.page("/history?before=not-a-date").await.0, StatusCode::BAD_REQUEST);
}

/// The month calendar tells days still to come from quiet days, to the eye and to a screen
/// reader; a day a partner already reached in a time zone ahead shows what they did.
async fn days_to_come_are_not_quiet_days(db: TestDb) {
    let app = spawn(db).await;
    let (_alex, sam) = api_couple(&app, "future").await;
    // 18:00 UTC on 10 March: 08:00 on 11 March for Sam, on Kiritimati.
    let (status, _) =
        sam.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "Pacific/Kiritimati"}))).await;
    assert_eq!(status, StatusCode::OK);
    check_in(&sam, "An early swim", json!(5)).await;
    let browser = app.browser();
    browser.log_in("a-future@example.org", "a long enough password").await;
    let (_, html) = browser.page("/rhythm").await;
    let cell = |day: &str| {
        let label = html.find(&format!(">{day} March: ")).map(|at| &html[at + 1..]).unwrap_or("");
        label.split('<').next().unwrap_or("").to_owned()
    };
    assert_eq!(cell("9"), "9 March: no check-ins", "a past day without check-ins is quiet");
    assert_eq!(cell("10"), "10 March: no check-ins", "and so is today, so far");
    assert_eq!(cell("11"), "11 March: one of you checked in", "Sam's day ahead shows");
    assert_eq!(cell("12"), "12 March: still to come");
    assert_eq!(cell("31"), "31 March: still to come");
    assert_eq!(html.matches("day-cell future").count(), 20, "12 to 31 March");
    assert!(html.contains("still to come</li>"), "the legend names them");
    let (_, html) = browser.page("/rhythm?month=2026-02").await;
    assert!(!html.contains("day-cell future") && !html.contains("swatch future"), "a past month has none");
}

async fn what_the_partner_added_is_marked_new_once(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "new").await;
    let browser = app.browser();
    browser.log_in("a-new@example.org", "a long enough password").await;
    let (_, html) = browser.page("/today").await;
    assert!(!html.contains("badge new"), "nothing new yet");
    app.advance_minutes(1);
    sam.post("/api/v1/appreciations", json!({"kind": "admiration", "body": "You sing beautifully"})).await;
    let (_, html) = browser.page("/today").await;
    assert_eq!(html.matches("badge new").count(), 1, "the new appreciation is marked");
    app.advance_minutes(1);
    let (_, html) = browser.page("/today").await;
    assert!(!html.contains("badge new"), "and only until it has been seen");

    // A view with nothing new records nothing: the last visit stays where it was.
    let (_, before) = alex.get("/api/v1/today").await;
    app.advance_minutes(3);
    let (_, after) = alex.get("/api/v1/today").await;
    assert_eq!(before["last_seen"], after["last_seen"], "nothing new, nothing written");
    assert!(before["last_seen"].is_string());

    // Sam's check-in stays hidden until Alex checks in, however often Alex looks; once
    // revealed, it is new, and then no longer.
    sam.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "tea", "closeness": 5}))).await;
    app.advance_minutes(1);
    let (_, html) = browser.page("/today").await;
    assert!(!html.contains("badge new") && !html.contains(">tea<"), "hidden until Alex checks in");
    app.advance_minutes(1);
    alex.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "a walk", "closeness": 6}))).await;
    let (_, html) = browser.page("/today").await;
    assert_eq!(html.matches("badge new").count(), 1, "the revealed check-in is new");
    app.advance_minutes(1);
    let (_, html) = browser.page("/today").await;
    assert!(!html.contains("badge new"), "and only once");
}

async fn hugs_count_once_for_both(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "hug").await;
    let (status, week) = alex.post("/api/v1/hugs", json!({})).await;
    assert_eq!((status, week["this_week"].as_u64()), (StatusCode::CREATED, Some(1)));
    let (_, week) = sam.post("/api/v1/hugs", json!({})).await;
    assert_eq!(week["this_week"].as_u64(), Some(1), "both phones tapping is one hug");
    app.advance_minutes(3);
    let (_, week) = sam.post("/api/v1/hugs", json!({})).await;
    assert_eq!(week["this_week"].as_u64(), Some(2));
    assert_eq!(alex.get("/api/v1/hugs").await.1["this_week"].as_u64(), Some(2), "logged for both");
    let browser = app.browser();
    browser.log_in("a-hug@example.org", "a long enough password").await;
    let (status, html) = browser.page("/hugs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2 hugs logged this week") && html.contains("Grewen et al., 2003"));
    app.advance_minutes(3);
    let r = browser.submit("/hugs", "/hugs", &[]).await;
    assert_eq!(location(&r), "/hugs?done=hugged");
    assert_eq!(alex.get("/api/v1/hugs").await.1["this_week"].as_u64(), Some(3));
    assert_eq!(app.api().with_token("tend_x").post("/api/v1/hugs", json!({})).await.0, StatusCode::UNAUTHORIZED);
}

both_backends!(
    hugs_count_once_for_both,
    what_the_partner_added_is_marked_new_once,
    revoking_access_ends_open_streams_at_once,
    nothing_is_revealed_before_you_check_in,
    yesterday_stays_private_if_you_skipped_it,
    check_in_bad_input_and_races,
    appreciations_and_reactions,
    a_starter_keeps_the_kind_and_an_answer_keeps_both_parts,
    live_events_reach_the_partner,
    rhythm_counts_can_be_hidden,
    days_to_come_are_not_quiet_days,
);
