//! Question decks through every door: answer-then-reveal on pages, API and events; passes;
//! responses that fit the question's tone and private ratings; the ladder opening only with
//! both yeses and stepping back without telling who; decks that make sense from day one; the
//! reveal page's order; bad input and races.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const SECRET: &str = "my-quiet-answer-4c1e";

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

async fn answer(api: &Api, id: &str, body: &str) -> (StatusCode, Value) {
    put(api, &format!("/api/v1/questions/{id}/answer"), json!({ "body": body })).await
}

/// The ids of the open questions of a deck.
async fn open_questions(api: &Api, deck: &str) -> Vec<String> {
    let (status, list) = api.get(&format!("/api/v1/decks/{deck}")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().expect("list").iter().map(|e| e["question"]["id"].as_str().expect("id").to_owned()).collect()
}

fn the_problem_names(problem: &Value, field: &str) -> bool {
    problem["errors"].as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
}

async fn nothing_is_revealed_before_both_answer(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "reveal").await;
    let (_, today) = alex.get("/api/v1/questions/today").await;
    let id = today["question"]["id"].as_str().expect("today's question").to_owned();
    assert_eq!(today["question"]["depth"].as_u64(), Some(1), "a new couple starts light");
    let (_, sams_today) = sam.get("/api/v1/questions/today").await;
    assert_eq!(sams_today["question"]["id"].as_str(), Some(id.as_str()), "one question a day per couple");

    let token = sam.token.clone().expect("token");
    let mut stream = Stream::open(&app, &token).await;
    let (status, mine) = answer(&alex, &id, SECRET).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["partner_state"].as_str(), Some("not_yet"));
    let event = stream.next_event(Duration::from_secs(2)).await.expect("the partner hears of it");
    assert!(event.contains("question") && !event.contains(SECRET), "events carry no content: {event}");

    // Sam sees only *that* Alex answered: API, page, deck list, our answers, search.
    let (_, theirs) = sam.get(&format!("/api/v1/questions/{id}")).await;
    assert_eq!((theirs["partner_state"].as_str(), &theirs["partner_answer"]), (Some("waiting_for_you"), &Value::Null));
    assert!(!theirs.to_string().contains(SECRET));
    let browser = app.browser();
    browser.log_in("b-reveal@example.org", "a long enough password").await;
    for path in [format!("/questions/{id}"), "/questions".into(), "/questions/ours".into()] {
        let (status, html) = browser.page(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!html.contains(SECRET), "{path} shows nothing of Alex's answer");
    }
    let (_, html) = browser.page(&format!("/questions/ours?q={SECRET}")).await;
    assert!(html.contains("Nothing matches."), "a search for Alex's words finds nothing for Sam");
    assert!(!sam.get("/api/v1/exchanges").await.1.to_string().contains(SECRET));
    assert_eq!(sam.get(&format!("/api/v1/exchanges?q={SECRET}")).await.1, json!([]), "search sees only what you may");
    let (status, _) = put(&sam, &format!("/api/v1/questions/{id}/response"), json!({"words": "lovely"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "no response before the reveal");

    // Sam answers: both see both.
    let (_, both) = answer(&sam, &id, "Mine too.").await;
    assert_eq!((both["partner_state"].as_str(), both["partner_answer"].as_str()), (Some("revealed"), Some(SECRET)));
    let (_, html) = browser.page(&format!("/questions/{id}")).await;
    assert!(html.contains(SECRET) && html.contains("Reply to A reveal"));
    assert_eq!(answer(&alex, &id, "changed").await.0, StatusCode::CONFLICT, "an answer is final");

    // Responses, then the one who shared rates privately.
    let (_, q) = alex.get(&format!("/api/v1/questions/{id}")).await;
    let reply = q["replies"][0]["id"].as_str().expect("a reply").to_owned();
    let (status, problem) =
        put(&alex, &format!("/api/v1/questions/{id}/felt"), json!({"understood": 5, "accepted": 5, "cared_for": 5}))
            .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing to rate before Sam responds: {problem}");
    // "You're not overreacting." is for worries and hurts, never for a light question.
    let (status, problem) =
        put(&sam, &format!("/api/v1/questions/{id}/response"), json!({"reply_id": "validation-4"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "replies fit the question's tone: {problem}");
    assert!(the_problem_names(&problem, "reply_id"));
    let (status, _) =
        put(&sam, &format!("/api/v1/questions/{id}/response"), json!({"reply_id": reply, "words": "Tell me more?"}))
            .await;
    assert_eq!(status, StatusCode::OK);
    let (_, q) = alex.get(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(q["response_to_me"]["words"].as_str(), Some("Tell me more?"));
    for bad in [
        json!({"understood": 0, "accepted": 5, "cared_for": 5}),
        json!({"understood": 5, "accepted": 8, "cared_for": 5}),
    ] {
        assert_eq!(put(&alex, &format!("/api/v1/questions/{id}/felt"), bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (_, q) =
        put(&alex, &format!("/api/v1/questions/{id}/felt"), json!({"understood": 6, "accepted": 7, "cared_for": 5}))
            .await;
    assert_eq!(q["my_felt"], json!({"understood": 6, "accepted": 7, "cared_for": 5}));
    let (_, q) =
        put(&alex, &format!("/api/v1/questions/{id}/felt"), json!({"understood": 6, "accepted": 7, "cared_for": 6}))
            .await;
    assert_eq!(q["my_felt"]["cared_for"].as_u64(), Some(6), "a rating can be changed");
    let (_, s) = sam.get(&format!("/api/v1/questions/{id}")).await;
    assert!(s["my_felt"].is_null() && !s.to_string().contains("\"accepted\":7"), "ratings stay private: {s}");
    put(&alex, &format!("/api/v1/questions/{id}/response"), json!({"words": "Thank you."})).await;
    assert_eq!(sam.get(&format!("/api/v1/questions/{id}")).await.1["complete"].as_bool(), Some(true));

    // Favourites and "our answers".
    put(&sam, &format!("/api/v1/questions/{id}/favorite"), json!({"on": true})).await;
    let (_, favs) = sam.get("/api/v1/exchanges?favorites=yes").await;
    assert_eq!(favs.as_array().map(Vec::len), Some(1));
    assert_eq!(alex.get("/api/v1/exchanges?favorites=true").await.1, json!([]), "favourites are your own");
    assert_eq!(sam.get(&format!("/api/v1/exchanges?q={SECRET}")).await.1.as_array().map(Vec::len), Some(1));
}

async fn passes_bad_input_and_races(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "pass").await;
    let ids = open_questions(&alex, "play").await;
    let (first, second) = (&ids[0], &ids[1]);

    // A pass is not an answer: it reveals nothing to the one who passed.
    let (status, passed) = put(&alex, &format!("/api/v1/questions/{first}/answer"), json!({"pass": true})).await;
    assert_eq!((status, passed["my_state"].as_str()), (StatusCode::OK, Some("passed")));
    answer(&sam, first, SECRET).await;
    let (_, a) = alex.get(&format!("/api/v1/questions/{first}")).await;
    assert_eq!((a["partner_state"].as_str(), &a["partner_answer"]), (Some("you_passed"), &Value::Null));
    let (_, s) = sam.get(&format!("/api/v1/questions/{first}")).await;
    assert_eq!(s["partner_state"].as_str(), Some("passed"));
    let (_, a) = answer(&alex, first, "On second thought: cartwheels.").await;
    assert_eq!(a["partner_answer"].as_str(), Some(SECRET), "a pass can become an answer later");

    // Bad input.
    let (status, problem) = answer(&alex, second, &"x".repeat(1001)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(the_problem_names(&problem, "body"), "{problem}");
    assert_eq!(answer(&alex, second, "   ").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer(&alex, "no-such-question", "hi").await.0, StatusCode::NOT_FOUND);
    assert_eq!(alex.get("/api/v1/questions/..%2f..%2fetc").await.0, StatusCode::NOT_FOUND);
    // A retired question still reads (answers given to it keep their question), but it is not
    // offered and not open to a fresh answer.
    let (status, retired) = alex.get("/api/v1/questions/play-017").await;
    assert_eq!((status, retired["question"]["id"].as_str()), (StatusCode::OK, Some("play-017")), "{retired}");
    assert!(!ids.iter().any(|id| id == "play-017"), "retired questions are not listed");
    assert_eq!(answer(&alex, "play-017", "hi").await.0, StatusCode::CONFLICT);
    let deep = open_questions(&alex, "us").await;
    assert!(deep.is_empty(), "the Us deck has nothing open at level 1");
    let (status, problem) = answer(&alex, "us-030", "too soon").await;
    assert_eq!(status, StatusCode::CONFLICT, "a locked depth, even through the API: {problem}");
    assert_eq!(alex.get("/api/v1/exchanges?deck=nope").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alex.get("/api/v1/exchanges?type=cosmic").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alex.get("/api/v1/decks/nope").await.0, StatusCode::NOT_FOUND);
    let (status, _) = put(&alex, &format!("/api/v1/questions/{second}/favorite"), json!({"on": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "answer first, then keep it");

    // Both answering at the same instant: both answers stand, both are revealed.
    let (a, b) = tokio::join!(answer(&alex, second, "alex at once"), answer(&sam, second, "sam at once"));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
    let (_, a) = alex.get(&format!("/api/v1/questions/{second}")).await;
    assert_eq!(a["partner_answer"].as_str(), Some("sam at once"));

    // Partners on different dates share one question for today.
    let (status, _) =
        alex.call(reqwest::Method::PATCH, "/api/v1/me", Some(json!({"time_zone": "Pacific/Kiritimati"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, far) = alex.get("/api/v1/me").await;
    assert_eq!(far["time_zone"].as_str(), Some("Pacific/Kiritimati"));
    let (_, a_today) = alex.get("/api/v1/questions/today").await;
    let (_, s_today) = sam.get("/api/v1/questions/today").await;
    assert_eq!(a_today["question"]["id"], s_today["question"]["id"], "one question a day, whatever the zones");

    // Another question for today is drawn fresh, for both, and never one you've answered.
    let (_, today) = alex.get("/api/v1/questions/today").await;
    let (_, next) = sam.post("/api/v1/questions/today/another", json!({})).await;
    assert_ne!(today["question"]["id"], next["question"]["id"]);
    assert_eq!(alex.get("/api/v1/questions/today").await.1["question"]["id"], next["question"]["id"]);
    let answered: Vec<Value> = alex
        .get("/api/v1/exchanges")
        .await
        .1
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["question"]["id"].clone())
        .collect();
    for _ in 0..5 {
        let (_, drawn) = sam.post("/api/v1/questions/today/another", json!({})).await;
        assert!(!answered.contains(&drawn["question"]["id"]), "{} was answered already", drawn["question"]["id"]);
    }
}

/// Both answer and both respond to `id`.
async fn complete(alex: &Api, sam: &Api, id: &str) {
    answer(alex, id, "mine").await;
    answer(sam, id, "yours").await;
    for who in [alex, sam] {
        let (status, v) = put(who, &format!("/api/v1/questions/{id}/response"), json!({"words": "thank you"})).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
}

async fn the_ladder_opens_only_when_both_are_ready(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "ladder").await;
    assert_eq!(alex.post("/api/v1/ladder/ready", json!({})).await.0, StatusCode::CONFLICT, "not asked yet");
    assert_eq!(alex.post("/api/v1/ladder/step-back", json!({})).await.0, StatusCode::CONFLICT, "no level below 1");
    let ids = open_questions(&alex, "today").await;
    for id in &ids[..6] {
        complete(&alex, &sam, id).await;
    }
    assert_eq!(alex.get("/api/v1/ladder").await.1["ask_me"].as_bool(), Some(false), "not before seven");
    // An answered-but-unresponded exchange doesn't count.
    answer(&alex, &ids[6], "mine").await;
    answer(&sam, &ids[6], "yours").await;
    assert_eq!(alex.get("/api/v1/ladder").await.1["completed"].as_u64(), Some(6));
    put(&alex, &format!("/api/v1/questions/{}/response", ids[6]), json!({"words": "ok"})).await;
    put(&sam, &format!("/api/v1/questions/{}/response", ids[6]), json!({"words": "ok"})).await;
    put(&sam, &format!("/api/v1/questions/{}/response", ids[6]), json!({"words": "again"})).await;
    let (_, l) = alex.get("/api/v1/ladder").await;
    assert_eq!((l["completed"].as_u64(), l["ask_me"].as_bool()), (Some(7), Some(true)), "counted once: {l}");

    let (_, l) = alex.post("/api/v1/ladder/ready", json!({})).await;
    assert_eq!((l["depth"].as_u64(), l["i_said_ready"].as_bool()), (Some(1), Some(true)));
    let (_, again) = alex.post("/api/v1/ladder/ready", json!({})).await;
    assert_eq!(again, l, "saying it twice is once");
    let (_, s) = sam.get("/api/v1/ladder").await;
    assert_eq!(s, json!({"depth": 1, "completed": 7, "ask_me": true, "i_said_ready": false}), "Sam can't tell");
    let browser = app.browser();
    browser.log_in("b-ladder@example.org", "a long enough password").await;
    let (_, html) = browser.page("/questions").await;
    assert!(html.contains("Ready to go a little deeper?"));
    let r = browser.submit("/questions", "/ladder/ready", &[]).await;
    assert_eq!(location(&r), "/questions?done=ready#ladder");
    assert_eq!(alex.get("/api/v1/ladder").await.1["depth"].as_u64(), Some(2), "both said yes: level 2 opens");
    let personal = open_questions(&alex, "us").await;
    assert!(!personal.is_empty(), "the Us deck opens at level 2");
    assert_eq!(answer(&alex, &personal[0], "now it's open").await.0, StatusCode::OK);

    let (status, late) = alex.post("/api/v1/ladder/ready?from=1", json!({})).await;
    assert_eq!((status, late["depth"].as_u64()), (StatusCode::OK, Some(2)), "a late second tap changes nothing");

    // Stepping back: whoever does it, both see exactly the same afterwards.
    let (_, by_sam) = sam.post("/api/v1/ladder/step-back?from=2", json!({})).await;
    let (status, twice) = sam.post("/api/v1/ladder/step-back?from=2", json!({})).await;
    assert_eq!((status, &twice), (StatusCode::OK, &by_sam), "a double tap steps back once");
    let (_, alex_sees) = alex.get("/api/v1/ladder").await;
    assert_eq!(by_sam, alex_sees, "the same view for both");
    assert_eq!(alex_sees, json!({"depth": 1, "completed": 0, "ask_me": false, "i_said_ready": false}));
    let (_, html) = app.browser().page("/questions").await;
    assert!(!html.contains("stepped back"), "nobody is told");
    let (_, q) = alex.get(&format!("/api/v1/questions/{}", personal[0])).await;
    assert_eq!(q["locked"].as_bool(), Some(true), "deeper questions close again, answers kept");
    assert_eq!(q["my_answer"].as_str(), Some("now it's open"));
}

async fn question_pages_work_without_javascript(db: TestDb) {
    let app = spawn(db).await;
    let (_alex, sam) = api_couple(&app, "qpages").await;
    let alex = app.browser();
    alex.log_in("a-qpages@example.org", "a long enough password").await;
    let (status, html) = alex.page("/questions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Question for today") && html.contains("Aron et al., 1997") && html.contains("Love map"));
    let id = attr_after(&html, "href=\"/questions/").expect("today's question link");
    let page = format!("/questions/{id}");
    let r = alex.submit(&page, &format!("{page}/answer"), &[("body", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = alex.submit(&page, &format!("{page}/answer"), &[("body", &"y".repeat(1200))]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains(&"y".repeat(1200)), "the text is kept");
    let r = alex.submit(&page, &format!("{page}/answer"), &[("body", SECRET)]).await;
    assert_eq!(location(&r), format!("{page}?done=answered"));
    let (_, html) = alex.page(&page).await;
    assert!(html.contains(SECRET) && html.contains("Waiting for B qpages"));
    answer(&sam, &id, "Sam's words").await;
    let (_, html) = alex.page(&page).await;
    assert!(html.contains("Sam&#39;s words") || html.contains("Sam&#x27;s words"), "revealed on the page");
    let r = alex.submit(&page, &format!("{page}/response"), &[("reply_id", "not-a-reply")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, q) = sam.get(&format!("/api/v1/questions/{id}")).await;
    let reply = q["replies"][1]["id"].as_str().expect("reply").to_owned();
    let r = alex.submit(&page, &format!("{page}/response"), &[("reply_id", &reply), ("words", "")]).await;
    assert_eq!(location(&r), format!("{page}?done=responded"));
    let r = alex.submit(&page, &format!("{page}/favorite"), &[("on", "yes")]).await;
    assert_eq!(location(&r), format!("{page}?done=kept"));
    let (_, html) = alex.page("/questions/ours?favorites=yes&type=recreational&deck=").await;
    assert_eq!(html.contains(SECRET), q["question"]["types"].to_string().contains("recreational"));
    let (status, _) = alex.page("/questions/ours?type=cosmic").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(alex.page("/questions/nope").await.0, StatusCode::NOT_FOUND);
    assert_eq!(alex.page("/questions/deck/nope").await.0, StatusCode::NOT_FOUND);
    let (status, html) = alex.page("/questions/deck/play").await;
    assert!(status == StatusCode::OK && html.contains("Play"));
    let r = alex.submit("/questions", "/ladder/step-back", &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("body").contains("first level already"));
}

/// Where `needle` first is in `html`, failing when it isn't there.
fn at(html: &str, needle: &str) -> usize {
    html.find(needle).unwrap_or_else(|| panic!("{needle:?} is not on the page"))
}

/// How many questions a deck holds at `depth`, and deeper than it.
fn in_deck(deck: &str, depth: u8) -> (usize, usize) {
    let all = tend_domain::questions::questions().iter().filter(|q| q.deck == deck);
    let at_depth = all.clone().filter(|q| q.depth <= depth).count();
    (at_depth, all.count() - at_depth)
}

/// (answered, open) of one deck in `GET /api/v1/decks`.
async fn deck_count(api: &Api, deck: &str) -> (u64, u64) {
    let (_, decks) = api.get("/api/v1/decks").await;
    let d = decks.as_array().and_then(|l| l.iter().find(|d| d["id"] == deck).cloned()).expect("the deck");
    (d["answered"].as_u64().expect("answered"), d["open"].as_u64().expect("open"))
}

async fn decks_make_sense_from_day_one(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "decks").await;
    let browser = app.browser();
    browser.log_in("a-decks@example.org", "a long enough password").await;

    // Day one: the Us deck has nothing at the Light level. It waits among the deeper decks,
    // saying how many questions and from which level, instead of reading "0 of 0".
    let (_, html) = browser.page("/questions").await;
    let (open_us, deeper_us) = in_deck("us", 1);
    assert_eq!(open_us, 0);
    assert!(!html.contains("0 of 0"), "no deck reads as an empty one");
    let waiting = at(&html, "Opening as you go deeper");
    assert!(at(&html, "href=\"/questions/deck/us\"") > waiting && at(&html, "href=\"/questions/deck/play\"") < waiting);
    assert!(html.contains(&format!("{deeper_us} questions, from the Personal level, when you’re both ready")));
    let (status, deck) = browser.page("/questions/deck/us").await;
    assert_eq!(status, StatusCode::OK);
    assert!(deck.contains("Opening as you go deeper") && deck.contains("href=\"/questions#ladder\""), "a way in");
    assert!(!deck.contains("class=\"question-list\""), "no empty list");

    // Today's question comes from the daily deck, so answering it counts there at once.
    let (daily_open, _) = in_deck("today", 1);
    assert_eq!(deck_count(&alex, "today").await, (0, daily_open as u64));
    let (_, today) = alex.get("/api/v1/questions/today").await;
    assert_eq!(today["question"]["deck"].as_str(), Some("today"));
    let id = today["question"]["id"].as_str().expect("today's question").to_owned();
    assert_eq!(answer(&alex, &id, "Toast, and the window open.").await.0, StatusCode::OK);
    assert_eq!(deck_count(&alex, "today").await, (1, daily_open as u64));
    let (_, html) = browser.page("/questions").await;
    assert!(html.contains(&format!("1 of {daily_open} answered")), "the daily deck counts today's answer");
    assert_eq!(deck_count(&sam, "today").await, (0, daily_open as u64), "each counts their own answers");

    // "Our answers": the answers first, the filters folded away until one is in use.
    let (_, html) = browser.page("/questions/ours").await;
    assert!(html.contains("<details class=\"filters-box\">") && at(&html, "filters-box") < at(&html, "ours-list"));
    let (_, html) = browser.page("/questions/ours?q=toast").await;
    assert!(html.contains("<details class=\"filters-box\" open>") && html.contains("Toast, and the window open."));
    let (_, html) = browser.page("/questions/ours?q=&deck=&type=").await;
    assert!(html.contains("<details class=\"filters-box\">"), "an empty form filters nothing");
}

async fn the_reveal_page_puts_the_partner_first(db: TestDb) {
    let app = spawn(db).await;
    let (_alex, sam) = api_couple(&app, "order").await;
    let alex = app.browser();
    alex.log_in("a-order@example.org", "a long enough password").await;
    // The mascot question: a light, playful one.
    let page = "/questions/play-001";
    let r = alex.submit(page, &format!("{page}/answer"), &[("body", "A sleepy otter in a scarf.")]).await;
    assert_eq!(location(&r), format!("{page}?done=answered"));
    let (_, html) = alex.page(&location(&r)).await;
    assert!(
        at(&html, "data-live-notice") > at(&html, "id=\"exchange\""),
        "the confirmation lives in the live part, so the next live update takes it away"
    );
    assert_eq!(answer(&sam, "play-001", "A heron with a tiny umbrella.").await.0, StatusCode::OK);

    // A smile for a mascot, never comfort.
    let (_, html) = alex.page(page).await;
    assert_eq!(html.matches("class=\"reply-choice\"").count(), tend_domain::questions::SUGGESTED);
    for comfort in ["validation-2", "care-1"] {
        assert!(!html.contains(&format!("value=\"{comfort}\"")), "{comfort} offered on a playful question");
    }
    let (status, problem) =
        put(&sam, "/api/v1/questions/play-001/response", json!({"reply_id": "care-1", "words": ""})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    // An id from before the tones still means what it meant, where it fits.
    let (status, _) =
        put(&sam, "/api/v1/questions/play-001/response", json!({"reply_id": "care-6", "words": "Love the scarf."}))
            .await;
    assert_eq!(status, StatusCode::OK);

    // What the partner said comes first: their answer, their reply to mine; then my reply.
    let (_, html) = alex.page(page).await;
    let theirs = at(&html, "A heron with a tiny umbrella.");
    let their_reply = at(&html, "B order answered yours");
    let my_reply = at(&html, "Reply to B order");
    assert!(theirs < their_reply && their_reply < my_reply, "partner first, then my reply");
    assert!(at(&html, "I love knowing this about you.") < my_reply);
    // How it felt is asked openly, on three shared 1–7 scales of real radios.
    assert!(html.contains("How did B order’s reply feel?") && !html.contains("class=\"felt\""), "no toggle to find");
    assert_eq!(html.matches("class=\"scale-point\"").count(), 21);
    for name in ["understood", "accepted", "cared_for"] {
        assert!(html.contains(&format!("aria-describedby=\"scale-{name}-ends\"")), "{name}: its ends are read out");
        assert_eq!(html.matches(&format!("type=\"radio\" name=\"{name}\"")).count(), 7);
    }
    let fields = [("understood", "6"), ("accepted", "7"), ("cared_for", "5")];
    let r = alex.submit(page, &format!("{page}/felt"), &fields).await;
    assert_eq!(location(&r), format!("{page}?done=felt"));
    let (_, html) = alex.page(page).await;
    assert!(html.contains("<summary>Change how you felt</summary>"));
    assert!(html.contains("name=\"accepted\" value=\"7\" checked"), "the saved choice is shown");
    assert_eq!(html.matches(" checked><span>").count(), 3, "one choice on each scale");
}

both_backends!(
    nothing_is_revealed_before_both_answer,
    passes_bad_input_and_races,
    the_ladder_opens_only_when_both_are_ready,
    question_pages_work_without_javascript,
    decks_make_sense_from_day_one,
    the_reveal_page_puts_the_partner_first,
);
