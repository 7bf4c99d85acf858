//! Getting support and the private safety check, as a reader uses them: both pages for
//! anyone, signed in or not; the check answers with helplines whatever it is sent; and it
//! leaves nothing behind: no row, no event for the partner, no log line with an answer.

mod support;

use reqwest::StatusCode;
use std::time::Duration;
use support::*;
use tend_store::testing::TestDb;
use tend_store::{Backend, both_backends};

/// Answers as a reader would send them, with one value no form offers.
const ANSWERS: &[(&str, &str)] =
    &[("afraid", "yes"), ("hurt", "no"), ("controlled", "yes"), ("pressured", "maybe-zq7x"), ("careful", "no")];

fn quick_exit_url() -> &'static str {
    &tend_domain::support::safety().quick_exit_url
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The safety pages are never cached and never name themselves to another site.
fn assert_private(r: &reqwest::Response, what: &str) {
    assert_eq!(header(r, "cache-control"), "no-store", "{what}");
    assert_eq!(header(r, "referrer-policy"), "no-referrer", "{what}");
}

fn assert_quick_exit(html: &str, what: &str) {
    let marker = "<a class=\"quick-exit\" href=\"";
    let href = attr_after(html, marker).unwrap_or_else(|| panic!("{what}: a quick exit link"));
    assert_eq!(href, quick_exit_url(), "{what}");
    let tag_end = html[html.find(marker).expect("marker")..].find('>').expect("tag end");
    let tag = &html[html.find(marker).expect("marker")..][..tag_end];
    assert!(tag.contains("data-quick-exit") && tag.contains("rel=\"noreferrer\""), "{what}: {tag}");
    assert!(html.find(marker) < html.find("<h1"), "{what}: the quick exit comes before anything else on the page");
}

fn assert_no_inline_or_embedded(html: &str, what: &str) {
    assert!(!html.contains("<script>") && !html.contains("style=\""), "{what}: no inline script or style");
    for embed in ["<iframe", "<embed", "<object", "<img src=\"http"] {
        assert!(!html.contains(embed), "{what}: nothing embedded ({embed})");
    }
}

/// Where `needle` first appears, for checking order.
fn at(html: &str, needle: &str) -> usize {
    html.find(needle).unwrap_or_else(|| panic!("{needle} is on the page"))
}

async fn both_pages_render_for_everyone(db: TestDb) {
    let app = spawn(db).await;
    let stranger = app.browser();
    let (alex, _sam) = browser_couple(&app).await;
    for (who, b) in [("logged out", &stranger), ("logged in", &alex)] {
        let r = b.get("/support").await;
        assert_eq!(r.status(), StatusCode::OK, "{who}");
        let html = r.text().await.expect("body");
        for text in ["Couples therapy", "Relationship coaching", "Signs it may be time", "What to look for"] {
            assert!(html.contains(text), "{who}: {text}");
        }
        assert!(html.contains("about 70% of couples") || html.contains("about 70%"), "{who}: EFT outcome, with care");
        assert!(html.contains("Johnson, S. M., Hunsley, J.") && html.contains("Christensen, A."), "{who}: sources");
        assert!(html.contains("<a rel=\"noopener noreferrer\" href=\"https://iceeft.com\">"), "{who}: plain links out");
        assert!(html.contains("href=\"/support/safety\""), "{who}: the safety check is one tap away");
        assert_no_inline_or_embedded(&html, who);

        let r = b.get("/support/safety").await;
        assert_eq!(r.status(), StatusCode::OK, "{who}");
        assert_private(&r, who);
        let html = r.text().await.expect("body");
        assert_quick_exit(&html, who);
        assert!(html.contains("Do you ever feel afraid of your partner?"), "{who}");
        assert!(
            html.contains("method=\"post\" action=\"/support/safety\""),
            "{who}: answers go by POST, never in the address"
        );
        assert!(html.contains("name=\"csrf\""), "{who}");
        for field in tend_domain::support::SafetyAnswers::FIELDS {
            assert!(html.contains(&format!("name=\"{field}\" value=\"yes\"")), "{who}: {field}");
        }
        assert!(!html.contains(" required"), "{who}: no question is required");
        assert_no_inline_or_embedded(&html, who);

        for path in ["/learn", "/learn/emotional-intimacy"] {
            let (status, html) = b.page(path).await;
            assert_eq!(status, StatusCode::OK);
            assert!(html.contains("href=\"/support\"") && html.contains("href=\"/support/safety\""), "{who}: {path}");
        }
    }
}

