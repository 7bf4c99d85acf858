//! Each other's goals through every door: a private goal never reaches the partner (pages,
//! API, export, events); cheering is for the partner and reacting too; asks look ahead; help
//! is accepted by the owner alone; a goal done is celebrated for both; every page renders.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const SECRET: &str = "private-goal-only-alex-sees-7d1f";
const SECRET_WHY: &str = "why-only-alex-knows-0c3e";

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

fn token_of(api: &Api) -> String {
    api.token.clone().expect("token")
}

async fn log_in(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    assert_eq!(location(&b.log_in(email, "a long enough password").await), "/today");
    b
}

/// The goal id in a redirect to `/goals/{id}?done=…`.
fn goal_id_in(r: &reqwest::Response) -> i64 {
    let to = location(r);
    let rest = to.strip_prefix("/goals/").unwrap_or_else(|| panic!("a redirect to a goal: {to:?}"));
    rest.split(['?', '#']).next().and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("an id in {to:?}"))
}

/// A public goal of `api`'s, by the API: its id.
async fn goal_of(api: &Api, title: &str) -> i64 {
    let (status, body) = api.post("/api/v1/goals", json!({"title": title, "next_step": "Start small"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["goal"]["id"].as_i64().expect("id")
}

/// No change event reaches the stream within half a second (keep-alive comments may).
async fn no_change(stream: &mut Stream, what: &str) {
    if let Some(text) = stream.next_event(Duration::from_millis(500)).await {
        assert!(!text.contains("event: change"), "{what}: {text}");
    }
}

async fn a_private_goal_never_reaches_the_partner(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "private").await;
    let alex_browser = log_in(&app, "a-private@example.org").await;
    let sam_browser = log_in(&app, "b-private@example.org").await;
    let mut sam_stream = Stream::open(&app, &token_of(&sam)).await;

    // Alex keeps a goal private through the page; the form says what that means.
    let (status, html) = alex_browser.page("/goals/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Keep it private")
            && html.contains("Only you will see it. Your partner can’t cheer a private goal.")
    );
    let r = alex_browser
        .submit(
            "/goals/new",
            "/goals",
            &[("title", SECRET), ("why", SECRET_WHY), ("next_step", "Tell no one"), ("due", ""), ("private", "on")],
        )
        .await;
    let private = goal_id_in(&r);
    assert!(location(&r).ends_with("?done=goal-added-private"), "{}", location(&r));
    no_change(&mut sam_stream, "a private goal tells Sam nothing").await;
    let (status, mine) = alex.get(&format!("/api/v1/goals/{private}")).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!((mine["goal"]["private"].as_bool(), mine["goal"]["mine"].as_bool()), (Some(true), Some(true)));
    let (_, html) = alex_browser.page("/goals").await;
    assert!(html.contains(SECRET) && html.contains("<span class=\"badge\">Private</span>"), "Alex sees it, marked");

    // Progress, a change and done on the private goal: still nothing for Sam.
    let r = alex_browser
        .submit(&format!("/goals/{private}"), &format!("/goals/{private}/progress"), &[("note", "quiet step")])
        .await;
    assert_eq!(location(&r), format!("/goals/{private}?done=progress-posted-private#timeline"));
    let r = alex_browser
        .submit(
            &format!("/goals/{private}/edit"),
            &format!("/goals/{private}"),
            &[("title", SECRET), ("why", SECRET_WHY), ("next_step", "Still quiet"), ("private", "on")],
        )
        .await;
    assert_eq!(location(&r), format!("/goals/{private}?done=goal-saved"));
    no_change(&mut sam_stream, "changes to a private goal tell Sam nothing").await;

    let public = goal_of(&alex, "Run 5 km").await;
    let event = sam_stream.next_event(Duration::from_secs(5)).await.expect("an event for a shared goal");
    assert!(event.contains("goals") && !event.contains("Run 5 km"), "{event}");

    // Every door, as Sam: the shared goal, never the private one.
    let (_, html) = sam_browser.page("/goals").await;
    assert!(html.contains("Run 5 km") && !html.contains(SECRET) && !html.contains(SECRET_WHY), "the list");
    assert!(html.contains(&format!("href=\"/goals/{public}#cheer\"")), "a Cheer on button");
    let (status, list) = sam.get("/api/v1/goals").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!((list[0]["id"].as_i64(), list[0]["mine"].as_bool()), (Some(public), Some(false)));
    let (nothing_status, nothing_page) = sam_browser.page("/goals/999999").await;
    let (status, page) = sam_browser.page(&format!("/goals/{private}")).await;
    assert_eq!((status, nothing_status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(page, nothing_page, "not found, word for word");
    assert!(!page.contains(SECRET));
    let (status, body) = sam.get(&format!("/api/v1/goals/{private}")).await;
    let (nothing_status, nothing) = sam.get("/api/v1/goals/999999").await;
    assert_eq!((status, nothing_status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(body, nothing, "a private goal is not found like a goal that does not exist");
    assert_eq!(sam_browser.page(&format!("/goals/{private}/edit")).await.0, StatusCode::NOT_FOUND);
    for (path, body) in [
        (format!("/api/v1/goals/{private}/cheers"), json!({"kind": "message", "words": "go"})),
        (format!("/api/v1/goals/{private}/done"), json!({})),
        (format!("/api/v1/goals/{private}/progress"), json!({"note": "peek"})),
    ] {
        let (status, answer) = sam.post(&path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {answer}");
    }
    let (status, _) = put(&sam, &format!("/api/v1/goals/{private}"), json!({"title": "mine now"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(sam.delete(&format!("/api/v1/goals/{private}")).await.0, StatusCode::NOT_FOUND);
    let r = sam_browser
        .submit("/settings", &format!("/goals/{private}/cheers"), &[("kind", "message"), ("words", "peek")])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for path in ["/api/v1/export", "/api/v1/today"] {
        let (status, body) = sam.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!body.to_string().contains(SECRET) && !body.to_string().contains(SECRET_WHY), "{path} leaks");
    }
    for path in ["/today", "/practices"] {
        let (_, html) = sam_browser.page(path).await;
        assert!(!html.contains(SECRET), "{path} leaks");
    }
    let (_, still) = alex.get(&format!("/api/v1/goals/{private}")).await;
    assert_eq!(still["goal"]["title"], SECRET, "nothing Sam tried changed it");

    // Made public, Sam sees it; private again, it is gone for Sam once more.
    let (status, _) = put(&alex, &format!("/api/v1/goals/{private}"), json!({"title": SECRET, "private": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sam.get(&format!("/api/v1/goals/{private}")).await.0, StatusCode::OK);
    let (status, _) = put(&alex, &format!("/api/v1/goals/{private}"), json!({"title": SECRET, "private": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sam.get(&format!("/api/v1/goals/{private}")).await.0, StatusCode::NOT_FOUND);
}

async fn cheering_is_for_the_partner_and_asks_look_ahead(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "cheer").await;
    let alex_browser = log_in(&app, "a-cheer@example.org").await;
    let sam_browser = log_in(&app, "b-cheer@example.org").await;
    let goal = goal_of(&alex, "Learn to swim").await;
    let page = format!("/goals/{goal}");
    let cheers = format!("/goals/{goal}/cheers");

    // Alex cheering Alex's own goal: refused kindly, in the API and on the page.
    let (status, body) = alex.post(&format!("/api/v1{cheers}"), json!({"kind": "message", "words": "go me"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("This is your own goal")), "{body}");
    let r = alex_browser.submit(&page, &cheers, &[("kind", "message"), ("words", "go me")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("html");
    assert!(html.contains("This is your own goal: cheering is for your partner to do."), "a friendly message");
    let (_, html) = alex_browser.page(&page).await;
    assert!(!html.contains("Send encouragement"), "no cheer form for the owner");

    // Sam's three choices are on the page.
    let (status, html) = sam_browser.page(&page).await;
    assert_eq!(status, StatusCode::OK);
    for choice in ["Send encouragement", "I’ll ask you about it on …", "I can help by …"] {
        assert!(html.contains(choice), "{choice}");
    }

    // An ask for a day gone by, or without a day: refused, the words kept.
    let (status, body) = sam
        .post(&format!("/api/v1{cheers}"), json!({"kind": "ask", "words": "how did it go?", "ask_on": "2026-03-09"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "ask_on", "{body}");
    let r = sam_browser
        .submit(&page, &cheers, &[("kind", "ask"), ("ask_on", "2026-03-01"), ("words", "kept-words-5a1")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("That day has passed.") && html.contains("kept-words-5a1"), "the message, the words kept");
    for bad in [
        json!({"kind": "ask", "words": ""}),
        json!({"kind": "ask", "ask_on": ""}),
        json!({"kind": "ask", "ask_on": "2028-01-01"}),
        json!({"kind": "message", "words": ""}),
        json!({"kind": "help", "words": "   "}),
        json!({"kind": "hug", "words": "x"}),
        json!({"kind": "message", "words": "x".repeat(501)}),
        json!({"kind": "message", "words": "x", "ask_on": "soon"}),
        json!({"words": "no kind"}),
    ] {
        let (status, body) = sam.post(&format!("/api/v1{cheers}"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let r = sam_browser.submit(&page, &cheers, &[("kind", "message"), ("words", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("Write a few words of encouragement."));
    let (_, detail) = sam.get(&format!("/api/v1/goals/{goal}")).await;
    assert_eq!(detail["cheers"].as_array().map(Vec::len), Some(0), "nothing bad was stored");

    // Good cheers: words, and an ask for today, which shows on Sam's Goals page.
    let r = sam_browser.submit(&page, &cheers, &[("kind", "message"), ("words", "You’ve got this")]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=cheered#timeline"));
    app.advance_minutes(1);
    let (status, detail) =
        sam.post(&format!("/api/v1{cheers}"), json!({"kind": "ask", "ask_on": "2026-03-10", "words": ""})).await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    let ask = detail["cheers"].as_array().and_then(|c| c.iter().find(|c| c["kind"] == "ask")).expect("the ask");
    assert_eq!(
        (ask["kind"].as_str(), ask["ask_on"].as_str(), ask["from_me"].as_bool()),
        (Some("ask"), Some("2026-03-10"), Some(true))
    );
    let (_, html) = sam_browser.page("/goals").await;
    assert!(html.contains("Today you said you’d ask") && html.contains("Learn to swim"));
    let (_, html) = alex_browser.page(&page).await;
    assert!(
        html.contains("You’ve got this") && html.contains("will ask you about it on Tuesday 10 March"),
        "Alex sees both"
    );
    let (_, list) = alex.get("/api/v1/goals").await;
    assert_eq!(list[0]["cheer_count"], 2);

    // A due date gone by is refused too, and the form keeps what was typed.
    let (status, body) = alex.post("/api/v1/goals", json!({"title": "Late", "due": "2026-03-09"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "due");
    for bad in
        [json!({}), json!({"title": "   "}), json!({"title": "x", "due": ""}), json!({"title": "x", "private": "yes"})]
    {
        let (status, body) = alex.post("/api/v1/goals", bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let r = alex_browser
        .submit("/goals/new", "/goals", &[("title", "Late-typed-4b2"), ("why", "kept-why-9e0"), ("due", "2026-03-01")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("That date has passed.") && html.contains("Late-typed-4b2") && html.contains("kept-why-9e0"));
}

async fn help_is_accepted_by_the_owner_alone(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "help").await;
    let alex_browser = log_in(&app, "a-help@example.org").await;
    let sam_browser = log_in(&app, "b-help@example.org").await;
    let goal = goal_of(&alex, "Finish the course").await;
    let page = format!("/goals/{goal}");

    let r = sam_browser
        .submit(&page, &format!("/goals/{goal}/cheers"), &[("kind", "help"), ("words", "quizzing you on Sundays")])
        .await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=offered#timeline"));
    app.advance_minutes(1);
    let (_, detail) =
        sam.post(&format!("/api/v1/goals/{goal}/cheers"), json!({"kind": "message", "words": "Proud"})).await;
    let id_of = |kind: &str| {
        detail["cheers"].as_array().and_then(|c| c.iter().find(|c| c["kind"] == kind)).and_then(|c| c["id"].as_i64())
    };
    let (offer, message) = (id_of("help").expect("offer"), id_of("message").expect("message"));
    let (_, list) = alex.get("/api/v1/goals").await;
    assert_eq!(list[0]["open_offers"], 1);
    let (_, html) = alex_browser.page("/goals").await;
    assert!(html.contains("an offer of help is waiting"));

    // Sam cannot accept Sam's own offer, by the API or the page.
    let accept = format!("/goals/{goal}/cheers/{offer}/accept");
    let (status, body) = sam.post(&format!("/api/v1{accept}"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let r = sam_browser.submit(&page, &accept, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("html").contains("Only the one whose goal it is can accept help with it."));
    let (_, html) = sam_browser.page(&page).await;
    assert!(!html.contains(&format!("action=\"{accept}\"")), "no Accept button for Sam");

    // A message is no offer; an unknown one is not found.
    for other in [message, 999_999] {
        let (status, _) = alex.post(&format!("/api/v1/goals/{goal}/cheers/{other}/accept"), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other}");
    }

    // Alex accepts on the page; Sam sees it; accepting again changes nothing.
    let (_, html) = alex_browser.page(&page).await;
    assert!(html.contains(&format!("action=\"{accept}\"")) && html.contains("quizzing you on Sundays"));
    let r = alex_browser.submit(&page, &accept, &[]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=accepted#cheer-{offer}"));
    let (_, detail) = sam.get(&format!("/api/v1/goals/{goal}")).await;
    let accepted_at = detail["cheers"][0]["accepted_at"].as_str().expect("accepted").to_owned();
    assert_eq!(detail["goal"]["open_offers"], 0);
    app.advance_minutes(5);
    let (status, again) = alex.post(&format!("/api/v1{accept}"), json!({})).await;
    assert_eq!((status, again["cheers"][0]["accepted_at"].as_str()), (StatusCode::OK, Some(accepted_at.as_str())));
    let (_, html) = sam_browser.page(&page).await;
    assert!(html.contains("accepted your help"));
}

async fn progress_and_reactions(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "progress").await;
    let alex_browser = log_in(&app, "a-progress@example.org").await;
    let sam_browser = log_in(&app, "b-progress@example.org").await;
    let goal = goal_of(&alex, "Read twelve books").await;
    let page = format!("/goals/{goal}");
    let mut sam_stream = Stream::open(&app, &token_of(&sam)).await;

    let r = alex_browser.submit(&page, &format!("/goals/{goal}/progress"), &[("note", "Book three done")]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=progress-posted#timeline"));
    let event = sam_stream.next_event(Duration::from_secs(5)).await.expect("an event");
    assert!(event.contains("goals") && !event.contains("Book three"), "{event}");
    let r = alex_browser.submit(&page, &format!("/goals/{goal}/progress"), &[("note", "  ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("Write a line about how it’s going."));
    let (status, _) = sam.post(&format!("/api/v1/goals/{goal}/progress"), json!({"note": "not mine to post"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "progress is the owner's");
    let (_, detail) = alex.get(&format!("/api/v1/goals/{goal}")).await;
    let progress = detail["progress"][0]["id"].as_i64().expect("progress");
    assert_eq!(detail["progress"].as_array().map(Vec::len), Some(1));
    let reaction = format!("/goals/{goal}/progress/{progress}/reaction");

    // Sam reacts on the page; Alex sees it.
    let (_, html) = sam_browser.page(&page).await;
    assert!(html.contains("Book three done") && html.contains(&format!("action=\"{reaction}\"")));
    let r = sam_browser.submit(&page, &reaction, &[("reaction", "proud")]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=reacted#progress-{progress}"));
    let (_, html) = alex_browser.page(&page).await;
    assert!(html.contains("So proud of you") && !html.contains(&format!("action=\"{reaction}\"")));

    // The owner's reaction is refused, by the API and on the page.
    let (status, body) = put(&alex, &format!("/api/v1{reaction}"), json!({"reaction": "wow"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("Reactions are for your partner")));
    assert_eq!(alex.delete(&format!("/api/v1{reaction}")).await.0, StatusCode::CONFLICT);
    let r = alex_browser.submit(&page, &reaction, &[("reaction", "wow")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Sam changes it, takes it back, and a bad one is refused.
    let (status, detail) = put(&sam, &format!("/api/v1{reaction}"), json!({"reaction": "wow"})).await;
    assert_eq!((status, detail["progress"][0]["reaction"].as_str()), (StatusCode::OK, Some("wow")));
    for bad in [json!({"reaction": "meh"}), json!({"reaction": ""}), json!({})] {
        let (status, body) = put(&sam, &format!("/api/v1{reaction}"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (status, detail) = sam.delete(&format!("/api/v1{reaction}")).await;
    assert_eq!((status, detail["progress"][0]["reaction"].is_null()), (StatusCode::OK, true), "{detail}");
    sam_browser.submit(&page, &reaction, &[("reaction", "hug")]).await;
    let r = sam_browser.submit(&page, &reaction, &[("reaction", "")]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=reaction-removed#progress-{progress}"));
    let (_, detail) = alex.get(&format!("/api/v1/goals/{goal}")).await;
    assert!(detail["progress"][0]["reaction"].is_null());
    let (status, _) =
        put(&sam, &format!("/api/v1/goals/{goal}/progress/999999/reaction"), json!({"reaction": "hug"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn done_is_celebrated_for_both(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "done").await;
    let alex_browser = log_in(&app, "a-done@example.org").await;
    let sam_browser = log_in(&app, "b-done@example.org").await;
    let goal = goal_of(&alex, "Climb the big hill").await;
    let page = format!("/goals/{goal}");

    // Only the owner marks it done.
    let (status, _) = sam.post(&format!("/api/v1/goals/{goal}/done"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let r = sam_browser.submit(&page, &format!("/goals/{goal}/done"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    let r = alex_browser.submit(&page, &format!("/goals/{goal}/done"), &[]).await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=goal-done#goal"));
    let (_, html) = alex_browser.page(&location(&r)).await;
    assert!(html.contains("Done!") && html.contains("You did it"), "the celebration");
    let (_, html) = sam_browser.page(&page).await;
    assert!(html.contains("Done!") && html.contains("did it, on") && !html.contains("Send encouragement"));
    for browser in [&alex_browser, &sam_browser] {
        let (_, html) = browser.page("/goals").await;
        let done = html.split("id=\"done-heading\"").nth(1).expect("a Done section");
        assert!(done.contains("Climb the big hill") && done.contains("🎉") && done.contains("Just done"));
    }
    for api in [&alex, &sam] {
        let (_, list) = api.get("/api/v1/goals").await;
        assert!(list[0]["done_at"].is_string(), "{list}");
    }

    // A goal done takes no more cheers, progress or changes; marking it again changes nothing.
    let (status, body) =
        sam.post(&format!("/api/v1/goals/{goal}/cheers"), json!({"kind": "message", "words": "yay"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("done already")));
    let (status, _) = alex.post(&format!("/api/v1/goals/{goal}/progress"), json!({"note": "more"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = put(&alex, &format!("/api/v1/goals/{goal}"), json!({"title": "Changed"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(alex_browser.page(&format!("/goals/{goal}/edit")).await.0, StatusCode::CONFLICT);
    let (status, again) = alex.post(&format!("/api/v1/goals/{goal}/done"), json!({})).await;
    assert_eq!((status, again["goal"]["title"].as_str()), (StatusCode::OK, Some("Climb the big hill")));

    // Only the owner deletes it; then it is gone for both.
    assert_eq!(sam.delete(&format!("/api/v1/goals/{goal}")).await.0, StatusCode::CONFLICT);
    // Sam's page of a goal done has no form, so the token comes from another page.
    let r = sam_browser.submit("/settings", &format!("/goals/{goal}/delete"), &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let (_, html) = alex_browser.page(&page).await;
    assert!(html.contains("Delete this goal") && html.contains("It can’t be undone."));
    let r = alex_browser.submit(&page, &format!("/goals/{goal}/delete"), &[]).await;
    assert_eq!(location(&r), "/goals?done=goal-deleted");
    assert_eq!(sam.get(&format!("/api/v1/goals/{goal}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(sam_browser.page(&page).await.0, StatusCode::NOT_FOUND);
    let (status, _) = alex.delete(&format!("/api/v1/goals/{goal}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn every_goals_page_renders(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam) = browser_couple(&app).await;

    let (status, html) = alex.page("/goals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("href=\"/learn/cheering-each-other\"") && html.contains("href=\"/goals/new\""));
    assert!(html.contains("You haven’t shared a goal yet") && html.contains("Sam hasn’t shared a goal yet"));
    assert!(html.contains("id=\"goals-live\" data-live-part"), "live updates");
    let (_, html) = alex.page("/practices").await;
    assert!(html.contains("href=\"/goals\""), "linked from Practices");
    let (status, html) = app.browser().page("/learn/cheering-each-other").await;
    assert_eq!(status, StatusCode::OK, "{html}");

    // The form: errors keep what was typed.
    let (status, html) = alex.page("/goals/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"title\"") && html.contains("name=\"why\"") && html.contains("name=\"next_step\""));
    assert!(html.contains("name=\"due\" type=\"date\"") && html.contains("name=\"private\""));
    let r = alex.submit("/goals/new", "/goals", &[("title", ""), ("why", "typed-why-3c9"), ("private", "on")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("Please name your goal in a few words.") && html.contains("typed-why-3c9"));
    assert!(html.contains("value=\"on\" checked"), "the private box stays ticked");

    let r = alex
        .submit(
            "/goals/new",
            "/goals",
            &[("title", "Run 5 km"), ("why", "To feel strong"), ("next_step", "Run twice"), ("due", "2026-06-01")],
        )
        .await;
    assert!(location(&r).ends_with("?done=goal-added"), "{}", location(&r));
    let goal = goal_id_in(&r);
    let (status, html) = alex.page(&location(&r)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your goal is shared.") && html.contains("By</dt><dd>1 June 2026"));
    assert!(html.contains("Post progress") && html.contains("Mark it done") && html.contains("id=\"goal-live\""));
    let (status, html) = alex.page(&format!("/goals/{goal}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"Run 5 km\"") && html.contains("value=\"2026-06-01\""));
    let r = alex
        .submit(&format!("/goals/{goal}/edit"), &format!("/goals/{goal}"), &[("title", ""), ("due", "someday")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("Dates look like 2026-03-14"));
    let r = alex
        .submit(
            &format!("/goals/{goal}/edit"),
            &format!("/goals/{goal}"),
            &[("title", "Run 10 km"), ("next_step", "Run thrice")],
        )
        .await;
    assert_eq!(location(&r), format!("/goals/{goal}?done=goal-saved"));

    let (status, html) = sam.page("/goals").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Run 10 km") && html.contains("Run thrice") && html.contains("Cheer on"));
    assert!(html.contains("Alex’s"), "the partner's section");
    let (status, html) = sam.page(&format!("/goals/{goal}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Alex’s goal") && html.contains("Cheer Alex on") && !html.contains("Mark it done"));
    assert_eq!(sam.page(&format!("/goals/{goal}/edit")).await.0, StatusCode::CONFLICT, "not Sam's to change");

    for path in ["/goals/abc", "/goals/999999", "/goals/999999/edit", "/goals/-1"] {
        assert_eq!(alex.page(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let solo = app.browser();
    solo.sign_up("Solo", "solo@example.org", None).await;
    for path in ["/goals", "/goals/new", &format!("/goals/{goal}")] {
        let r = solo.get(path).await;
        assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/pair".to_owned()), "{path}");
    }
}

both_backends!(
    a_private_goal_never_reaches_the_partner,
    cheering_is_for_the_partner_and_asks_look_ahead,
    help_is_accepted_by_the_owner_alone,
    progress_and_reactions,
    done_is_celebrated_for_both,
    every_goals_page_renders,
);
