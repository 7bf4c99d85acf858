//! Play and new things together through every door: a mark that makes no match leaves the
//! partner's pages, API, export and event stream exactly as they were; a match shows for both;
//! own ideas stay their author's until suggested; plans go from a proposal to "how was it?";
//! bad input gets a clear answer; every page renders.

use crate::support;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use std::time::Duration;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const PASSWORD: &str = "a long enough password";
const BOUNDARY: &str = "tend-play-boundary-7d2e";

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

async fn log_in(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    assert_eq!(location(&b.log_in(email, PASSWORD).await), "/today");
    b
}

fn token_of(api: &Api) -> String {
    api.token.clone().expect("token")
}

/// No change event reaches the stream within half a second (keep-alive comments may).
async fn no_change(stream: &mut Stream, what: &str) {
    if let Some(text) = stream.next_event(Duration::from_millis(500)).await {
        assert!(!text.contains("event: change"), "{what}: {text}");
    }
}

async fn a_change(stream: &mut Stream, what: &str) {
    let event = stream.next_event(Duration::from_secs(5)).await.unwrap_or_else(|| panic!("{what}: no event"));
    assert!(event.contains("event: change") && event.contains("\"play\""), "{what}: {event}");
}

/// A page with its CSRF token taken out: the token is the browser's, not the page's content.
fn without_csrf(html: &str) -> String {
    match attr_after(html, "name=\"csrf\" value=\"") {
        Some(token) if !token.is_empty() => html.replace(&token, "CSRF"),
        _ => html.to_owned(),
    }
}

/// Every file of an export ZIP, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("the download is a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut body = Vec::new();
            file.read_to_end(&mut body).expect("entry reads");
            (file.name().to_owned(), body)
        })
        .collect()
}

const PAGES: [&str; 6] =
    ["/play", "/play?f=1", "/play?f=1&page=2", "/play?f=1&unmarked=1", "/play/matches", "/practices"];
const READS: [&str; 6] = [
    "/api/v1/play/ideas",
    "/api/v1/play/ideas?unmarked=true",
    "/api/v1/play/ideas?place=home",
    "/api/v1/play/marks",
    "/api/v1/play/matches",
    "/api/v1/play/plans",
];

/// Everything one partner can read of play: pages, API and export.
#[derive(Debug, PartialEq)]
struct Seen {
    pages: Vec<(String, StatusCode, String)>,
    reads: Vec<(String, StatusCode, Value)>,
    export: Vec<(String, Vec<u8>)>,
}

async fn everything_seen_by(browser: &Browser, api: &Api) -> Seen {
    let mut pages = Vec::new();
    for path in PAGES {
        let (status, html) = browser.page(path).await;
        pages.push((path.to_owned(), status, without_csrf(&html)));
    }
    let mut reads = Vec::new();
    for path in READS {
        let (status, body) = api.get(path).await;
        reads.push((path.to_owned(), status, body));
    }
    let r = api.req(reqwest::Method::GET, "/api/v1/export").send().await.expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    let export = unzip(&r.bytes().await.expect("zip"));
    let data = export.iter().find(|(name, _)| name == "data.json").expect("data.json");
    assert!(String::from_utf8_lossy(&data.1).contains("\"play\":"), "the export has a play section to compare");
    Seen { pages, reads, export }
}

fn idea_in<'a>(ideas: &'a Value, id: &str) -> &'a Value {
    ideas["ideas"].as_array().expect("ideas").iter().find(|i| i["id"] == id).expect("the idea is listed")
}