async fn the_check_answers_with_helplines_whatever_it_is_sent(db: TestDb) {
    let app = spawn(db).await;
    let texts = tend_domain::support::safety();
    let stranger = app.browser();

    // Any "yes": the helplines, the honest advice, and the reassurance.
    let r = stranger.submit("/support/safety", "/support/safety", ANSWERS).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_private(&r, "result");
    let html = r.text().await.expect("body");
    assert_quick_exit(&html, "result");
    assert!(html.contains(&texts.results.concern.heading), "a concern");
    assert!(html.contains("generally not advised") && html.contains("Stith, S. M."), "the advice, with its citation");
    assert!(html.contains("href=\"tel:8007997233\""), "a number to tap");
    // Askama writes the `&` as `&#38;`, which the browser reads back as `&`.
    assert!(html.contains("href=\"sms:88788?&#38;body=START\""), "a text message to tap");
    assert!(html.contains("href=\"tel:116016\"") && html.contains("href=\"tel:1800737732\""));
    assert!(html.contains("https://findahelpline.com"), "the international fallback");
    assert!(html.contains(&texts.reassurance));
    assert!(!html.contains("maybe-zq7x"), "no answer is echoed back");
    assert_no_inline_or_embedded(&html, "result");
    // No zone known: the file's order, the United States first.
    assert!(at(&html, "id=\"country-US\"") < at(&html, "id=\"country-DE\""));
    assert!(!html.contains("Where you are"));

    // All "no": helplines still, gently, with the advice folded away.
    let all_no: Vec<(&str, &str)> = tend_domain::support::SafetyAnswers::FIELDS.iter().map(|f| (*f, "no")).collect();
    let (status, html) = {
        let r = stranger.submit("/support/safety", "/support/safety", &all_no).await;
        (r.status(), r.text().await.expect("body"))
    };
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&texts.results.calm.heading) && html.contains("tel:8007997233"));
    assert!(html.contains("<details class=\"safety-advice"), "the advice, folded");

    // Garbage, nothing, a broken body, the wrong kind of body: never an error, always help.
    let csrf = csrf_of(&stranger.page("/support/safety").await.1);
    let garbage = [
        ("afraid", "maybe"),
        ("hurt", "<script>alert(1)</script>"),
        ("controlled", "yes\u{0}"),
        ("zone", "../../etc/passwd"),
        ("unknown", "yes"),
    ];
    let raw_bodies = [
        format!("csrf={csrf}&afraid=%ZZ&%%%&&=&hurt"),
        format!("csrf={csrf}&afraid=yes&afraid=no&afraid=no"),
        format!("csrf={csrf}&{}", "x=y&".repeat(2000)),
    ];
    let mut responses = vec![
        stranger.post_raw("/support/safety", &csrf, &garbage).await,
        stranger.post_raw("/support/safety", &csrf, &[]).await,
        stranger
            .client
            .post(app.url("/support/safety"))
            .header("x-csrf-token", &csrf)
            .header("content-type", "application/json")
            .body("{\"afraid\": \"yes\"}")
            .send()
            .await
            .expect("post"),
    ];
    for body in raw_bodies {
        let r = stranger
            .client
            .post(app.url("/support/safety"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post");
        responses.push(r);
    }
    for (i, r) in responses.into_iter().enumerate() {
        assert_eq!(r.status(), StatusCode::OK, "case {i}");
        assert_private(&r, "garbage");
        let html = r.text().await.expect("body");
        assert!(html.contains("tel:8007997233") && html.contains("findahelpline.com"), "case {i}: helplines");
        assert!(!html.contains("<script>alert"), "case {i}: nothing echoed");
    }

    // The signed-in reader's own zone puts their country first (Alex lives in Berlin).
    let (alex, _sam) = browser_couple(&app).await;
    let html = alex.submit("/support/safety", "/support/safety", ANSWERS).await.text().await.expect("body");
    assert!(at(&html, "id=\"country-DE\"") < at(&html, "id=\"country-US\""), "Germany first for Alex");
    assert!(html.contains("Where you are"));
    // Without an account, the zone the browser offers does the same.
    let csrf = csrf_of(&stranger.page("/support/safety").await.1);
    let r = stranger.post_raw("/support/safety", &csrf, &[("zone", "Australia/Sydney"), ("afraid", "no")]).await;
    let html = r.text().await.expect("body");
    assert!(at(&html, "id=\"country-AU\"") < at(&html, "id=\"country-US\""), "Australia first");
}

/// The next event on a stream within `wait`, passing over keep-alive comments (`:`).
async fn news(stream: &mut Stream, wait: Duration) -> Option<String> {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(std::time::Instant::now())?;
        let event = stream.next_event(left).await?;
        if event.lines().any(|l| !l.is_empty() && !l.starts_with(':')) {
            return Some(event);
        }
    }
}

