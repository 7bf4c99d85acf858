//! Our rhythm and the tech-free evening through every door: a time proposed by one partner
//! and agreed by the other, seen by each in their own zone; this week; "Phones away" on two
//! phones, the calm screen, "We're back" and the line about the evening; and bad input.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn plan_item<'a>(plan: &'a Value, id: &str) -> &'a Value {
    plan["practices"].as_array().expect("practices").iter().find(|p| p["id"] == id).expect("the practice")
}

async fn a_time_counts_once_the_other_says_yes(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "plan").await;
    // Sam lives six hours behind (New York), Alex in Berlin.
    let (status, _) =
        sam.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "America/New_York"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        alex.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "Europe/Berlin"}))).await;
    assert_eq!(status, StatusCode::OK);

    // Every practice is there with its rhythm and why, and nothing is agreed yet.
    let (status, plan) = alex.get("/api/v1/rhythm/plan").await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let ids: Vec<&str> = plan["practices"].as_array().expect("list").iter().filter_map(|p| p["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "hug",
            "check-in",
            "appreciation",
            "conversation",
            "tech-free-evening",
            "listening",
            "show-and-tell",
            "state-of-us",
            "intimacy-map"
        ]
    );
    let evening = plan_item(&plan, "tech-free-evening");
    assert_eq!(evening["rhythm"], "weekly");
    assert!(evening["why"].as_str().is_some_and(|w| w.contains("linked with")), "{evening}");
    assert!(evening["agreed"].is_null() && evening["proposal"].is_null());

    // Alex proposes Thursdays at 19:30 (Berlin time); it is only a proposal.
    let (status, proposal) =
        alex.post("/api/v1/rhythm/plan/tech-free-evening", json!({"weekday": "thursday", "at": "19:30"})).await;
    assert_eq!(status, StatusCode::CREATED, "{proposal}");
    assert_eq!(proposal["slot"]["describe"], "Thursdays from 19:30");
    assert_eq!(proposal["slot"]["zone"], "Europe/Berlin");
    assert_eq!(proposal["slot"]["minutes"], 180);
    // Alex cannot say yes to their own proposal.
    let (status, problem) = alex.post("/api/v1/rhythm/plan/tech-free-evening/accept", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // Sam sees it, in Sam's own time too, and says yes.
    let (_, plan) = sam.get("/api/v1/rhythm/plan").await;
    let waiting = &plan_item(&plan, "tech-free-evening")["proposal"];
    assert_eq!(waiting["by_me"], false);
    assert_eq!(waiting["slot"]["your_time"], "14:30 your time", "{waiting}");
    let (status, _) = sam.post("/api/v1/rhythm/plan/tech-free-evening/accept", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for who in [&alex, &sam] {
        let (_, plan) = who.get("/api/v1/rhythm/plan").await;
        let item = plan_item(&plan, "tech-free-evening");
        assert_eq!(item["agreed"]["describe"], "Thursdays from 19:30");
        assert!(item["proposal"].is_null());
        // The clock says Tuesday 10 March 2026, 18:00 UTC: the next one is Thursday the 12th.
        assert_eq!(item["agreed"]["next"], "2026-03-12T18:30:00Z");
    }

    // A change is a new proposal; the agreed time stays until the other accepts, and a
    // declined proposal changes nothing.
    let (status, _) =
        sam.post("/api/v1/rhythm/plan/tech-free-evening", json!({"weekday": "friday", "at": "20:00"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, plan) = alex.get("/api/v1/rhythm/plan").await;
    let item = plan_item(&plan, "tech-free-evening");
    assert_eq!(item["agreed"]["describe"], "Thursdays from 19:30");
    assert_eq!(item["proposal"]["slot"]["describe"], "Fridays from 20:00");
    let (status, _) = alex.delete("/api/v1/rhythm/plan/tech-free-evening/proposal").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, plan) = sam.get("/api/v1/rhythm/plan").await;
    assert!(plan_item(&plan, "tech-free-evening")["proposal"].is_null());
    assert_eq!(plan_item(&plan, "tech-free-evening")["agreed"]["describe"], "Thursdays from 19:30");

    // The pages say the same, with "proposed by" until the other says yes.
    let browser = app.browser();
    assert_eq!(location(&browser.log_in("b-plan@example.org", "a long enough password").await), "/today");
    let r = browser.submit("/rhythm", "/rhythm/listening", &[("weekday", "sunday"), ("at", "18:00")]).await;
    assert_eq!((r.status(), location(&r).as_str()), (StatusCode::SEE_OTHER, "/rhythm?done=proposed#listening"));
    let (_, html) = browser.page("/rhythm").await;
    assert!(html.contains("You proposed <strong>Sundays from 18:00"), "{html}");
    // The new practices' forms start at their usual times: State of Us on Sundays at 18:00,
    // the intimacy map on the first Sunday of the month at 17:30.
    for (id, at) in [("state-of-us", "18:00"), ("intimacy-map", "17:30")] {
        assert!(
            html.contains(&format!("id=\"{id}-at\" name=\"at\" type=\"time\" required value=\"{at}\"")),
            "{id}: {html}"
        );
        let day = html.split(&format!("id=\"{id}-weekday\"")).nth(1).and_then(|rest| rest.split("</select>").next());
        assert!(day.is_some_and(|d| d.contains("value=\"sunday\" selected")), "{id}: {html}");
    }
    let first = html.split("id=\"intimacy-map-nth\"").nth(1).and_then(|rest| rest.split("</select>").next());
    assert!(first.is_some_and(|d| d.contains("value=\"1\" selected")), "{html}");
    assert!(html.contains("Agreed:</strong> Thursdays from 19:30 (Europe/Berlin, 14:30 your time)"), "{html}");
    let alex_browser = app.browser();
    assert_eq!(location(&alex_browser.log_in("a-plan@example.org", "a long enough password").await), "/today");
    let (_, html) = alex_browser.page("/rhythm").await;
    assert!(html.contains("B plan proposed <strong>Sundays from 18:00 (America/New_York, 23:00 your time)"), "{html}");
    let seen = attr_after(&html, "name=\"seen\" value=\"").expect("the proposal's time");
    let csrf = csrf_of(&html);
    // Sam changes the proposal while Alex is looking at the old one: Alex's yes agrees to
    // nothing, and Alex is shown the new one.
    app.advance_minutes(1);
    let r = browser.submit("/rhythm", "/rhythm/listening", &[("weekday", "sunday"), ("at", "19:00")]).await;
    assert_eq!(location(&r), "/rhythm?done=proposed#listening");
    let r = alex_browser.post_raw("/rhythm/listening/accept", &csrf, &[("seen", &seen)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("body");
    assert!(html.contains("it was withdrawn or changed"), "{html}");
    assert!(html.contains("B plan proposed <strong>Sundays from 19:00"), "the new one: {html}");
    let seen = attr_after(&html, "name=\"seen\" value=\"").expect("the new proposal's time");
    let r = alex_browser.post_raw("/rhythm/listening/accept", &csrf, &[("seen", &seen)]).await;
    assert_eq!(location(&r), "/rhythm?done=agreed#listening");
    let (_, html) = browser.page("/rhythm").await;
    assert!(html.contains("Agreed:</strong> Sundays from 19:00"), "{html}");
}

async fn bad_times_are_refused_and_the_form_kept(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = api_couple(&app, "bad").await;
    for (body, field) in [
        (json!({"weekday": "thursday", "at": "25:00"}), "at"),
        (json!({"at": "19:30"}), "weekday"),
        (json!({"weekday": "someday", "at": "19:30"}), "weekday"),
        (json!({"weekday": "thursday", "at": "19:30", "minutes": 5}), "minutes"),
        (json!({"weekday": "thursday", "at": "19:30", "zone": "Mars/Olympus"}), "zone"),
    ] {
        let (status, problem) = alex.post("/api/v1/rhythm/plan/tech-free-evening", body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert!(
            problem["errors"].as_array().is_some_and(|e| e.iter().any(|e| e["field"] == field)),
            "{body}: {problem}"
        );
    }
    let (status, _) = alex.post("/api/v1/rhythm/plan/naps", json!({"at": "14:00"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = alex.post("/api/v1/rhythm/plan/check-in/done", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a check-in counts by itself");
    let (_, plan) = alex.get("/api/v1/rhythm/plan").await;
    assert!(plan["practices"].as_array().expect("list").iter().all(|p| p["proposal"].is_null()), "nothing stored");

    let browser = app.browser();
    browser.log_in("a-bad@example.org", "a long enough password").await;
    let r = browser.submit("/rhythm", "/rhythm/tech-free-evening", &[("weekday", "thursday"), ("at", "7pm")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("Please give a time like 19:30."), "{html}");
    assert!(html.contains("value=\"7pm\""), "the form keeps what was typed");
    assert!(html.contains("<details class=\"propose\" open>"), "and stays open");
    let (status, _) = browser.page("/rhythm/naps").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn phones_away_on_two_phones(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam) = api_couple(&app, "eve").await;
    let a = app.browser();
    let s = app.browser();
    a.log_in("a-eve@example.org", "a long enough password").await;
    s.log_in("b-eve@example.org", "a long enough password").await;
    let mut stream = Stream::open(&app, sam.token.as_deref().expect("token")).await;

    // Alex taps "Phones away": Alex's phone shows the calm screen, Sam is asked to join.
    let r = a.submit("/tech-free", "/tech-free", &[]).await;
    assert_eq!(location(&r), "/tech-free?done=phones-away");
    let event = stream.next_event(Duration::from_secs(5)).await.expect("an event");
    assert!(event.contains("evening"), "{event}");
    let (_, calm) = a.page("/tech-free").await;
    assert!(calm.contains("class=\"calm\"") && calm.contains("until <time>21:00</time>"), "{calm}");
    assert!(calm.contains("Waiting for B eve to join") && calm.contains("We’re back"));
    assert!(!calm.contains("class=\"main-nav\""), "nothing else to tap");
    let (_, today) = s.page("/today").await;
    assert!(today.contains("A eve put their phone away. Join?"), "{today}");
    let (status, current) = sam.get("/api/v1/tech-free").await;
    assert_eq!(status, StatusCode::OK);
    let id = current["current"]["id"].as_i64().expect("id");
    assert_eq!(
        (current["current"]["can_join"].as_bool(), current["current"]["stage"].as_str()),
        (Some(true), Some("waiting"))
    );

    // A second "Phones away" from Sam joins the same evening rather than starting another.
    let (status, joined) = sam.post("/api/v1/tech-free", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!((joined["id"].as_i64(), joined["stage"].as_str()), (Some(id), Some("together")));
    let (_, calm) = s.page("/tech-free").await;
    assert!(calm.contains("Enjoy each other."), "{calm}");
    // Nothing to note while it is on.
    let (status, problem) =
        alex.call(reqwest::Method::PUT, &format!("/api/v1/tech-free/{id}/note"), Some(json!({"note": "x"}))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // "We're back" on Sam's phone ends it for both; then a line about it, shared.
    app.advance_minutes(95);
    let r = s.submit("/tech-free", &format!("/tech-free/{id}/end"), &[]).await;
    assert_eq!(location(&r), "/tech-free?done=back#after");
    let (_, after) = a.page("/tech-free").await;
    assert!(!after.contains("class=\"calm\"") && after.contains("What did you do?"), "{after}");
    let r = a.submit("/tech-free", &format!("/tech-free/{id}/note"), &[("note", "Dumplings, then cards")]).await;
    assert_eq!(location(&r), "/tech-free?done=noted#after");
    let (_, seen) = sam.get(&format!("/api/v1/tech-free/{id}")).await;
    assert_eq!((seen["stage"].as_str(), seen["note"].as_str()), (Some("over"), Some("Dumplings, then cards")));
    let r = a.submit("/tech-free", &format!("/tech-free/{id}/note"), &[("note", "   ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // It counts for the week.
    let (_, week) = alex.get("/api/v1/rhythm/week").await;
    let item = week["items"].as_array().expect("items").iter().find(|i| i["id"] == "tech-free-evening").expect("item");
    assert_eq!(item["status"], "done", "{item}");

    // Another couple sees none of it.
    let (other, _) = api_couple(&app, "other").await;
    for path in [format!("/api/v1/tech-free/{id}"), format!("/api/v1/tech-free/{id}/join")] {
        let (status, _) =
            if path.ends_with("join") { other.post(&path, json!({})).await } else { other.get(&path).await };
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

async fn an_evening_ends_by_itself_and_today_shows_the_rhythm(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "line").await;
    // Tuesday 10 March, 18:00 UTC. An evening agreed for Tuesdays at 19:00 UTC, one hour long.
    let (status, _) = alex
        .post("/api/v1/rhythm/plan/tech-free-evening", json!({"weekday": "tuesday", "at": "19:00", "minutes": 60}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    sam.post("/api/v1/rhythm/plan/tech-free-evening/accept", json!({})).await;
    let browser = app.browser();
    browser.log_in("a-line@example.org", "a long enough password").await;
    let (_, today) = browser.page("/today").await;
    assert!(today.contains("Tonight from 19:00: tech-free evening"), "{today}");
    assert!(today.contains("This week: reflective listening, not yet"), "{today}");

    let (_, started) = sam.post("/api/v1/tech-free", json!({})).await;
    let id = started["id"].as_i64().expect("id");
    assert_eq!(started["ends_at"], "2026-03-10T19:00:00Z", "as long as the agreed slot: an hour");
    app.advance_minutes(61);
    let (_, seen) = alex.get(&format!("/api/v1/tech-free/{id}")).await;
    assert_eq!(seen["stage"], "over", "it ends by itself");
    let (_, overview) = alex.get("/api/v1/tech-free").await;
    assert!(overview["current"].is_null());
    assert!(overview["ideas"].as_array().is_some_and(|i| i.len() >= 40));
    // And a new one can start.
    let (status, again) = alex.post("/api/v1/tech-free", json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(again["id"].as_i64(), Some(id));
}

both_backends!(
    a_time_counts_once_the_other_says_yes,
    bad_times_are_refused_and_the_form_kept,
    phones_away_on_two_phones,
    an_evening_ends_by_itself_and_today_shows_the_rhythm,
);