async fn the_partner_sees_nothing_of_a_mark_that_makes_no_match(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "marks").await;
    let alex_browser = log_in(&app, "a-marks@example.org").await;
    let sam_browser = log_in(&app, "b-marks@example.org").await;
    let deck = tend_domain::play::deck();
    let (x, y) = (deck[0].id.clone(), deck[1].id.clone());
    let (x_title, y_title) = (deck[0].title.clone(), deck[1].title.clone());
    let mut stream = Stream::open(&app, &token_of(&sam)).await;

    // Alex says yes to Y: no match yet, so nothing to hear.
    let (status, body) = put(&alex, &format!("/api/v1/play/marks/{y}"), json!({"mark": "yes"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"idea": y, "mark": "yes", "matched": false, "new_match": false}));
    no_change(&mut stream, "a yes that makes no match").await;
    // Later marks are newer; the clock then stands still, so every read below is of one moment.
    app.advance_minutes(1);

    // The control: everything Sam can read while Alex has never marked X.
    let control = everything_seen_by(&sam_browser, &sam).await;
    assert!(control.pages.iter().all(|(p, s, _)| *s == StatusCode::OK || panic!("{p}: {s}")));
    assert!(control.reads.iter().all(|(p, s, _)| *s == StatusCode::OK || panic!("{p}: {s}")));

    // Alex says "not for me" to X through the page, then changes their mind every way there is.
    let r = alex_browser
        .submit(
            "/play",
            &format!("/play/ideas/{x}/mark"),
            &[("mark", "not-for-me"), ("back", "/play?f=1&page=1"), ("then", &format!("idea-{x}"))],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/play?f=1&page=1&done=marked#idea-{x}"));
    no_change(&mut stream, "not for me").await;
    assert_eq!(everything_seen_by(&sam_browser, &sam).await, control, "after Alex's not-for-me on X");
    let (_, html) = alex_browser.page("/play?f=1").await;
    let card = &html[html.find(&format!("id=\"idea-{x}\"")).expect("X's card")..];
    let card = &card[..card.find("</form>").expect("card end")];
    assert!(card.contains("value=\"not-for-me\" class=\"mark-button\" aria-pressed=\"true\""), "{card}");
    assert!(card.contains("value=\"yes\" class=\"mark-button\" aria-pressed=\"false\""), "{card}");
    assert!(card.contains("Clear my mark"));
    for mark in ["yes", "maybe"] {
        let (status, body) = put(&alex, &format!("/api/v1/play/marks/{x}"), json!({"mark": mark})).await;
        assert_eq!((status, body["matched"].as_bool()), (StatusCode::OK, Some(false)), "{body}");
        no_change(&mut stream, mark).await;
        assert_eq!(everything_seen_by(&sam_browser, &sam).await, control, "after Alex's {mark} on X");
    }
    let (status, _) = alex.delete(&format!("/api/v1/play/marks/{x}")).await;
    assert_eq!(status, StatusCode::OK);
    put(&alex, &format!("/api/v1/play/marks/{x}"), json!({"mark": "not-for-me"})).await;
    no_change(&mut stream, "clear and not-for-me again").await;
    let seen = everything_seen_by(&sam_browser, &sam).await;
    assert_eq!(seen, control, "after all of Alex's marks on X");
    let (_, ideas) = sam.get("/api/v1/play/ideas").await;
    assert_eq!(
        (idea_in(&ideas, &x)["my_mark"].clone(), idea_in(&ideas, &x)["matched"].clone()),
        (json!(null), json!(false))
    );
    let (_, sam_marks) = sam.get("/api/v1/play/marks").await;
    assert_eq!(sam_marks, json!([]), "Sam's marks are Sam's own, and Sam has none");

    // Alex's own reads hold Alex's marks, newest first.
    let (_, alex_marks) = alex.get("/api/v1/play/marks").await;
    let marks: Vec<(&str, &str)> = alex_marks
        .as_array()
        .expect("marks")
        .iter()
        .map(|m| (m["idea"].as_str().expect("idea"), m["mark"].as_str().expect("mark")))
        .collect();
    assert_eq!(marks, vec![(x.as_str(), "not-for-me"), (y.as_str(), "yes")]);

    // Sam says maybe to Y, on the page: a match, for both, and both hear of it.
    let mut alex_stream = Stream::open(&app, &token_of(&alex)).await;
    let r =
        sam_browser.submit("/play", &format!("/play/ideas/{y}/mark"), &[("mark", "maybe"), ("back", "/play")]).await;
    assert_eq!(location(&r), "/play?done=matched#ideas");
    a_change(&mut stream, "the match, to Sam").await;
    a_change(&mut alex_stream, "the match, to Alex").await;
    let (_, html) = sam_browser.page("/play").await;
    assert!(html.contains("It’s a match!") && html.contains(&y_title), "the flash names the match");
    let (_, html) = sam_browser.page("/play").await;
    assert!(!html.contains("It’s a match!"), "once");
    for api in [&alex, &sam] {
        let (_, matches) = api.get("/api/v1/play/matches").await;
        let ids: Vec<&str> =
            matches.as_array().expect("matches").iter().filter_map(|m| m["idea"]["id"].as_str()).collect();
        assert_eq!(ids, vec![y.as_str()]);
        assert!(!matches.to_string().contains("\"mark\""), "a match carries no mark: {matches}");
    }
    for browser in [&alex_browser, &sam_browser] {
        let (_, html) = browser.page("/play/matches").await;
        assert!(html.contains(&y_title) && !html.contains(&x_title), "only the match");
        assert!(html.contains("Matches <span class=\"count\">1</span>"));
    }
    let (_, ideas) = sam.get("/api/v1/play/ideas").await;
    assert_eq!(idea_in(&ideas, &y)["matched"], json!(true));
    assert_eq!(idea_in(&ideas, &y)["my_mark"], json!("maybe"));
    assert_eq!(idea_in(&ideas, &x)["my_mark"], json!(null), "X still says nothing of Alex's mark");
    let (_, html) = sam_browser.page("/play?f=1").await;
    assert!(
        !html.contains("not-for-me\" class=\"mark-button\" aria-pressed=\"true\""),
        "no pressed not-for-me for Sam"
    );

    // Alex takes the yes back: the match is gone for both, and both hear of that too.
    let (status, body) = alex.delete(&format!("/api/v1/play/marks/{y}")).await;
    assert_eq!((status, body["matched"].as_bool(), body["mark"].clone()), (StatusCode::OK, Some(false), json!(null)));
    a_change(&mut stream, "the match undone").await;
    let (_, matches) = sam.get("/api/v1/play/matches").await;
    assert_eq!(matches, json!([]));
}

