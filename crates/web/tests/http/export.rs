//! "Download my data" through every door: the ZIP opens, `data.json` has its format and version,
//! my words are in it and my partner's private parts are not (unrevealed check-ins and answers,
//! how they felt, their favourites), it agrees with what the pages show me, the HTML runs no
//! script; the page and the API both download; strangers get nothing; two downloads at once
//! are both whole; and after unpairing, "Your past words" and the export hold only my words.
//! Photos: mine and those shown to me, each a JPEG of its own; never my partner's waiting pick.

use crate::support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

const PASSWORD: &str = "a long enough password";

/// Every entry in the ZIP, by name, with how it is compressed.
fn entries(bytes: &[u8]) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("the download is a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let mut body = Vec::new();
            file.read_to_end(&mut body).expect("entry reads");
            (file.name().to_owned(), file.compression(), body)
        })
        .collect()
}

/// Every file in the ZIP but the photos, by name.
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    entries(bytes)
        .into_iter()
        .filter(|(name, _, _)| !name.starts_with("photos/"))
        .map(|(name, _, body)| (name, String::from_utf8(body).expect("entries are UTF-8 text")))
        .collect()
}

fn data_of(files: &[(String, String)]) -> Value {
    let (_, text) = files.iter().find(|(n, _)| n == "data.json").expect("data.json is in the ZIP");
    serde_json::from_str(text).expect("data.json parses")
}

fn everything(files: &[(String, String)]) -> String {
    files.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n")
}

async fn download(api: &Api) -> reqwest::Response {
    api.req(reqwest::Method::GET, "/api/v1/export").send().await.expect("export")
}

/// The downloaded ZIP itself.
async fn zip_of(api: &Api) -> Vec<u8> {
    let r = download(api).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment; filename=\"tend-export-2026-03-"), "{disposition}");
    r.bytes().await.expect("body").to_vec()
}

async fn export_of(api: &Api) -> Vec<(String, String)> {
    unzip(&zip_of(api).await)
}

async fn put(api: &Api, path: &str, body: Value) -> (StatusCode, Value) {
    api.call(reqwest::Method::PUT, path, Some(body)).await
}

