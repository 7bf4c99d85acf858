//! Knowing each other through every door: the intimacy map's and State of Us' reveal rule on
//! pages, API and events; the private mark and the private help hint never reach the partner;
//! insights for any range; bad input.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const MAP_SECRET: &str = "map-words-only-sam-wrote-91c2";
const STATE_SECRET: &str = "went-well-only-sam-wrote-4e7d";
const TOPIC: &str = "how-we-split-the-weekend-0b5a";

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

fn token_of(api: &Api) -> String {
    api.token.clone().expect("token")
}

fn map(nourished: [i64; 6], wish: &str, words: &str) -> Value {
    let kinds = ["emotional", "physical", "intellectual", "spiritual", "social", "recreational"];
    json!({"ratings": kinds.iter().zip(nourished).map(|(k, n)| json!({"kind": k, "nourished": n, "wish": wish, "words": words})).collect::<Vec<_>>()})
}

/// No change event reaches the stream within half a second (keep-alive comments may).
async fn no_change(stream: &mut Stream, what: &str) {
    if let Some(text) = stream.next_event(Duration::from_millis(500)).await {
        assert!(!text.contains("event: change"), "{what}: {text}");
    }
}

async fn log_in(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    assert_eq!(location(&b.log_in(email, "a long enough password").await), "/today");
    b
}