async fn marks_update_refuse_bad_input_and_filter(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, _sam) = api_couple(&app, "input").await;
    let alex_browser = log_in(&app, "a-input@example.org").await;
    let idea = tend_domain::play::deck()[3].id.clone();

    // Marking twice updates the one mark.
    put(&alex, &format!("/api/v1/play/marks/{idea}"), json!({"mark": "yes"})).await;
    let (status, body) = put(&alex, &format!("/api/v1/play/marks/{idea}"), json!({"mark": "maybe"})).await;
    assert_eq!((status, body["mark"].as_str()), (StatusCode::OK, Some("maybe")));
    let (_, marks) = alex.get("/api/v1/play/marks").await;
    assert_eq!(marks.as_array().map(Vec::len), Some(1), "{marks}");
    assert_eq!(marks[0]["mark"], "maybe");
    let r = alex_browser.submit("/play", &format!("/play/ideas/{idea}/mark"), &[("mark", "clear")]).await;
    assert_eq!(location(&r), "/play?done=cleared#ideas", "a back address that is missing goes to /play");
    let (_, marks) = alex.get("/api/v1/play/marks").await;
    assert_eq!(marks, json!([]));

    // An unknown idea is not found, everywhere.
    let (status, body) = put(&alex, "/api/v1/play/marks/no-such-idea", json!({"mark": "yes"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(alex.delete("/api/v1/play/marks/own-999").await.0, StatusCode::NOT_FOUND);
    let r = alex_browser.submit("/play", "/play/ideas/no-such-idea/mark", &[("mark", "yes")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let (status, _) = alex.post("/api/v1/play/own-ideas/999/share", json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(alex.get("/api/v1/play/plans/999").await.0, StatusCode::NOT_FOUND);
    assert_eq!(alex_browser.page("/play/plans/999").await.0, StatusCode::NOT_FOUND);
    assert_eq!(alex_browser.page("/play/plans/nine").await.0, StatusCode::NOT_FOUND);

    // A mark that is none of the three: a clear 422 naming the field.
    for bad in [json!({"mark": "love it"}), json!({}), json!({"mark": 3})] {
        let (status, body) = put(&alex, &format!("/api/v1/play/marks/{idea}"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["status"], 422);
    }
    let r = alex_browser.submit("/play", &format!("/play/ideas/{idea}/mark"), &[("mark", "love it")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A back address off the play pages is not followed.
    let r = alex_browser
        .submit(
            "/play",
            &format!("/play/ideas/{idea}/mark"),
            &[("mark", "yes"), ("back", "https://elsewhere.example/")],
        )
        .await;
    assert_eq!(location(&r), "/play?done=marked#ideas");

    // Filters: each narrows; a word that is none of a tag's is a 400 naming it.
    let (_, out) = alex.get("/api/v1/play/ideas?place=out&cost=free").await;
    let out = out["ideas"].as_array().expect("ideas").clone();
    assert!(!out.is_empty() && out.iter().all(|i| i["place"] == "out" && i["cost"] == "free"));
    let (_, fresh) = alex.get("/api/v1/play/ideas?new=true&season=winter").await;
    let fresh = fresh["ideas"].as_array().expect("ideas").clone();
    assert!(!fresh.is_empty() && fresh.iter().all(|i| i["new"] == true));
    assert!(fresh.iter().all(|i| {
        let seasons = i["seasons"].as_array().expect("seasons");
        seasons.is_empty() || seasons.contains(&json!("winter"))
    }));
    let (_, unmarked) = alex.get("/api/v1/play/ideas?unmarked=true").await;
    assert!(unmarked["ideas"].as_array().expect("ideas").iter().all(|i| i["id"] != idea.as_str()));
    for bad in ["place=moon", "cost=priceless", "new=maybe", "place=home&place=out"] {
        let (status, body) = alex.get(&format!("/api/v1/play/ideas?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, html) = alex_browser.page("/play?place=moon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("Showing every idea instead"));
    let (_, html) = alex_browser.page("/play?f=1&place=out&cost=free").await;
    assert!(html.contains("<option value=\"out\" selected>Out</option>"), "the filter shows what is chosen");

    // Someone not paired yet: a clear 409.
    let single = app.api().sign_up("Solo", "solo-play@example.org", None).await;
    let (status, body) = single.get("/api/v1/play/ideas").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

async fn own_ideas_stay_their_authors_until_suggested(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "own").await;
    let alex_browser = log_in(&app, "a-own@example.org").await;
    let sam_browser = log_in(&app, "b-own@example.org").await;
    const SECRET: &str = "Night kayak to the lighthouse 5c1d";

    // Mistakes come back with a message at the field, keeping what was typed.
    let r = alex_browser
        .submit(
            "/play/ideas/new",
            "/play/ideas",
            &[("title", "   "), ("detail", "kept-detail-words"), ("place", "out")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("Please say in a few words what the idea is."), "a friendly message");
    assert!(html.contains("kept-detail-words") && html.contains("<option value=\"out\" selected>"), "input kept");

    let mut stream = Stream::open(&app, &token_of(&sam)).await;
    let r = alex_browser
        .submit(
            "/play/ideas/new",
            "/play/ideas",
            &[
                ("title", SECRET),
                ("detail", "Head torches"),
                ("place", "out"),
                ("cost", "low"),
                ("length", "evening"),
                ("energy", "lively"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("/play?done=idea-added#idea-own-"), "{to}");
    let key = to.rsplit("#idea-").next().expect("key").to_owned();
    let number = key.trim_start_matches("own-").to_owned();
    let (_, html) = alex_browser.page("/play").await;
    assert!(
        html.contains(SECRET) && html.contains("Only you can see this.") && html.contains("Suggest to B own"),
        "{html}"
    );
    no_change(&mut stream, "a private idea").await;

    // Sam sees nothing of it, anywhere, and cannot mark, plan or share it.
    for path in ["/play", "/play?f=1", "/play/matches"] {
        let (_, html) = sam_browser.page(path).await;
        assert!(!html.contains(SECRET), "{path}");
    }
    for path in READS {
        let (_, body) = sam.get(path).await;
        assert!(!body.to_string().contains(SECRET), "{path}");
    }
    let (status, _) = put(&sam, &format!("/api/v1/play/marks/{key}"), json!({"mark": "yes"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sam.post(&format!("/api/v1/play/own-ideas/{number}/share"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sam.post("/api/v1/play/plans", json!({"idea": key, "date": "2026-03-20", "time": "19:00"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Through the API too: a new idea comes back as Alex's, not shared.
    let (status, made) = alex.post("/api/v1/play/ideas", json!({"title": "Bake bread from a starter"})).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(
        (made["own"].as_bool(), made["added_by_me"].as_bool(), made["shared"].as_bool()),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!((made["place"].as_str(), made["cost"].as_str()), (Some("home"), Some("free")), "the defaults");
    let (status, body) = alex.post("/api/v1/play/ideas", json!({"title": "x", "place": "moon"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "place");

    // Alex suggests it: Sam sees it (and hears of it), as Alex's idea, with Alex's yes making
    // Sam's yes a match.
    let r = alex_browser.submit("/play", &format!("/play/own/{number}/share"), &[]).await;
    assert_eq!(location(&r), format!("/play?f=1&done=suggested#idea-{key}"));
    a_change(&mut stream, "a suggested idea").await;
    let (_, html) = alex_browser.page("/play?f=1").await;
    assert!(html.contains("Your idea, suggested to B own."));
    let (_, html) = sam_browser.page("/play").await;
    assert!(html.contains(SECRET) && html.contains("A own’s idea."), "Sam sees it now");
    let (_, ideas) = sam.get("/api/v1/play/ideas").await;
    let shared = idea_in(&ideas, &key);
    assert_eq!(
        (shared["own"].as_bool(), shared["added_by_me"].as_bool(), shared["my_mark"].clone()),
        (Some(true), Some(false), json!(null))
    );
    let (status, body) = put(&sam, &format!("/api/v1/play/marks/{key}"), json!({"mark": "yes"})).await;
    assert_eq!((status, body["new_match"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    let (_, matches) = alex.get("/api/v1/play/matches").await;
    assert_eq!(matches[0]["idea"]["title"], SECRET);
}

/// A small JPEG.
fn jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(64, 48, |x, y| Rgb([(x * 3) as u8, (y * 5) as u8, 120]));
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("encode");
    out
}

/// A `multipart/form-data` body: (name, file name, bytes) for each part, in order.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: image/jpeg\r\n\r\n")
                    .as_bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_multipart(browser: &Browser, path: &str, body: Vec<u8>) -> reqwest::Response {
    browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .expect("post")
}

async fn a_plan_goes_from_proposal_to_how_it_was(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "plans").await;
    let alex_browser = log_in(&app, "a-plans@example.org").await;
    let sam_browser = log_in(&app, "b-plans@example.org").await;
    let deck = tend_domain::play::deck();
    let (idea, other) = (deck[5].id.clone(), deck[6].id.clone());
    let title = deck[5].title.clone();
    for api in [&alex, &sam] {
        put(api, &format!("/api/v1/play/marks/{idea}"), json!({"mark": "yes"})).await;
    }
    put(&alex, &format!("/api/v1/play/marks/{other}"), json!({"mark": "yes"})).await;

    // The matches page offers "Plan it"; a time that has passed is refused in friendly words,
    // with what was typed kept.
    let (_, html) = alex_browser.page("/play/matches").await;
    assert!(html.contains(&title) && html.contains("Plan it") && html.contains("type=\"date\""));
    let r = alex_browser
        .submit("/play/matches", "/play/plans", &[("idea", &idea), ("date", "2026-03-09"), ("time", "19:00")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("That time has already passed. Please pick one still to come."), "{html}");
    assert!(html.contains("value=\"2026-03-09\""), "the day typed is kept");
    let (status, body) =
        alex.post("/api/v1/play/plans", json!({"idea": idea, "date": "2026-03-09", "time": "19:00"})).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("date")),
        "{body}"
    );
    let (status, body) =
        alex.post("/api/v1/play/plans", json!({"idea": idea, "date": "2028-03-09", "time": "19:00"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "more than a year ahead: {body}");
    let (status, body) =
        alex.post("/api/v1/play/plans", json!({"idea": idea, "date": "2026-03-12", "time": "7pm"})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("time")));
    // Not a match yet (only Alex said yes): a 409 that says why; an unknown idea: 404.
    let (status, body) =
        alex.post("/api/v1/play/plans", json!({"idea": other, "date": "2026-03-12", "time": "19:00"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("isn’t a match yet")), "{body}");
    let r = alex_browser
        .submit("/play/matches", "/play/plans", &[("idea", &other), ("date", "2026-03-12"), ("time", "19:00")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.expect("html").contains("isn’t a match yet"));
    let (status, _) =
        alex.post("/api/v1/play/plans", json!({"idea": "no-such-idea", "date": "2026-03-12", "time": "19:00"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Alex proposes tomorrow evening through the page.
    let mut stream = Stream::open(&app, &token_of(&sam)).await;
    let r = alex_browser
        .submit("/play/matches", "/play/plans", &[("idea", &idea), ("date", "2026-03-11"), ("time", "19:30")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("/play/matches?done=proposed#plan-"), "{to}");
    let id: i64 = to.rsplit("#plan-").next().expect("id").parse().expect("a number");
    a_change(&mut stream, "a proposal").await;
    let (_, plan) = alex.get(&format!("/api/v1/play/plans/{id}")).await;
    assert_eq!(
        (plan["stage"].as_str(), plan["proposed_by_me"].as_bool(), plan["awaits_me"].as_bool()),
        (Some("proposed"), Some(true), Some(false))
    );
    assert_eq!(plan["at"], "2026-03-11T19:30:00Z", "Alex's zone is UTC");
    let (_, html) = alex_browser.page("/play/matches").await;
    assert!(html.contains("Waiting for B plans"));

    // Only Sam may say yes; nobody may say how it was yet.
    let (status, body) = alex.post(&format!("/api/v1/play/plans/{id}/accept"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = put(&sam, &format!("/api/v1/play/plans/{id}/afterwards"), json!({"feeling": "fun"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, html) = sam_browser.page("/play/matches").await;
    assert!(html.contains("Waiting for your yes") && html.contains("Yes, let’s"));
    assert!(html.contains("<span class=\"count waiting\""), "the Plans tab counts what waits for Sam");
    let (_, html) = sam_browser.page(&format!("/play/plans/{id}")).await;
    assert!(html.contains("suggests this time") && !html.contains("How did it feel?"));
    let r = sam_browser
        .submit(&format!("/play/plans/{id}"), &format!("/play/plans/{id}/accept"), &[("from", "plan")])
        .await;
    assert_eq!(location(&r), format!("/play/plans/{id}?done=accepted"));
    let (_, plan) = sam.get(&format!("/api/v1/play/plans/{id}")).await;
    assert_eq!(plan["stage"], "upcoming");
    let (_, html) = alex_browser.page("/play/matches").await;
    assert!(html.contains("Coming up") && html.contains("you’re both in"));

    // Its time comes: "how was it?" for each.
    app.advance_minutes(26 * 60);
    let (_, plan) = alex.get(&format!("/api/v1/play/plans/{id}")).await;
    assert_eq!(plan["stage"], "happened");
    let (status, _) = alex.post(&format!("/api/v1/play/plans/{id}/cancel"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "too late to call it off");
    let (_, html) = alex_browser.page("/play/matches").await;
    assert!(html.contains("How was it?") && html.contains("Say how it was"));
    let (status, body) =
        put(&alex, &format!("/api/v1/play/plans/{id}/afterwards"), json!({"feeling": "wonderful"})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("feeling")));
    let (status, body) =
        put(&alex, &format!("/api/v1/play/plans/{id}/afterwards"), json!({"feeling": "loved", "note": "alex-note-3e"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["mine"]["feeling"].as_str(), body["partner"].clone()), (Some("loved"), json!(null)));

    // Sam's through the page, with a photo, kept in Our memories.
    let (_, html) = sam_browser.page(&format!("/play/plans/{id}")).await;
    assert!(html.contains("How did it feel?") && html.contains("enctype=\"multipart/form-data\""));
    let csrf = csrf_of(&html);
    let photo = jpeg();
    let forged = multipart(&[("feeling", None, b"fun"), ("photo", Some("p.jpg"), &photo)]);
    let r = post_multipart(&sam_browser, &format!("/play/plans/{id}/afterwards"), forged).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token, no photo kept");
    let r = sam_browser
        .client
        .post(app.url(&format!("/play/plans/{id}/afterwards")))
        .form(&[("feeling", "fun")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a plain form without the token");
    let r = post_multipart(
        &sam_browser,
        &format!("/play/plans/{id}/afterwards"),
        multipart(&[("csrf", None, csrf.as_bytes()), ("feeling", None, b""), ("note", None, b"kept-note-9a")]),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("Tap how it felt.") && html.contains("kept-note-9a"));
    let r = post_multipart(
        &sam_browser,
        &format!("/play/plans/{id}/afterwards"),
        multipart(&[
            ("csrf", None, csrf.as_bytes()),
            ("feeling", None, b"fun"),
            ("note", None, b"sam-note-7f"),
            ("photo", Some("p.jpg"), &photo),
        ]),
    )
    .await;
    assert_eq!(location(&r), format!("/play/plans/{id}?done=afterwards#afterwards"));
    let (_, plan) = alex.get(&format!("/api/v1/play/plans/{id}")).await;
    assert_eq!(
        (plan["partner"]["feeling"].as_str(), plan["partner"]["note"].as_str()),
        (Some("fun"), Some("sam-note-7f"))
    );
    let photo_id = plan["partner"]["photo"].as_str().expect("Sam's photo").to_owned();
    let (status, shown) = alex.get(&format!("/api/v1/photos/{photo_id}")).await;
    assert_eq!(status, StatusCode::OK, "a memory both see: {shown}");
    let (_, html) = alex_browser.page(&format!("/play/plans/{id}")).await;
    assert!(
        html.contains("alex-note-3e")
            && html.contains("sam-note-7f")
            && html.contains(&format!("/photos/{photo_id}/thumb"))
    );
    let (_, html) = alex_browser.page("/play/matches").await;
    assert!(html.contains("Things we tried"));

    // A photo of the partner's is not Alex's to give.
    let (status, body) =
        put(&alex, &format!("/api/v1/play/plans/{id}/afterwards"), json!({"feeling": "loved", "photo": photo_id}))
            .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("photo")),
        "{body}"
    );
    let (status, _) =
        put(&alex, &format!("/api/v1/play/plans/{id}/afterwards"), json!({"feeling": "loved", "photo": "not-a-photo"}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // A second plan, declined by Sam from the list: called off, and counted nowhere.
    let (status, second) =
        alex.post("/api/v1/play/plans", json!({"idea": idea, "date": "2026-03-20", "time": "10:00"})).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second = second["id"].as_i64().expect("id");
    let r = sam_browser.submit("/play/matches", &format!("/play/plans/{second}/cancel"), &[]).await;
    assert_eq!(location(&r), "/play/matches?done=declined#plans");
    let (_, plan) = alex.get(&format!("/api/v1/play/plans/{second}")).await;
    assert_eq!(plan["stage"], "cancelled");
    let (status, _) = sam.post(&format!("/api/v1/play/plans/{second}/accept"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a plan called off takes no yes");
    let (_, plans) = sam.get("/api/v1/play/plans").await;
    assert_eq!(plans.as_array().map(Vec::len), Some(2));
}

async fn every_play_page_renders(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "pages").await;
    let browser = log_in(&app, "a-pages@example.org").await;

    let (status, html) = browser.page("/play").await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "Play &amp; new things",
        "your marks are private: only ideas you both like show up as matches",
        "Add your own idea",
        "Filter ideas",
        "Not marked yet",
        "New to most couples",
        "aria-current=\"page\">Ideas</a>",
        "Matches <span class=\"count\">0</span>",
        "data-live-part",
        "More ideas",
        ">Yes</button>",
        ">Maybe</button>",
        ">Not for me</button>",
        "name=\"unmarked\" value=\"1\" checked",
    ] {
        assert!(html.contains(text), "/play lacks {text}");
    }
    assert_eq!(html.matches("class=\"card play-idea").count(), tend_web::pages::play::PER_PAGE, "twenty to a page");
    let total = tend_domain::play::deck().len();
    let last = total.div_ceil(tend_web::pages::play::PER_PAGE);
    let (status, html) = browser.page(&format!("/play?f=1&page={last}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"card play-idea").count(), total - (last - 1) * tend_web::pages::play::PER_PAGE);
    assert!(html.contains(&format!("of {total}")) && !html.contains("More ideas") && html.contains("rel=\"prev\""));
    let (status, html) = browser.page("/play?f=1&page=999").await;
    assert_eq!(status, StatusCode::OK, "a page past the end shows the last");
    assert!(html.contains("rel=\"prev\""));

    let (status, html) = browser.page("/play/ideas/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Add your own idea") && html.contains("name=\"title\"") && html.contains("name=\"energy\""));

    let (status, html) = browser.page("/play/matches").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No matches yet. Mark a few ideas; when you both say yes or maybe, they show up here."));
    assert!(html.contains("id=\"play-live\" data-live-part") && html.contains("No plans yet."));

    let idea = tend_domain::play::deck()[9].id.clone();
    for api in [&alex, &sam] {
        put(api, &format!("/api/v1/play/marks/{idea}"), json!({"mark": "maybe"})).await;
    }
    let (status, plan) =
        sam.post("/api/v1/play/plans", json!({"idea": idea, "date": "2026-03-14", "time": "15:00"})).await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let (status, html) = browser.page(&format!("/play/plans/{}", plan["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("B pages suggests this time")
            && html.contains("Not this time")
            && html.contains("data-live-part")
    );
    let (_, html) = browser.page("/play/matches").await;
    assert!(html.contains("Waiting for your yes") && html.contains("Matches <span class=\"count\">1</span>"));

    let (status, html) = browser.page("/practices").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<a href=\"/play\">Play &amp; new things</a>"));

    // Signed out: to the login, and back after.
    let r = app.browser().get("/play/matches").await;
    assert_eq!((r.status(), location(&r)), (StatusCode::SEE_OTHER, "/login?next=%2Fplay%2Fmatches".to_owned()));
}

both_backends!(
    the_partner_sees_nothing_of_a_mark_that_makes_no_match,
    marks_update_refuse_bad_input_and_filter,
    own_ideas_stay_their_authors_until_suggested,
    a_plan_goes_from_proposal_to_how_it_was,
    every_play_page_renders,
);
