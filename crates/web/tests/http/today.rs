//! Today for a new couple: one next step at the top, a first week that suggests one practice a
//! day, the partner's time only when it differs, and forms that open when they are next.

use crate::support;

use reqwest::StatusCode;
use serde_json::json;
use support::*;
use tend_store::both_backends;
use tend_store::testing::TestDb;

async fn today_says_what_is_next_through_the_first_week(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = api_couple(&app, "next").await;
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!(today["next"]["step"], "check-in", "{today}");
    assert_eq!(today["guide"]["day"], 1);
    assert_eq!(today["guide"]["practice"], "check-in");

    // Sam checks in: Alex's next step is the check-in Sam is waiting for.
    let (status, _) =
        sam.call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "tea", "closeness": 5}))).await;
    assert!(status.is_success());
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!(today["next"]["step"], "check-in-partner-waiting");
    let (status, _) = alex
        .call(reqwest::Method::PUT, "/api/v1/check-ins/today", Some(json!({"high": "a walk", "closeness": 6})))
        .await;
    assert!(status.is_success());
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!(today["next"]["step"], "appreciate");

    // A nudge from Sam about a hug comes first, until the day is over.
    let (status, _) = sam.post("/api/v1/nudges", json!({"practice": "hug"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!((today["next"]["step"].as_str(), today["next"]["practice"].as_str()), (Some("nudged"), Some("hug")));

    // The next day, the guide suggests day 2; Alex puts it away, Sam still sees it.
    app.advance_minutes(24 * 60);
    let (_, today) = alex.get("/api/v1/today").await;
    assert_eq!(today["guide"]["day"], 2, "{today}");
    let (status, _) = alex.delete("/api/v1/today/guide").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, today) = alex.get("/api/v1/today").await;
    assert!(today["guide"].is_null());
    let (_, today) = sam.get("/api/v1/today").await;
    assert_eq!(today["guide"]["day"], 2);
    // After the first week, no guide.
    app.advance_minutes(7 * 24 * 60);
    let (_, today) = sam.get("/api/v1/today").await;
    assert!(today["guide"].is_null());
}

async fn the_page_leads_with_one_card_and_opens_only_that_form(db: TestDb) {
    let app = spawn(db).await;
    let (alex, sam) = browser_couple(&app).await;
    let (status, html) = alex.page("/today").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Next for you") && html.contains("Start with your check-in"), "{html}");
    assert!(html.contains("Your first week · day 1 of 7"));
    // Both in the same zone: no line about the other's time, and no raw zone names.
    assert!(!html.contains("for Sam in"));
    assert!(!html.contains("America/"));
    // The check-in form is open (it is next); the appreciation form waits, closed.
    assert!(html.contains("<details class=\"form-details\" open>"), "the check-in form is open");
    assert!(html.contains("<details class=\"form-details\" id=\"appreciate\">"), "the appreciation form is closed");

    // Sam moves to Tokyo: Alex sees Sam's time and place, by its name.
    let r = sam
        .submit(
            "/settings",
            "/settings/profile",
            &[("display_name", "Sam"), ("email", "sam@example.org"), ("time_zone", "Asia/Tokyo")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = alex.page("/today").await;
    assert!(html.contains("for Sam in Tokyo"), "{html}");

    // Putting the guide away (a form, so it redirects).
    let r = alex.submit("/today", "/today/guide/hide", &[]).await;
    assert_eq!(location(&r), "/today?done=guide-hidden");
    let (_, html) = alex.page("/today").await;
    assert!(!html.contains("Your first week"));
}

both_backends!(today_says_what_is_next_through_the_first_week, the_page_leads_with_one_card_and_opens_only_that_form,);