async fn check_in(api: &Api, high: &str) {
    let (status, body) =
        put(api, "/api/v1/check-ins/today", json!({"high": high, "low": "", "closeness": 5, "need": ""})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn answer(api: &Api, id: &str, words: &str) {
    let (status, body) = put(api, &format!("/api/v1/questions/{id}/answer"), json!({ "body": words })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Two open questions of the first deck.
async fn two_questions(api: &Api) -> (String, String) {
    let (_, decks) = api.get("/api/v1/decks").await;
    for deck in decks.as_array().expect("decks") {
        let id = deck["id"].as_str().or(deck["deck"]["id"].as_str()).expect("deck id");
        let (_, list) = api.get(&format!("/api/v1/decks/{id}")).await;
        let open: Vec<String> = list
            .as_array()
            .expect("list")
            .iter()
            .filter(|e| e["locked"] == false)
            .map(|e| e["question"]["id"].as_str().expect("id").to_owned())
            .collect();
        if open.len() >= 2 {
            return (open[0].clone(), open[1].clone());
        }
    }
    panic!("no deck with two open questions");
}

/// A couple with some history: (Alex's API, Sam's API, the shared question, Sam's lone question).
async fn couple_with_history(app: &TestApp) -> (Api, Api, String, String) {
    let (alex, sam) = api_couple(app, "x").await;
    // Day one: both check in, so each sees the other's.
    check_in(&alex, "ALEX-HIGH-1").await;
    check_in(&sam, "SAM-HIGH-1").await;
    let (status, body) = alex
        .post("/api/v1/appreciations", json!({"kind": "gratitude", "body": "ALEX-APPRECIATION for the soup"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (shared, lone) = two_questions(&alex).await;
    answer(&alex, &shared, "ALEX-ANSWER").await;
    answer(&sam, &shared, "SAM-ANSWER").await;
    for (who, words) in [(&alex, "ALEX-RESPONSE"), (&sam, "SAM-RESPONSE")] {
        let (status, body) = put(who, &format!("/api/v1/questions/{shared}/response"), json!({"words": words})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Sam's private parts: how Sam felt, Sam's favourite, an answer Alex hasn't matched.
    let felt = json!({"understood": 2, "accepted": 3, "cared_for": 4});
    let (status, body) = put(&sam, &format!("/api/v1/questions/{shared}/felt"), felt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = put(&sam, &format!("/api/v1/questions/{shared}/favorite"), json!({"on": true})).await;
    assert!(status.is_success());
    let felt = json!({"understood": 7, "accepted": 6, "cared_for": 5});
    let (status, body) = put(&alex, &format!("/api/v1/questions/{shared}/felt"), felt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    answer(&sam, &lone, "SAM-UNREVEALED-ANSWER").await;
    // Day two: only Sam checks in, so it stays Sam's.
    app.advance_minutes(24 * 60);
    check_in(&sam, "SAM-SECRET-2").await;
    (alex, sam, shared, lone)
}

async fn my_export_holds_my_words_and_none_of_my_partners_private_parts(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam, shared, lone) = couple_with_history(&app).await;
    let files = export_of(&alex).await;
    let data = data_of(&files);
    assert_eq!((data["format"].as_str(), data["version"].as_u64()), (Some("tend-export"), Some(1)));
    assert_eq!(data["person"]["email"], "a-x@example.org");
    assert!(data["couple"]["partner"].get("email").is_none(), "the partner's email is not mine to export");

    let all = everything(&files);
    for mine in ["ALEX-HIGH-1", "ALEX-APPRECIATION", "ALEX-ANSWER", "ALEX-RESPONSE"] {
        assert!(all.contains(mine), "{mine} is in my export");
    }
    for shared_with_me in ["SAM-HIGH-1", "SAM-ANSWER", "SAM-RESPONSE"] {
        assert!(all.contains(shared_with_me), "{shared_with_me} was revealed to me");
    }
    for private in ["SAM-SECRET-2", "SAM-UNREVEALED-ANSWER"] {
        assert!(!all.contains(private), "{private} is Sam's until I answer");
    }

    // How Sam felt and Sam's favourites are nowhere; my own are there.
    let questions = data["questions"].as_array().expect("questions");
    let q = questions.iter().find(|q| q["question_id"] == shared.as_str()).expect("the shared question");
    assert_eq!(q["partner"]["state"], "revealed");
    assert_eq!(q["mine"]["felt"], json!({"understood": 7, "accepted": 6, "cared_for": 5}));
    for q in questions {
        let partner = q["partner"].as_object().expect("partner part");
        for key in ["felt", "favorite", "understood", "accepted", "cared_for"] {
            assert!(!partner.contains_key(key), "the partner's {key} is theirs alone: {q}");
        }
    }
    let l = questions.iter().find(|q| q["question_id"] == lone.as_str()).expect("Sam's lone answer is listed");
    assert_eq!((l["partner"]["state"].as_str(), &l["mine"]), (Some("waiting_for_you"), &Value::Null));
    assert!(!data.to_string().contains("\"understood\":2"), "Sam's felt rating is not in my export");

    // Check-ins: day two shows only that Sam checked in.
    let days = data["check_ins"].as_array().expect("check-ins");
    assert_eq!(days.len(), 2, "{days:?}");
    assert_eq!(days[0]["partner"], json!({"state": "waiting_for_you"}));
    assert_eq!(days[0]["mine"], Value::Null);
    assert_eq!(days[1]["partner"]["check_in"]["high"], "SAM-HIGH-1");
    assert_eq!(days[1]["mine"]["high"], "ALEX-HIGH-1");

    // The archive: an index, pages per section, and no script anywhere.
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for name in ["index.html", "check-ins-2026.html", "appreciations-2026.html", "questions.html", "practices.html"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".html")) {
        assert!(text.starts_with("<!doctype html>"), "{name}");
        assert!(!text.to_lowercase().contains("<script"), "{name} has no script");
        assert!(!text.contains(" src=\"http") && !text.contains("href=\"http"), "{name} needs no connection");
    }

    // Sam's export is Sam's view: Alex's words that were revealed, and Sam's own secret.
    let sams = everything(&export_of(&sam).await);
    assert!(sams.contains("SAM-SECRET-2") && sams.contains("SAM-UNREVEALED-ANSWER") && sams.contains("ALEX-HIGH-1"));
    assert!(!sams.contains("\"understood\":7"), "Alex's felt rating is not in Sam's export");
}

async fn my_export_matches_what_the_pages_show_me(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, _sam, _, _) = couple_with_history(&app).await;
    let data = data_of(&export_of(&alex).await);
    let browser = app.browser();
    browser.log_in("a-x@example.org", PASSWORD).await;
    let (status, history) = browser.page("/history").await;
    assert_eq!(status, StatusCode::OK);
    for day in data["check_ins"].as_array().expect("days") {
        if let Some(high) = day["mine"]["high"].as_str() {
            assert!(history.contains(high), "my check-in {high} is on my history page too");
        }
        match day["partner"]["state"].as_str() {
            Some("revealed") => {
                let high = day["partner"]["check_in"]["high"].as_str().expect("high");
                assert!(history.contains(high), "{high} shows on the history page too");
            }
            Some("waiting_for_you") => assert!(history.contains("it stays private because you didn’t that day")),
            other => panic!("unexpected partner state {other:?}"),
        }
    }
    assert!(!history.contains("SAM-SECRET-2"));
    // Questions: the same states and words as "our answers" in the API.
    let (_, ours) = alex.get("/api/v1/exchanges").await;
    let ours = ours.as_array().expect("exchanges");
    let exported = data["questions"].as_array().expect("questions");
    assert_eq!(ours.len(), exported.len());
    for e in ours {
        let id = e["question"]["id"].as_str().expect("id");
        let x = exported.iter().find(|q| q["question_id"] == id).expect("exported too");
        assert_eq!(x["partner"]["state"], e["partner_state"], "{id}");
        assert_eq!(x["partner"]["words"], e["partner_answer"], "{id}");
        assert_eq!(x["mine"]["words"].as_str(), e["my_answer"].as_str(), "{id}");
    }
    // Appreciations: what the API lists as given.
    let (_, given) = alex.get("/api/v1/appreciations?box=given").await;
    let exported = data["appreciations"].as_array().expect("appreciations");
    let given_words: Vec<&str> = given["items"]
        .as_array()
        .or(given.as_array())
        .expect("items")
        .iter()
        .map(|a| a["body"].as_str().expect("body"))
        .collect();
    for w in &given_words {
        assert!(exported.iter().any(|a| a["words"] == *w && a["direction"] == "given"), "{w}");
    }
}

async fn downloads_from_settings_and_the_api_and_nobody_else(db: TestDb) {
    let app = spawn(db).await;
    let (alex, _sam) = browser_couple(&app).await;
    let (_, settings) = alex.page("/settings").await;
    assert!(settings.contains("href=\"/settings/export\""), "Settings offers the download");
    let r = alex.get("/settings/export").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert_eq!(disposition, "attachment; filename=\"tend-export-2026-03-10.zip\"");
    let data = data_of(&unzip(&r.bytes().await.expect("body")));
    assert_eq!(data["person"]["display_name"], "Alex");
    assert_eq!(data["couple"]["partner"]["display_name"], "Sam");

    // Strangers: the page sends them to log in, the API says 401, with no archive.
    let stranger = app.browser();
    let r = stranger.get("/settings/export").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
    let r = download(&app.api()).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers()["content-type"].to_str().expect("ct").starts_with("application/problem+json"));
    let r = download(&app.api().with_token("tend_not-a-real-token")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The API documents it as a ZIP.
    let (_, doc) = app.api().get("/api/v1/openapi.json").await;
    let op = &doc["paths"]["/api/v1/export"]["get"];
    assert!(op["responses"]["200"]["content"].get("application/zip").is_some(), "{op}");
    assert!(op["responses"]["401"].is_object());
}

async fn two_exports_at_once_are_both_whole(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam, _, _) = couple_with_history(&app).await;
    let (a, b, c) = tokio::join!(export_of(&alex), export_of(&alex), export_of(&sam));
    assert_eq!(data_of(&a), data_of(&b), "the same person's two exports at the same moment are the same");
    assert_eq!(a, b);
    assert_eq!(data_of(&c)["person"]["email"], "b-x@example.org");
}

async fn after_unpairing_my_past_words_are_mine_alone(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam, _, _) = couple_with_history(&app).await;
    let (status, body) = alex.delete("/api/v1/couple").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The export of an unpaired person: their own words from the couple that ended.
    let files = export_of(&alex).await;
    let data = data_of(&files);
    assert_eq!(data["couple"], Value::Null);
    assert_eq!(data["check_ins"], json!([]));
    let past = data["past_couples"].as_array().expect("past couples");
    assert_eq!(past.len(), 1);
    assert!(past[0]["ended"].is_string());
    let all = everything(&files);
    for mine in ["ALEX-HIGH-1", "ALEX-APPRECIATION", "ALEX-ANSWER", "ALEX-RESPONSE"] {
        assert!(all.contains(mine), "{mine} is still mine");
    }
    for theirs in ["SAM-HIGH-1", "SAM-ANSWER", "SAM-RESPONSE", "SAM-SECRET-2", "SAM-UNREVEALED-ANSWER"] {
        assert!(!all.contains(theirs), "{theirs} left with Sam");
    }
    assert!(files.iter().any(|(n, _)| n == "past-words-1.html"));
    assert!(files.iter().all(|(_, t)| !t.to_lowercase().contains("<script")));

    // The page: a list, then the couple's own words, read-only.
    let browser = app.browser();
    browser.log_in("a-x@example.org", PASSWORD).await;
    let (status, list) = browser.page("/past-words").await;
    assert_eq!(status, StatusCode::OK);
    let link = attr_after(&list, "<a href=\"/past-words/").expect("a link to the past couple");
    let (status, page) = browser.page(&format!("/past-words/{link}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ALEX-HIGH-1") && page.contains("ALEX-ANSWER") && page.contains("ALEX-APPRECIATION"));
    assert!(!page.contains("SAM-"), "nothing of Sam's on my past words page");
    assert!(!page.contains("<form"), "read-only");
    let (_, pair) = browser.page("/pair").await;
    assert!(pair.contains("href=\"/past-words\""), "the pair page points to past words");

    // Sam sees Sam's own words of the same couple, and nobody else sees that couple at all.
    let sams = everything(&export_of(&sam).await);
    assert!(sams.contains("SAM-HIGH-1") && sams.contains("SAM-SECRET-2") && !sams.contains("ALEX-"));
    let stranger = app.browser();
    stranger.sign_up("Robin", "robin@example.org", None).await;
    let (status, _) = stranger.page(&format!("/past-words/{link}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = browser.page("/past-words/not-a-number").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A small JPEG with some detail in it.
fn jpeg() -> Vec<u8> {
    let image =
        image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, ((x + y) * 2) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&image).expect("encode");
    out
}

/// Uploads a photo through the API as `kind` (`pick` or `memory`); its id.
async fn upload(api: &Api, caption: &str, kind: &str) -> String {
    const BOUNDARY: &str = "tend-export-test-boundary";
    let mut body = Vec::new();
    body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend(jpeg());
    for (name, value) in [("caption", caption), ("kind", kind)] {
        body.extend(
            format!("\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}").as_bytes(),
        );
    }
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let r = api
        .req(reqwest::Method::POST, "/api/v1/photos")
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .expect("upload");
    let status = r.status();
    let photo: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    photo["id"].as_str().expect("id").to_owned()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn my_photos_are_in_my_export_and_my_waiting_pick_in_no_other(db: TestDb) {
    let app = spawn_with(db, tend_domain::Registration::Open).await;
    let (alex, sam) = api_couple(&app, "x").await;
    let pick = upload(&alex, "ALEX-PICK-CAPTION", "pick").await;
    let memory = upload(&alex, "ALEX-MEMORY-CAPTION", "memory").await;
    let (status, body) = sam
        .post(&format!("/api/v1/photos/{memory}/reply"), json!({"reaction": "love", "words": "SAM-PHOTO-REPLY"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Alex's export: both photos, as entries stored as they are and as records.
    let zip = zip_of(&alex).await;
    let all = entries(&zip);
    for id in [&pick, &memory] {
        let (_, method, jpeg) =
            all.iter().find(|(n, _, _)| *n == format!("photos/{id}.jpg")).expect("the photo's file");
        assert_eq!(*method, zip::CompressionMethod::Stored, "a JPEG is stored, not deflated");
        assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.ends_with(&[0xFF, 0xD9]), "a whole JPEG");
        image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).expect("it decodes");
    }
    let files = unzip(&zip);
    let data = data_of(&files);
    let photos = data["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 2, "{photos:?}");
    let record = |id: &str| photos.iter().find(|p| p["id"] == id).cloned().expect("a record");
    let p = record(&pick);
    assert_eq!(p["file"], format!("photos/{pick}.jpg"));
    assert_eq!((p["mine"].as_bool(), p["owner"].as_str(), p["kind"].as_str()), (Some(true), Some("me"), Some("pick")));
    assert_eq!(p["caption"], "ALEX-PICK-CAPTION");
    assert_eq!((p["width"].as_u64(), p["height"].as_u64()), (Some(64), Some(48)));
    assert!(p["created_at"].is_string());
    assert_eq!(p["shown_at"], Value::Null, "not shown yet");
    assert_eq!((&p["reaction"], &p["reply"], &p["replied_by"]), (&Value::Null, &json!(""), &Value::Null));
    let m = record(&memory);
    assert_eq!(
        (m["mine"].as_bool(), m["owner"].as_str(), m["kind"].as_str()),
        (Some(true), Some("me"), Some("memory"))
    );
    assert!(m["shown_at"].is_string(), "a memory is shown at once");
    assert_eq!(m["reaction"]["id"], "love");
    assert!(m["reaction"]["label"].is_string());
    assert_eq!((m["reply"].as_str(), m["replied_by"].as_str()), (Some("SAM-PHOTO-REPLY"), Some("partner")));
    // The pages: the photos by their relative paths, with their captions and the reply.
    let (_, page) = files.iter().find(|(n, _)| n == "photos.html").expect("photos.html");
    for id in [&pick, &memory] {
        assert!(page.contains(&format!("src=\"photos/{id}.jpg\"")), "{page}");
    }
    for words in ["ALEX-PICK-CAPTION", "ALEX-MEMORY-CAPTION", "SAM-PHOTO-REPLY"] {
        assert!(page.contains(words), "{words} on photos.html");
    }
    let (_, index) = files.iter().find(|(n, _)| n == "index.html").expect("index");
    assert!(index.contains("href=\"photos.html\""));

    // Sam's export: the memory, with Sam's own reply; Alex's waiting pick nowhere at all.
    let zip = zip_of(&sam).await;
    assert!(!contains(&zip, &pick), "the pick's id is not even in the ZIP's bytes");
    let all = entries(&zip);
    for (name, _, body) in &all {
        assert!(!name.contains(pick.as_str()) && !contains(body, &pick), "{name} says nothing of the pick");
        assert!(!contains(body, "ALEX-PICK-CAPTION"), "{name}");
    }
    let names: Vec<&str> = all.iter().map(|(n, _, _)| n.as_str()).filter(|n| n.starts_with("photos/")).collect();
    assert_eq!(names, [format!("photos/{memory}.jpg")]);
    let (_, _, jpeg) = all.iter().find(|(n, _, _)| n.starts_with("photos/")).expect("the memory");
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    let data = data_of(&unzip(&zip));
    let photos = data["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 1, "{photos:?}");
    let m = &photos[0];
    assert_eq!(m["id"], memory.as_str());
    assert_eq!((m["mine"].as_bool(), m["owner"].as_str()), (Some(false), Some("partner")));
    assert_eq!((m["caption"].as_str(), m["replied_by"].as_str()), (Some("ALEX-MEMORY-CAPTION"), Some("me")));

    // A show-and-tell begins with Alex's two picks: the first is shown, the second still waits
    // its turn. Alex's export has both; Sam's has the first only.
    let second = upload(&alex, "ALEX-SECOND-PICK", "pick").await;
    let (status, live) = alex.post("/api/v1/show-and-tell", json!({"first": "me"})).await;
    assert_eq!(status, StatusCode::CREATED, "{live}");
    assert_eq!(live["current"]["id"], pick.as_str());
    let data = data_of(&export_of(&alex).await);
    let photos = data["photos"].as_array().expect("photos");
    assert_eq!(photos.len(), 3, "{photos:?}");
    let shown = |id: &str| photos.iter().find(|p| p["id"] == id).map(|p| p["shown_at"].is_string());
    assert_eq!((shown(&pick), shown(&second), shown(&memory)), (Some(true), Some(false), Some(true)));
    let zip = zip_of(&sam).await;
    assert!(!contains(&zip, &second) && !contains(&zip, "ALEX-SECOND-PICK"), "not Sam's to see yet");
    let ids: Vec<Value> =
        data_of(&unzip(&zip))["photos"].as_array().expect("photos").iter().map(|p| p["id"].clone()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&json!(pick)) && ids.contains(&json!(memory)), "{ids:?}");
    assert!(entries(&zip).iter().any(|(n, _, _)| *n == format!("photos/{pick}.jpg")));

    // After unpairing, photos are gone with the couple: none in either export.
    let (status, body) = alex.delete("/api/v1/couple").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for api in [&alex, &sam] {
        let zip = zip_of(api).await;
        assert!(entries(&zip).iter().all(|(n, _, _)| !n.starts_with("photos/")));
        assert_eq!(data_of(&unzip(&zip))["photos"], json!([]));
    }
}

both_backends!(
    my_photos_are_in_my_export_and_my_waiting_pick_in_no_other,
    my_export_holds_my_words_and_none_of_my_partners_private_parts,
    my_export_matches_what_the_pages_show_me,
    downloads_from_settings_and_the_api_and_nobody_else,
    two_exports_at_once_are_both_whole,
    after_unpairing_my_past_words_are_mine_alone,
);
