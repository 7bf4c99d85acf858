//! The guided practices through every door: a Stress-Reducing Conversation on two phones
//! (turns, timeouts, races, privacy of ratings) and reflective listening, by API and pages.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;
use tend_domain::Registration;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

/// The problem document names this field among its errors.
fn names_field(problem: &Value, field: &str) -> bool {
    problem["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().expect("id")
}

async fn a_conversation_runs_turn_by_turn_on_two_phones(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "talk").await;
    let (status, started) = alex.post("/api/v1/conversations", json!({"minutes": 15, "first": "me"})).await;
    assert_eq!((status, started["outcome"].as_str()), (StatusCode::CREATED, Some("new")), "{started}");
    let c = &started["conversation"];
    let id = id_of(c);
    assert_eq!((c["state"].as_str(), c["can_join"].as_bool()), (Some("waiting"), Some(false)));
    let (_, current) = sam.get("/api/v1/conversations/current").await;
    assert_eq!(current["conversation"]["can_join"].as_bool(), Some(true), "the partner can join at once");

    let (status, joined) = sam.post(&format!("/api/v1/conversations/{id}/join"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!((joined["state"].as_str(), joined["role"].as_str()), (Some("speaking"), Some("listener")));
    assert!(joined["cue"]["cue"].as_str().is_some_and(|c| !c.is_empty()), "the listener gets a cue");
    let (_, mine) = alex.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((mine["role"].as_str(), mine["turn"].as_u64()), (Some("speaker"), Some(1)));
    assert!(mine["cue"].is_null(), "the speaker's screen has the reminder, not cues");

    // The listener cannot switch roles; the state is unchanged.
    let (status, _) = sam.post(&format!("/api/v1/conversations/{id}/heard"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.advance_minutes(5);
    let (_, a) = alex.get(&format!("/api/v1/conversations/{id}")).await;
    let (_, b) = sam.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(a["remaining_ms"].as_i64(), Some(10 * 60_000), "the server's clock sets the time left");
    assert_eq!(a["remaining_ms"], b["remaining_ms"], "both phones see the same time left");
    assert_eq!(a["turn"].as_u64(), Some(1));

    // "I feel heard" switches roles on both phones.
    let (_, switched) = alex.post(&format!("/api/v1/conversations/{id}/heard"), json!({})).await;
    assert_eq!((switched["turn"].as_u64(), switched["role"].as_str()), (Some(2), Some("listener")));
    let (_, b) = sam.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((b["role"].as_str(), b["remaining_ms"].as_i64()), (Some("speaker"), Some(15 * 60_000)));

    // The second turn runs out by itself; ratings open.
    app.advance_minutes(15);
    let (_, a) = alex.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!((a["state"].as_str(), a["can_rate"].as_bool()), (Some("rating"), Some(true)));
    for bad in [json!({"understood": 0, "cared_for": 4}), json!({"understood": 4, "cared_for": 8})] {
        let (status, problem) = put(&alex, &format!("/api/v1/conversations/{id}/rating"), bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    }
    let (status, _) = put(&alex, &format!("/api/v1/conversations/{id}/rating"), json!({"understood": "6"})).await;
    assert!(status.is_client_error());
    let (_, rated) =
        put(&alex, &format!("/api/v1/conversations/{id}/rating"), json!({"understood": 6, "cared_for": 7})).await;
    assert_eq!(rated["my_rating"], json!({"understood": 6, "cared_for": 7}));
    let (_, b) = sam.get(&format!("/api/v1/conversations/{id}")).await;
    assert!(b["my_rating"].is_null(), "a partner never sees the other's rating: {b}");
    assert_eq!(b["state"].as_str(), Some("rating"));
    put(&sam, &format!("/api/v1/conversations/{id}/rating"), json!({"understood": 3, "cared_for": 4})).await;
    let (_, a) = alex.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(a["state"].as_str(), Some("done"));
    assert_eq!(a["my_rating"], json!({"understood": 6, "cared_for": 7}));

    let (_, history) = sam.get("/api/v1/conversations").await;
    assert_eq!((history["held"].as_u64(), history["minutes"].as_i64()), (Some(1), Some(20)));
    assert_eq!(history["recent"][0]["my_rating"], json!({"understood": 3, "cared_for": 4}), "only your own");
    assert!(!history.to_string().contains("\"cared_for\":7"), "the partner's rating stays out: {history}");

    // A phone waking long after sees the end; steps on it are refused clearly.
    app.advance_minutes(120);
    let (_, late) = sam.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(late["state"].as_str(), Some("done"));
    let (status, problem) = sam.post(&format!("/api/v1/conversations/{id}/heard"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(sam.get("/api/v1/conversations/current").await.1["conversation"].is_null());
}

async fn two_starts_at_once_make_one_conversation(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "race").await;
    let ((s1, a), (s2, b)) = tokio::join!(
        alex.post("/api/v1/conversations", json!({"minutes": 10})),
        sam.post("/api/v1/conversations", json!({"minutes": 20}))
    );
    assert!(s1.is_success() && s2.is_success(), "{a} {b}");
    assert_eq!(a["conversation"]["id"], b["conversation"]["id"], "one conversation: {a} {b}");
    let mut outcomes = [a["outcome"].as_str().unwrap_or(""), b["outcome"].as_str().unwrap_or("")];
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["joined_partners", "new"]);
    let (_, now) = alex.get(&format!("/api/v1/conversations/{}", id_of(&a["conversation"]))).await;
    assert_eq!(now["state"].as_str(), Some("speaking"), "the second start joined the first");

    // Starting again while it runs returns the same one; a third tab sees the same state.
    let (status, again) = alex.post("/api/v1/conversations", json!({})).await;
    assert_eq!((status, again["outcome"].as_str()), (StatusCode::OK, Some("already_running")));
    assert_eq!(again["conversation"]["id"], a["conversation"]["id"]);
}

async fn conversation_bad_input_gets_clear_answers(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (alex, sam) = api_couple(&app, "bad").await;
    let (other, _) = api_couple(&app, "other").await;
    for (body, field) in [
        (json!({"minutes": 7}), "minutes"),
        (json!({"minutes": 999_999_999_999_i64}), "minutes"),
        (json!({"first": "the neighbour"}), "first"),
    ] {
        let (status, problem) = alex.post("/api/v1/conversations", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(names_field(&problem, field), "{problem}");
    }
    let (status, _) = alex.post("/api/v1/conversations", json!({"minutes": "ten"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, started) = alex.post("/api/v1/conversations", json!({})).await;
    let id = id_of(&started["conversation"]);
    assert_eq!(started["conversation"]["minutes"].as_u64(), Some(15), "15 minutes unless chosen");

    // Another couple cannot see or join it; nonsense ids are simply not found.
    for path in [format!("/api/v1/conversations/{id}"), "/api/v1/conversations/abc".into()] {
        assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(other.post(&format!("/api/v1/conversations/{id}/join"), json!({})).await.0, StatusCode::NOT_FOUND);
    let (status, _) = alex.post(&format!("/api/v1/conversations/{id}/join"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "the starter waits for the partner");

    // Nobody joins for ten minutes: it ends itself, and joining late is refused.
    app.advance_minutes(10);
    let (_, expired) = sam.get(&format!("/api/v1/conversations/{id}")).await;
    assert_eq!(expired["state"].as_str(), Some("expired"));
    let (status, problem) = sam.post(&format!("/api/v1/conversations/{id}/join"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("ended")), "{problem}");

    // A new one can start; cancelling is for both and idempotent.
    let (status, fresh) = sam.post("/api/v1/conversations", json!({"shared_phone": true, "first": "partner"})).await;
    assert_eq!(status, StatusCode::CREATED, "{fresh}");
    let fresh_id = id_of(&fresh["conversation"]);
    assert_ne!(fresh_id, id);
    assert_eq!(fresh["conversation"]["role"].as_str(), Some("both"), "a shared phone starts at once");
    let (_, c) = sam.post(&format!("/api/v1/conversations/{fresh_id}/heard"), json!({})).await;
    assert_eq!(c["turn"].as_u64(), Some(2), "on one phone either partner taps for the speaker");
    let (_, c) = alex.post(&format!("/api/v1/conversations/{fresh_id}/cancel"), json!({})).await;
    assert_eq!(c["state"].as_str(), Some("cancelled"));
    let (status, c) = sam.post(&format!("/api/v1/conversations/{fresh_id}/cancel"), json!({})).await;
    assert_eq!((status, c["state"].as_str()), (StatusCode::OK, Some("cancelled")));

    let loner = app.api().sign_up("Lone", "lone@example.org", None).await;
    assert_eq!(loner.post("/api/v1/conversations", json!({})).await.0, StatusCode::CONFLICT, "not paired");
}

async fn conversation_pages_show_each_phone_its_part(db: TestDb) {
    let app = spawn(db).await;
    let (_alex_api, _sam_api) = api_couple(&app, "pages").await;
    let alex = app.browser();
    alex.log_in("a-pages@example.org", "a long enough password").await;
    let sam = app.browser();
    sam.log_in("b-pages@example.org", "a long enough password").await;

    let (status, html) = alex.page("/conversations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Who speaks first?") && html.contains("Gottman &amp; Silver, 1999"));
    let r = alex.submit("/conversations", "/conversations", &[("minutes", "12"), ("first", "me")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a made-up length is refused");
    assert!(r.text().await.expect("body").contains("10, 15 or 20"));
    let r = alex.submit("/conversations", "/conversations", &[("minutes", "10"), ("first", "me")]).await;
    let to = location(&r);
    assert!(to.starts_with("/conversations/") && to.ends_with("?done=talk-started"), "{to}");
    let page = to.split('?').next().expect("path").to_owned();

    let (_, today) = sam.page("/today").await;
    assert!(today.contains("would like a Stress-Reducing Conversation"), "Today shows Join at once");
    let r = sam.submit("/today", &format!("{page}/join"), &[]).await;
    assert_eq!(location(&r), page);

    let (_, speaker) = alex.page(&page).await;
    assert!(speaker.contains("You’re speaking") && speaker.contains("stress from outside the two of you"));
    assert!(speaker.contains("I feel heard") && speaker.contains("10:00"));
    let (_, listener) = sam.page(&page).await;
    assert!(listener.contains("You’re listening") && listener.contains("All eight listening guidelines"));
    assert!(!listener.contains("I feel heard"), "the listener has no switch");

    // The listener's phone posting the switch anyway gets the page back with a clear message.
    let r = sam.submit(&page, &format!("{page}/heard"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("Only the one speaking"));
    let r = alex.post_raw(&format!("{page}/heard"), "not-the-token", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "CSRF is checked");

    alex.submit(&page, &format!("{page}/heard"), &[]).await;
    let (_, switched) = sam.page(&page).await;
    assert!(switched.contains("You’re speaking") && switched.contains("turn 2 of 2"));
    app.advance_minutes(10);
    let (_, rating) = alex.page(&page).await;
    assert!(rating.contains("how understood did you feel"));
    let r = alex.submit(&page, &format!("{page}/rating"), &[("understood", "9"), ("cared_for", "x")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = alex.submit(&page, &format!("{page}/rating"), &[("understood", "5"), ("cared_for", "6")]).await;
    assert_eq!(location(&r), page);
    let (_, rated) = alex.page(&page).await;
    assert!(rated.contains("understood 5 of 7 and cared for 6 of 7"));
    let (_, theirs) = sam.page(&page).await;
    assert!(!theirs.contains("5 of 7"), "Sam's page never shows Alex's rating");
    let (_, today) = sam.page("/today").await;
    assert!(today.contains("How did your conversation feel?"), "Sam is asked to rate too");
    let (_, other_tab) = sam.page("/conversations/999999").await;
    assert!(other_tab.contains("Nothing here"));
}

async fn reflective_listening_rounds_and_swap(db: TestDb) {
    let app = spawn_with(db, Registration::Open).await;
    let (alex, sam) = api_couple(&app, "listen").await;
    let (other, _) = api_couple(&app, "elsewhere").await;
    let (status, problem) = alex.post("/api/v1/listening", json!({"share": "   "})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = alex.post("/api/v1/listening", json!({"share": "x".repeat(1001)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, l) = alex.post("/api/v1/listening", json!({"share": "Work keeps piling up."})).await;
    assert_eq!(status, StatusCode::CREATED, "{l}");
    let id = id_of(&l);
    assert_eq!((l["stage"].as_str(), l["my_move"].as_bool()), (Some("reflecting"), Some(false)));
    let (status, _) = sam.post("/api/v1/listening", json!({"share": "Me too"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "one exchange at a time");
    assert_eq!(other.get(&format!("/api/v1/listening/{id}")).await.0, StatusCode::NOT_FOUND);

    let path = |step: &str| format!("/api/v1/listening/{id}/{step}");
    let (status, _) = alex.post(&path("reflection"), json!({"reflection": "I hear me", "feeling": "ok"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "the one sharing doesn't reflect");
    let (status, problem) = sam.post(&path("reflection"), json!({"reflection": "", "feeling": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(names_field(&problem, "reflection") && names_field(&problem, "feeling"), "{problem}");
    let (_, l) = sam.post(&path("reflection"), json!({"reflection": "You're swamped.", "feeling": "tired"})).await;
    assert_eq!(l["stage"].as_str(), Some("answering"));
    let (status, _) = sam.post(&path("reflection"), json!({"reflection": "Again", "feeling": "tired"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a round is reflected once");

    let (status, _) = alex.post(&path("answer"), json!({"verdict": "maybe"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, problem) = alex.post(&path("answer"), json!({"verdict": "not-quite"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not quite needs a clarification: {problem}");
    assert_eq!(sam.post(&path("answer"), json!({"verdict": "got-it"})).await.0, StatusCode::CONFLICT);
    let (_, l) =
        alex.post(&path("answer"), json!({"verdict": "not-quite", "clarification": "More that nobody notices."})).await;
    assert_eq!((l["rounds"].as_array().map(Vec::len), l["stage"].as_str()), (Some(2), Some("reflecting")));
    sam.post(&path("reflection"), json!({"reflection": "It feels invisible.", "feeling": "unseen"})).await;
    let (_, l) = alex.post(&path("answer"), json!({"verdict": "got-it"})).await;
    assert_eq!(l["stage"].as_str(), Some("understood"));
    assert_eq!(l["rounds"][1]["verdict"].as_str(), Some("got-it"));

    // Pages: the thread is the same for both, and the listener can swap.
    let browser = app.browser();
    browser.log_in("b-listen@example.org", "a long enough password").await;
    let (_, html) = browser.page("/listening").await;
    assert!(html.contains("It feels invisible.") && html.contains("Your turn to share?") && html.contains("Empathic"));
    let r = browser.submit("/listening", "/listening", &[("share", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = browser.submit("/listening", "/listening", &[("share", "My turn: my sister called.")]).await;
    assert_eq!(location(&r), "/listening?done=shared#exchange");
    let (_, swapped) = alex.get("/api/v1/listening").await;
    assert_eq!(swapped["recent"][0]["my_move"].as_bool(), Some(true), "roles swapped");
    let alex_page = app.browser();
    alex_page.log_in("a-listen@example.org", "a long enough password").await;
    let (_, today) = alex_page.page("/today").await;
    assert!(today.contains("shared something with you"));
    let r = alex_page
        .submit(
            "/listening",
            &format!("/listening/{}/reflection", id_of(&swapped["recent"][0])),
            &[("reflection", "The call stayed with you."), ("feeling", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("The call stayed with you."), "kept");
    let (_, l) = sam.post(&format!("/api/v1/listening/{}/set-aside", id_of(&swapped["recent"][0])), json!({})).await;
    assert_eq!(l["stage"].as_str(), Some("ended"));
}

both_backends!(
    a_conversation_runs_turn_by_turn_on_two_phones,
    two_starts_at_once_make_one_conversation,
    conversation_bad_input_gets_clear_answers,
    conversation_pages_show_each_phone_its_part,
    reflective_listening_rounds_and_swap,
);