async fn the_map_is_revealed_only_to_a_partner_who_made_one(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "map").await;
    let alex_browser = log_in(&app, "a-map@example.org").await;
    let mut stream = Stream::open(&app, &token_of(&alex)).await;

    let (status, body) = sam.post("/api/v1/intimacy-map", map([5, 2, 6, 4, 3, 4], "more", MAP_SECRET)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["partner_state"], "not_yet");
    assert_eq!(body["mine"]["round"], 1);
    let event = stream.next_event(Duration::from_secs(5)).await.expect("an event");
    assert!(event.contains("intimacy-map") && !event.contains(MAP_SECRET), "{event}");

    // Every door, as Alex: that Sam made a map, never what.
    for path in ["/api/v1/intimacy-map", "/api/v1/insights", "/api/v1/insights?span=months", "/api/v1/today"] {
        let (status, body) = alex.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.to_string().contains(MAP_SECRET), "{path} leaks: {body}");
    }
    let (_, view) = alex.get("/api/v1/intimacy-map").await;
    assert_eq!(view["partner_state"], "waiting_for_you");
    assert!(view["latest"].is_null() && view["history"].as_array().is_some_and(Vec::is_empty));
    for path in ["/intimacy-map", "/insights", "/insights?span=months", "/today"] {
        let (status, html) = alex_browser.page(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(MAP_SECRET), "{path} leaks");
    }
    let (_, html) = alex_browser.page("/intimacy-map").await;
    assert!(html.contains("has made a new map"), "the page says Sam is waiting");
    assert!(html.contains("not a test or a validated scale"));

    // Alex makes a map through the page: both see both, with a radar, a table and a sentence.
    let mut fields: Vec<(String, String)> = Vec::new();
    for (kind, n) in [
        ("emotional", "4"),
        ("physical", "5"),
        ("intellectual", "6"),
        ("spiritual", "3"),
        ("social", "4"),
        ("recreational", "2"),
    ] {
        fields.push((kind.into(), n.into()));
        fields.push((format!("{kind}_wish"), if kind == "physical" { "more" } else { "as-now" }.into()));
        fields.push((format!("{kind}_words"), String::new()));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = alex_browser.submit("/intimacy-map", "/intimacy-map", &refs).await;
    assert_eq!(location(&r), "/intimacy-map?done=map-saved#map");
    let (_, html) = alex_browser.page("/intimacy-map").await;
    assert!(html.contains(MAP_SECRET), "revealed on the page");
    assert!(html.contains("<svg") && html.contains("role=\"img\"") && html.contains("<table"), "a radar and its table");
    assert!(html.contains("You meet on intellectual intimacy."), "the plain sentence");
    let (_, view) = alex.get("/api/v1/intimacy-map").await;
    assert_eq!(view["partner_state"], "revealed");
    assert_eq!(view["latest"]["round"], 1);
    assert!(view["latest"]["partner"].to_string().contains(MAP_SECRET));
    assert!(view["latest"]["summary"].as_str().is_some_and(|s| s.contains("B map would like more")), "{view}");
    assert!(!view["latest"]["suggestions"].as_array().expect("suggestions").is_empty());

    // Sam takes it again: round 2 waits for Alex, who still sees round 1 only.
    let (status, body) = sam.post("/api/v1/intimacy-map", map([6, 6, 6, 6, 6, 6], "as-now", "round-two-words")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["partner_state"], "not_yet");
    let (_, view) = alex.get("/api/v1/intimacy-map").await;
    assert_eq!((view["partner_state"].as_str(), view["latest"]["round"].as_i64()), (Some("waiting_for_you"), Some(1)));
    assert!(!view.to_string().contains("round-two-words"));

    // Bad input: a clear 422, nothing stored.
    for bad in [
        json!({"ratings": []}),
        map([5, 5, 5, 5, 5, 8], "more", ""),
        map([5, 5, 5, 5, 5, 0], "more", ""),
        map([5, 5, 5, 5, 5, 5], "lots", ""),
        map([5, 5, 5, 5, 5, 5], "more", &"x".repeat(281)),
        json!({"ratings": vec![json!({"kind": "emotional", "nourished": 3, "wish": "more"}); 6]}),
        json!({"ratings": "all of them"}),
        json!({}),
    ] {
        let (status, body) = alex.post("/api/v1/intimacy-map", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (_, view) = alex.get("/api/v1/intimacy-map").await;
    assert_eq!(view["mine"]["round"], 1, "nothing bad was stored");
    let r = alex_browser.submit("/intimacy-map", "/intimacy-map", &[("emotional", "9")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("Please choose from 1 (not at all) to 7 (fully)."), "a friendly message");
}

async fn state_of_us_is_revealed_by_week_and_the_private_mark_never(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "state").await;
    let alex_browser = log_in(&app, "a-state@example.org").await;
    let sam_browser = log_in(&app, "b-state@example.org").await;
    let mut stream = Stream::open(&app, &token_of(&alex)).await;

    let (status, feelings) = app.api().get("/api/v1/state-of-us/feelings").await;
    assert_eq!(status, StatusCode::OK);
    let words: usize =
        feelings.as_array().expect("groups").iter().map(|g| g["words"].as_array().map_or(0, Vec::len)).sum();
    assert!(words >= 60, "{words} feeling words");

    let body = json!({"went_well": STATE_SECRET, "need_more": "slow mornings", "need_less": "", "feeling": "hopeful", "topic": TOPIC, "stuck": true});
    let (status, mine) = put(&sam, "/api/v1/state-of-us/this-week", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!((mine["mine"]["stuck"].as_bool(), mine["partner_state"].as_str()), (Some(true), Some("not_yet")));
    let event = stream.next_event(Duration::from_secs(5)).await.expect("an event");
    assert!(event.contains("state-of-us") && !event.contains(STATE_SECRET), "{event}");

    let (_, view) = alex.get("/api/v1/state-of-us").await;
    assert_eq!(view["this_week"]["partner_state"], "waiting_for_you");
    assert!(!view.to_string().contains(STATE_SECRET) && !view.to_string().contains(TOPIC), "{view}");
    let (_, html) = alex_browser.page("/state-of-us").await;
    assert!(!html.contains(STATE_SECRET) && html.contains("has answered this week"));

    // Alex answers through the page: both see both; the partner's view has no private mark.
    let r = alex_browser
        .submit(
            "/state-of-us",
            "/state-of-us",
            &[
                ("went_well", "Our walk"),
                ("need_more", ""),
                ("need_less", "late nights"),
                ("feeling", "close"),
                ("topic", ""),
            ],
        )
        .await;
    assert_eq!(location(&r), "/state-of-us?done=state-saved#this-week");
    let (_, view) = alex.get("/api/v1/state-of-us").await;
    let partner = &view["this_week"]["partner"];
    assert_eq!((partner["went_well"].as_str(), partner["topic"].as_str()), (Some(STATE_SECRET), Some(TOPIC)));
    assert!(partner.get("stuck").is_none(), "the mark is Sam's alone: {partner}");
    let (_, html) = alex_browser.page("/state-of-us").await;
    assert!(html.contains(STATE_SECRET) && html.contains("Start reflective listening"));
    let (_, sam_html) = sam_browser.page("/state-of-us").await;
    assert!(sam_html.contains("Our walk") && sam_html.contains("name=\"stuck\" value=\"yes\" checked"));
    assert!(!html.contains("name=\"stuck\" value=\"yes\" checked"), "Alex's own box, unticked, is all Alex sees");

    // One tap to talk about it, seeded with one's own topic.
    let (_, listen) = sam_browser.page("/listening?from=state-of-us").await;
    assert!(listen.contains(TOPIC), "the share starts with the topic");
    let (_, talk) = sam_browser.page("/conversations?from=state-of-us").await;
    assert!(talk.contains(TOPIC));
    let (_, alex_listen) = alex_browser.page("/listening?from=state-of-us").await;
    assert!(!alex_listen.contains(TOPIC), "only one's own topic, never the partner's");

    // Bad input.
    for (bad, field) in [
        (json!({"went_well": "", "need_more": "x", "feeling": "calm"}), "went_well"),
        (json!({"went_well": "x", "need_more": "", "need_less": "", "feeling": "calm"}), "need_more"),
        (json!({"went_well": "x", "need_more": "y", "feeling": "purple"}), "feeling"),
        (json!({"went_well": "x", "need_more": "y", "feeling": "calm", "topic": "t".repeat(201)}), "topic"),
    ] {
        let (status, body) = put(&alex, "/api/v1/state-of-us/this-week", bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(body.to_string().contains(field), "{field}: {body}");
    }
    let (status, _) = put(&alex, "/api/v1/state-of-us/this-week", json!({"went_well": 5})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, view) = alex.get("/api/v1/state-of-us").await;
    assert_eq!(view["this_week"]["mine"]["went_well"], "Our walk", "nothing bad was stored");

    // A week later the answers pair by week, and this week starts fresh.
    app.advance_minutes(7 * 24 * 60);
    let (_, view) = alex.get("/api/v1/state-of-us").await;
    assert!(view["this_week"]["mine"].is_null());
    assert_eq!(view["earlier"][0]["partner"]["went_well"], STATE_SECRET);
}

async fn the_help_hint_is_for_its_reader_alone(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "hint").await;
    let alex_browser = log_in(&app, "a-hint@example.org").await;
    let sam_browser = log_in(&app, "b-hint@example.org").await;
    let mut stream = Stream::open(&app, &token_of(&alex)).await;
    assert_eq!(sam.get("/api/v1/help-hint").await.1["show"], false);

    // Three weeks of Sam feeling far apart, Alex feeling close.
    for _ in 0..18 {
        put(&sam, "/api/v1/check-ins/today", json!({"high": "", "low": "a hard day", "closeness": 2, "need": ""}))
            .await;
        put(&alex, "/api/v1/check-ins/today", json!({"high": "fine", "low": "", "closeness": 6, "need": ""})).await;
        app.advance_minutes(24 * 60);
    }
    while stream.next_event(Duration::from_millis(300)).await.is_some() {}
    let (_, hint) = sam.get("/api/v1/help-hint").await;
    assert_eq!((hint["show"].as_bool(), hint["off"].as_bool()), (Some(true), Some(false)), "{hint}");
    let (_, html) = sam_browser.page("/today").await;
    assert!(html.contains("help-hint-heading") && html.contains("href=\"/support\""));
    let (_, html) = sam_browser.page("/insights").await;
    assert!(html.contains("help-hint-heading"));

    // Alex sees nothing of it: not on a page, not in the API, not in an event.
    assert_eq!(alex.get("/api/v1/help-hint").await.1["show"], false);
    for path in ["/today", "/insights", "/state-of-us", "/settings"] {
        let (_, html) = alex_browser.page(path).await;
        assert!(!html.contains("help-hint-heading"), "{path} shows Alex Sam's hint");
    }
    for path in ["/api/v1/today", "/api/v1/insights", "/api/v1/state-of-us", "/api/v1/export"] {
        let (_, body) = alex.get(path).await;
        assert!(!body.to_string().contains("help-hint") && !body.to_string().contains("help_hint"), "{path}");
    }
    no_change(&mut stream, "no event about the hint").await;

    // Off with one tap, on again in Settings.
    let r = sam_browser.submit("/today", "/help-hint", &[("hint", "off")]).await;
    assert_eq!(location(&r), "/settings?done=hint-off");
    let (_, html) = sam_browser.page("/today").await;
    assert!(!html.contains("help-hint-heading"));
    assert_eq!(sam.get("/api/v1/help-hint").await.1["off"], true);
    no_change(&mut stream, "turning it off tells Alex nothing").await;
    let (status, hint) = put(&sam, "/api/v1/help-hint", json!({"off": false})).await;
    assert_eq!((status, hint["show"].as_bool()), (StatusCode::OK, Some(true)));
}

async fn insights_for_any_range_with_their_numbers(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam) = api_couple(&app, "insights").await;
    let browser = log_in(&app, "a-insights@example.org").await;
    put(&alex, "/api/v1/check-ins/today", json!({"high": "x", "low": "", "closeness": 5, "need": ""})).await;
    put(&sam, "/api/v1/check-ins/today", json!({"high": "y", "low": "", "closeness": 3, "need": ""})).await;
    sam.post("/api/v1/appreciations", json!({"kind": "respect", "body": "steady"})).await;

    let (status, body) = alex.get("/api/v1/insights").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let buckets = body["buckets"].as_array().expect("buckets");
    assert_eq!(buckets.len(), 12);
    let last = &buckets[11];
    assert_eq!(
        (last["my_closeness"].as_f64(), last["partner_closeness"].as_f64(), last["days_connected"].as_u64()),
        (Some(5.0), Some(3.0), Some(1))
    );
    let respect = body["appreciations"]
        .as_array()
        .expect("kinds")
        .iter()
        .find(|k| k["kind"] == "respect")
        .cloned()
        .expect("respect");
    assert_eq!((respect["given"].as_u64(), respect["received"].as_u64()), (Some(0), Some(1)));
    let check_ins = body["practices"]
        .as_array()
        .expect("practices")
        .iter()
        .find(|p| p["practice"] == "check-in")
        .cloned()
        .expect("check-in");
    assert_eq!(check_ins["done"], 1);
    assert!(!body.to_string().contains("score") && !body.to_string().contains("streak"));

    let (status, body) = alex.get("/api/v1/insights?span=months&end=2025-06").await;
    assert_eq!(
        (status, body["first"].as_str(), body["last"].as_str()),
        (StatusCode::OK, Some("2024-07-01"), Some("2025-06-30"))
    );
    for bad in ["span=days", "end=yesterday", "end=1999-01-01", "end=2026-02-31", "end=", "span="] {
        let (status, _) = alex.get(&format!("/api/v1/insights?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let (status, html) = browser.page("/insights").await;
    assert_eq!(status, StatusCode::OK);
    for chart in [
        "closeness-heading",
        "connected-heading",
        "practices-daily-heading",
        "practices-rhythm-heading",
        "appreciations-heading",
        "map-over-time-heading",
        "felt-heading",
    ] {
        assert!(html.contains(chart), "{chart}");
    }
    assert_eq!(html.matches("<svg").count(), html.matches("<table").count(), "every chart has its table");
    assert!(html.contains("Only you see this"), "the own ratings say whose they are");
    let (status, html) = browser.page("/insights?span=months&end=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Showing the last 12 weeks instead"));
    let (_, html) = browser.page("/insights?span=weeks&end=2026-01-05&kind=%3Cscript%3E").await;
    assert!(!html.contains("<script>"));
}

both_backends!(
    the_map_is_revealed_only_to_a_partner_who_made_one,
    state_of_us_is_revealed_by_week_and_the_private_mark_never,
    the_help_hint_is_for_its_reader_alone,
    insights_for_any_range_with_their_numbers,
);