/// Every table of the database and its number of rows.
async fn row_counts(db: &TestDb) -> Vec<(String, i64)> {
    let sqlite = db.database.backend() == Backend::Sqlite;
    let (from, name) = if sqlite {
        ("from sqlite_master where type = 'table'", "name")
    } else {
        (
            "from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
            "table_name",
        )
    };
    // The harness answers integers only, so each name is read a character at a time.
    let char_code = if sqlite { "unicode" } else { "ascii" };
    let tables = db.scalar(&format!("select count(*) {from}")).await;
    let mut counts = Vec::new();
    for i in 0..tables {
        let row = format!("{from} order by {name} limit 1 offset {i}");
        let len = db.scalar(&format!("select cast(length({name}) as bigint) {row}")).await;
        let mut table = String::new();
        for pos in 1..=len {
            let code = db.scalar(&format!("select cast({char_code}(substr({name}, {pos}, 1)) as bigint) {row}")).await;
            table.push(char::from_u32(u32::try_from(code).expect("a character")).expect("a character"));
        }
        let rows = db.scalar(&format!("select count(*) from \"{table}\"")).await;
        counts.push((table, rows));
    }
    counts
}

async fn the_check_leaves_nothing_behind(db: TestDb) {
    let logs = capture::install();
    let probe = db.node().await;
    let app = spawn(db).await;
    let (a, b) = api_couple(&app, "safe").await;
    let reader = app.browser();
    assert_eq!(location(&reader.log_in("a-safe@example.org", "a long enough password").await), "/today");
    let csrf = csrf_of(&reader.page("/support/safety").await.1);

    let before = row_counts(&probe).await;
    assert!(before.iter().any(|(t, n)| t == "users" && *n == 2), "the census sees the couple: {before:?}");
    let sent_before = app.courier.sent().len();
    let mut partner_stream = Stream::open(&app, b.token.as_deref().expect("token")).await;

    let marker_lines = logs.count();
    for _ in 0..2 {
        let r = reader.post_raw("/support/safety", &csrf, ANSWERS).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.expect("body").contains("tel:"));
    }
    assert_eq!(reader.get("/support/safety").await.status(), StatusCode::OK);
    assert_eq!(reader.get("/support").await.status(), StatusCode::OK);

    // No row anywhere.
    assert_eq!(row_counts(&probe).await, before, "the check added or removed no row");
    // Nothing sent, and nothing reaches the partner's live events.
    assert_eq!(app.courier.sent().len(), sent_before, "no message was sent");
    assert_eq!(news(&mut partner_stream, Duration::from_millis(1500)).await, None, "no event for the partner");
    // The stream does carry real news: the first event after the check is this appreciation.
    let (status, body) = a
        .post("/api/v1/appreciations", serde_json::json!({"kind": "gratitude", "body": "thank you for the tea"}))
        .await;
    assert!(status.is_success(), "{status} {body}");
    let event = news(&mut partner_stream, Duration::from_secs(10)).await.expect("an event");
    assert!(event.contains("appreciation") && !event.contains("safety"), "{event}");

    // No log line carries an answer, while the requests themselves were seen by the logger.
    let lines = logs.since(marker_lines);
    assert!(lines.iter().any(|l| l.contains("/support/safety")), "the capture works: {} lines", lines.len());
    let everything = logs.since(0).join("\n");
    for answer in ["maybe-zq7x", "afraid", "controlled", "pressured", "careful=", "SafetyAnswers"] {
        assert!(!everything.contains(answer), "a log line carries “{answer}”");
    }
}

/// A tracing subscriber for this test binary that keeps every span and event, with all their
/// fields, at every level, so a test can read what the app would have logged.
mod capture {
    use std::fmt::Write;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);

    pub struct Logs;

    impl Logs {
        pub fn count(&self) -> usize {
            LINES.lock().expect("lock").len()
        }

        pub fn since(&self, from: usize) -> Vec<String> {
            LINES.lock().expect("lock").get(from..).unwrap_or_default().to_vec()
        }
    }

    /// Installs the capture once for the whole binary (the server runs on other threads, so a
    /// thread-local default would miss it).
    pub fn install() -> Logs {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let _ = tracing::subscriber::set_global_default(Capture);
        });
        Logs
    }

    struct Capture;

    struct Line(String);

    impl Visit for Line {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }

    fn keep(line: Line) {
        LINES.lock().expect("lock").push(line.0);
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut line = Line(format!("span {} {}:", span.metadata().target(), span.metadata().name()));
            span.record(&mut line);
            keep(line);
            Id::from_u64(NEXT_ID.fetch_add(1, Ordering::Relaxed))
        }
        fn record(&self, _: &Id, values: &Record<'_>) {
            let mut line = Line("record:".into());
            values.record(&mut line);
            keep(line);
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut line = Line(format!("event {} {}:", event.metadata().level(), event.metadata().target()));
            event.record(&mut line);
            keep(line);
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

both_backends!(
    both_pages_render_for_everyone,
    the_check_answers_with_helplines_whatever_it_is_sent,
    the_check_leaves_nothing_behind,
);
