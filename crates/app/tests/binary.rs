//! The `tend` binary as a host runs it: zero-config SQLite, the CLI tools, graceful
//! shutdown, and several nodes sharing one PostgreSQL.

use reqwest::StatusCode;
use serde_json::json;
use std::path::Path;

mod support;

use support::*;

#[tokio::test]
async fn zero_config_sqlite_with_demo_reset_and_backup() {
    tend_store::testing::require_postgres_under_ci();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let (ok, out, err) = tend(&data, &["migrate"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"));
    assert!(data.join("tend.db").exists(), "one database file in the data folder");

    let (ok, out, err) = tend(&data, &["demo"], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("alex@demo.tend") && out.contains("sam@demo.tend"), "{out}");
    let (ok, out, _) = tend(&data, &["demo"], &[]);
    assert!(ok && out.contains("already"), "demo is repeatable: {out}");

    let (ok, out, err) = tend(&data, &["user", "reset-password", "Alex@Demo.Tend"], &[]);
    assert!(ok, "{err}");
    let password = out.lines().next().and_then(|l| l.rsplit(": ").next()).expect("password printed").to_owned();
    assert_eq!(password.len(), 16);
    let (ok, _, err) = tend(&data, &["user", "reset-password", "nobody@example.org"], &[]);
    assert!(!ok && err.contains("no account"), "{err}");

    // Admins: the founding account from the start, and whoever the host names.
    let (ok, out, err) = tend(&data, &["user", "admin", "Sam@demo.tend"], &[]);
    assert!(ok && out.contains("Sam (sam@demo.tend) is an admin"), "{out} {err}");
    let (ok, out, err) = tend(&data, &["user", "admin", "sam@demo.tend", "--remove"], &[]);
    assert!(ok && out.contains("is no longer an admin"), "{out} {err}");
    let (ok, out, err) = tend(&data, &["user", "admin", "alex@demo.tend", "--remove"], &[]);
    assert!(ok && out.contains("Alex (alex@demo.tend) is no longer an admin"), "the founder's too: {out} {err}");
    let (ok, _, err) = tend(&data, &["user", "admin", "alex@demo.tend"], &[]);
    assert!(ok, "{err}");
    let (ok, _, err) = tend(&data, &["user", "admin", "nobody@example.org"], &[]);
    assert!(!ok && err.contains("no account"), "{err}");

    let node = Node::start(&data, &[]);
    let health = reqwest::get(format!("{}/healthz", node.base)).await.expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    // The health check a container or supervisor runs, with no HTTP client of its own.
    let addr = node.base.trim_start_matches("http://").to_owned();
    let (ok, out, err) = tend(&data, &["healthcheck"], &[("TEND_ADDR", addr.as_str())]);
    assert!(ok && out.contains("healthy"), "{out} {err}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").to_string();
    let (ok, _, err) = tend(&data, &["healthcheck"], &[("TEND_ADDR", closed.as_str())]);
    assert!(!ok && err.contains("nothing answers"), "{err}");
    let (status, login) =
        post(&node.base, "/api/v1/auth/login", None, json!({"email": "alex@demo.tend", "password": password})).await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let token = login["token"].as_str().expect("token");
    let (_, couple) = get(&node.base, "/api/v1/couple", token).await;
    assert_eq!(couple["partner"]["display_name"].as_str(), Some("Sam"));
    let since: jiff::Timestamp = couple["since"].as_str().expect("since").parse().expect("timestamp");
    assert!(jiff::Timestamp::now().duration_since(since).as_hours() >= 24 * 27, "a few weeks of history");

    // An online backup while serving, which opens as a database of its own.
    let backup = dir.path().join("backup.db");
    let (ok, out, err) = tend(&data, &["backup", backup.to_str().expect("utf8")], &[]);
    assert!(ok, "{err}");
    assert!(out.contains("Backed up"));
    // The demo's photos go beside it, still sealed: six photos of three sizes each.
    let photo_files: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path().join("backup.db.photos/photos"))
        .expect("the photos beside the backup")
        .flat_map(|d| std::fs::read_dir(d.expect("entry").path()).expect("a photo's folder"))
        .map(|f| f.expect("file").path())
        .collect();
    assert_eq!(photo_files.len(), 18, "{out}");
    assert!(out.contains("Copied 18 photo files"), "{out}");
    for file in &photo_files {
        let bytes = std::fs::read(file).expect("read");
        assert!(bytes.len() > 1_000 && !bytes.starts_with(&[0xFF, 0xD8]), "sealed, not a plain JPEG: {file:?}");
    }
    let (ok, _, err) = tend(&data, &["backup", backup.to_str().expect("utf8")], &[]);
    assert!(!ok && err.contains("already exists"), "never overwrites: {err}");
    let restored = dir.path().join("restored");
    std::fs::create_dir_all(&restored).expect("dir");
    std::fs::copy(&backup, restored.join("tend.db")).expect("copy");
    // A backup's words are sealed: without the master key, Tend refuses to start on it.
    let (ok, _, err) = tend(&restored, &["demo"], &[]);
    assert!(!ok && err.contains("master key is missing"), "{err}");
    assert!(!restored.join("master.key").exists(), "and makes no new key");
    let key = std::fs::read_to_string(data.join("master.key")).expect("the key file");
    let (ok, _, err) =
        tend(&restored, &["demo"], &[("TEND_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]);
    assert!(!ok && err.contains("not the one"), "a wrong key is refused: {err}");
    let (ok, out, err) = tend(&restored, &["demo"], &[("TEND_MASTER_KEY", key.trim())]);
    assert!(ok && out.contains("already"), "the copy holds the demo couple: {out} {err}");
    #[cfg(unix)]
    {
        // Whatever the umask of whoever started it, what Tend writes is its owner's alone.
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).expect("written").permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700, "the data folder");
        for file in ["master.key", "tend.db", "tend.db-wal"] {
            assert_eq!(mode(&data.join(file)), 0o600, "{file}");
        }
        assert_eq!(mode(&backup), 0o600, "the backup");
        assert_eq!(mode(&dir.path().join("backup.db.photos")), 0o700, "the photos beside the backup");
        for file in &photo_files {
            assert_eq!(mode(file), 0o600, "{file:?}");
        }
        // A data folder an earlier version left open is closed at the next start.
        std::fs::set_permissions(&restored, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let (ok, _, err) = tend(&restored, &["migrate"], &[("TEND_MASTER_KEY", key.trim())]);
        assert!(ok, "{err}");
        assert_eq!(mode(&restored), 0o700, "tightened");
    }
    let (ok, out, err) = tend(&data, &["keys", "rotate"], &[]);
    assert!(ok && out.contains("Rotated: 2 data key(s)"), "{out} {err}");
    assert_ne!(std::fs::read_to_string(data.join("master.key")).expect("key"), key, "a new key");
    // The running node reads the rotated key file when it meets a rewrapped key.
    let (status, login) =
        post(&node.base, "/api/v1/auth/login", None, json!({"email": "alex@demo.tend", "password": password})).await;
    assert_eq!(status, StatusCode::CREATED, "{login}");
    let (status, today) = get(&node.base, "/api/v1/check-ins", login["token"].as_str().expect("token")).await;
    assert_eq!(status, StatusCode::OK, "{today}");

    assert!(node.stop(), "SIGTERM shuts down gracefully with exit code 0");
}

#[test]
fn bad_configuration_is_explained() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_REGISTRATION", "sometimes")]);
    assert!(!ok && err.contains("TEND_REGISTRATION"), "{err}");
    let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_DATABASE_URL", "mysql://x")]);
    assert!(!ok && err.contains("sqlite: or postgres:"), "{err}");
    let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_BASE_URL", "tend.example.org")]);
    assert!(!ok && err.contains("TEND_BASE_URL"), "{err}");
    for minute in ["0", "61", "fast"] {
        let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_CONVERSATION_MINUTE_SECONDS", minute)]);
        assert!(!ok && err.contains("TEND_CONVERSATION_MINUTE_SECONDS"), "{minute}: {err}");
    }
    let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_CONVERSATION_MINUTE_SECONDS", "1")]);
    assert!(ok, "{err}");
    for (var, bad) in [
        ("TEND_TRUST_PROXY", "treu"),
        ("TEND_LOG_FORMAT", "jsn"),
        ("TEND_LOG", "infoo"),
        ("TEND_LOG", "tend=loud"),
        ("TEND_PUSH_ALLOW_PRIVATE", "maybe"),
    ] {
        let (ok, _, err) = tend(dir.path(), &["serve"], &[(var, bad)]);
        assert!(!ok && err.contains(var) && err.contains(bad), "{var}={bad} is refused, not replaced: {err}");
    }
    let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_TRUST_PROXY", "sometimes")]);
    assert!(!ok && err.contains("TEND_TRUST_PROXY") && err.contains("number of proxies"), "{err}");
    for hops in ["true", "false", "2"] {
        let (ok, _, err) = tend(dir.path(), &["migrate"], &[("TEND_TRUST_PROXY", hops)]);
        assert!(ok, "{hops}: {err}");
    }
}

#[tokio::test]
async fn metrics_on_their_own_address_only() {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let node = Node::start(&dir.path().join("data"), &[("TEND_METRICS_ADDR", metrics_addr.as_str())]);
    let client = reqwest::Client::new();
    for path in ["/healthz", "/login", "/nothing-here"] {
        client.get(format!("{}{path}", node.base)).send().await.expect("a request");
    }
    let public = client.get(format!("{}/metrics", node.base)).send().await.expect("public /metrics");
    assert_eq!(public.status(), StatusCode::NOT_FOUND, "never on the public address");
    let text = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .expect("/metrics")
        .text()
        .await
        .expect("text");
    for line in [
        r#"tend_http_requests_total{method="GET",route="/login",status="200"} 1"#,
        r#"tend_http_requests_total{method="GET",route="(no route)",status="404"} 2"#,
        r#"tend_http_request_duration_seconds_bucket{route="/healthz",le="#,
        r#"tend_db_connections{state="open"}"#,
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(node.stop());
}

#[test]
fn help_lists_every_setting_and_config_masks_secrets() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [&["--help"][..], &["serve", "--help"]] {
        let (ok, out, err) = tend(dir.path(), args, &[]);
        assert!(ok, "{err}");
        for var in ["TEND_DATA_DIR", "TEND_DATABASE_URL", "TEND_TRUST_PROXY", "TEND_SMTP_URL", "TEND_MEDIA_URL"] {
            assert!(out.contains(var), "{args:?} lists {var}: {out}");
        }
        assert!(out.contains("[default: 127.0.0.1:8080"), "{out}");
    }
    let (ok, out, err) = tend(
        dir.path(),
        &["config"],
        &[
            ("TEND_DATABASE_URL", "postgres://tend:hunter2@db.example.org/tend"),
            ("TEND_SMTP_URL", "smtps://me:mailsecret@mail.example.org"),
            ("TEND_SMTP_FROM", "Tend <tend@example.org>"),
            ("TEND_MASTER_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            ("TEND_REGISTRATION", "open"),
        ],
    );
    assert!(ok, "{err}");
    assert!(!out.contains("hunter2") && !out.contains("mailsecret") && !out.contains("AAAAAAAA"), "{out}");
    assert!(out.contains("postgres://tend:***@db.example.org/tend") && out.contains("TEND_MASTER_KEY"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("TEND_REGISTRATION") && l.ends_with("open")), "{out}");
}

/// Two nodes on one PostgreSQL behave as one instance.
#[tokio::test]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn two_nodes_on_one_postgres_serve_one_couple() {
    let db = tend_store::testing::postgres().await;
    let schema = db.config.schema.clone().expect("schema");
    let dir = tempfile::tempdir().expect("dir");
    let env = [("TEND_DATABASE_URL", db.config.url.as_str()), ("TEND_DATABASE_SCHEMA", schema.as_str())];
    let one = Node::start(dir.path(), &env);
    let two = Node::start(dir.path(), &env);

    // Alex signs up on node one and invites; Sam joins through node two.
    let (status, alex) = post(&one.base, "/api/v1/auth/signup", None, json!({"display_name": "Alex", "email": "alex@example.org", "password": "a long enough password", "time_zone": "Europe/Berlin"})).await;
    assert_eq!(status, StatusCode::CREATED, "{alex}");
    let alex = alex["token"].as_str().expect("token").to_owned();
    let (_, invite) = post(&one.base, "/api/v1/invites", Some(&alex), json!({})).await;
    let (status, sam) = post(&two.base, "/api/v1/auth/signup", None, json!({"display_name": "Sam", "email": "sam@example.org", "password": "a long enough password", "time_zone": "Asia/Tokyo", "invite": invite["code"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{sam}");
    let sam = sam["token"].as_str().expect("token").to_owned();

    // A change made through one node is seen through the other.
    let (_, today) = get(&one.base, "/api/v1/today", &alex).await;
    assert_eq!(today["partner"]["display_name"].as_str(), Some("Sam"));
    let r = reqwest::Client::new()
        .patch(format!("{}/api/v1/me", two.base))
        .bearer_auth(&sam)
        .json(&json!({"display_name": "Samira"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, today) = get(&one.base, "/api/v1/today", &alex).await;
    assert_eq!(today["partner"]["display_name"].as_str(), Some("Samira"));

    // A browser session made on one node works on the other, CSRF token and all.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login_page = browser.get(format!("{}/login", one.base)).send().await.expect("get").text().await.expect("body");
    let csrf = between(&login_page, "name=\"csrf\" value=\"");
    let r = browser
        .post(format!("{}/login", one.base))
        .form(&[("csrf", csrf.as_str()), ("email", "alex@example.org"), ("password", "a long enough password")])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = {
        use reqwest::cookie::CookieStore;
        let header = jar.cookies(&one.base.parse().expect("url")).expect("cookies");
        header
            .to_str()
            .expect("ascii")
            .split("; ")
            .find_map(|c| c.strip_prefix("tend_session="))
            .expect("session cookie")
            .to_owned()
    };
    let other = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let settings = other
        .get(format!("{}/settings", two.base))
        .header("cookie", format!("tend_session={session}"))
        .send()
        .await
        .expect("get");
    assert_eq!(settings.status(), StatusCode::OK);
    let html = settings.text().await.expect("body");
    let csrf = between(&html, "name=\"csrf\" value=\"");
    let r = other
        .post(format!("{}/settings/tokens", two.base))
        .header("cookie", format!("tend_session={session}"))
        .form(&[("csrf", csrf.as_str()), ("name", "made on node two")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "made, then shown on the page it leads to");
    let (_, tokens) = get(&one.base, "/api/v1/tokens", &alex).await;
    assert!(tokens.as_array().expect("list").iter().any(|t| t["name"] == "made on node two"));

    // A live event raised on node one reaches a stream open on node two (LISTEN/NOTIFY).
    let mut stream = reqwest::Client::new()
        .get(format!("{}/api/v1/events", two.base))
        .bearer_auth(&alex)
        .send()
        .await
        .expect("events");
    assert_eq!(stream.status(), StatusCode::OK);
    let mut seen = String::new();
    while !seen.contains("event: ready") {
        seen.push_str(&String::from_utf8_lossy(&stream.chunk().await.expect("chunk").expect("open")));
    }
    let started = std::time::Instant::now();
    let (status, _) =
        post(&one.base, "/api/v1/appreciations", Some(&sam), json!({"kind": "gratitude", "body": "across nodes"}))
            .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut seen = String::new();
    while !seen.contains("appreciation") {
        let chunk =
            tokio::time::timeout(std::time::Duration::from_secs(2), stream.chunk()).await.expect("event in time");
        seen.push_str(&String::from_utf8_lossy(&chunk.expect("chunk").expect("open")));
    }
    eprintln!("cross-node live event after {:?}", started.elapsed());
    assert!(!seen.contains("across nodes"), "events carry no content");

    // Log-in throttling counts failures from both nodes together.
    for i in 0..5 {
        let node = if i % 2 == 0 { &one.base } else { &two.base };
        let (status, _) =
            post(node, "/api/v1/auth/login", None, json!({"email": "sam@example.org", "password": "wrong guess"}))
                .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = post(
        &one.base,
        "/api/v1/auth/login",
        None,
        json!({"email": "sam@example.org", "password": "a long enough password"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    assert!(one.stop() && two.stop(), "both shut down gracefully");
}

/// Two nodes on one PostgreSQL send a due reminder once: both plan it the moment they start,
/// and only one claims it. The push goes to a push service of the test's own on loopback,
/// allowed only because this test turns on `TEND_PUSH_ALLOW_PRIVATE`.
#[tokio::test]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn two_nodes_send_a_reminder_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let push_service = axum::Router::new().route(
        "/push/{device}",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let push_addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, push_service).await.expect("push service") });

    let db = tend_store::testing::postgres().await;
    let schema = db.config.schema.clone().expect("schema");
    let dir = tempfile::tempdir().expect("dir");
    let env = [
        ("TEND_DATABASE_URL", db.config.url.as_str()),
        ("TEND_DATABASE_SCHEMA", schema.as_str()),
        ("TEND_PUSH_ALLOW_PRIVATE", "true"),
    ];
    // A zone where it is around midday now, so the check-in agreed for this very minute is
    // due, and stays useful, whenever the test runs.
    let utc_hour = i32::from(jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).hour());
    let offset = (12 - utc_hour).clamp(-12, 12);
    let zone = if offset == 0 { "Etc/GMT".to_owned() } else { format!("Etc/GMT{:+}", -offset) };
    let local_now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(&zone).expect("zone"));

    let setup = Node::start(dir.path(), &env);
    let (status, alex) = post(&setup.base, "/api/v1/auth/signup", None, json!({"display_name": "Alex", "email": "alex@example.org", "password": "a long enough password", "time_zone": zone})).await;
    assert_eq!(status, StatusCode::CREATED, "{alex}");
    let alex = alex["token"].as_str().expect("token").to_owned();
    let (_, invite) = post(&setup.base, "/api/v1/invites", Some(&alex), json!({})).await;
    let (status, sam) = post(&setup.base, "/api/v1/auth/signup", None, json!({"display_name": "Sam", "email": "sam@example.org", "password": "a long enough password", "time_zone": zone, "invite": invite["code"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{sam}");
    let sam = sam["token"].as_str().expect("token").to_owned();
    let at = local_now.strftime("%H:%M").to_string();
    let (status, body) = post(&setup.base, "/api/v1/rhythm/plan/check-in", Some(&alex), json!({"at": at})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = post(&setup.base, "/api/v1/rhythm/plan/check-in/accept", Some(&sam), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let r = reqwest::Client::new()
        .put(format!("{}/api/v1/reminders", setup.base))
        .bearer_auth(&alex)
        .json(&json!({"quiet_from": "00:00", "quiet_until": "00:00", "wanted": [{"practice": "check-in", "channel": "push"}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::OK);
    // A real browser key pair's public half, as a browser would send it.
    let device_key = tend_courier::VapidKeys::generate().public_key();
    let (status, body) = post(&setup.base, "/api/v1/reminders/devices", Some(&alex), json!({"endpoint": format!("http://{push_addr}/push/alex"), "keys": {"p256dh": device_key, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The setup node planned before any of this existed; it stops before its next round.
    assert!(setup.stop());

    // Two nodes start at once; each plans and sends as it starts.
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let (dir, env) = (dir.path().to_owned(), env.map(|(k, v)| (k.to_owned(), v.to_owned())));
            std::thread::spawn(move || {
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                Node::start(&dir, &env)
            })
        })
        .collect();
    let nodes: Vec<Node> = starts.into_iter().map(|t| t.join().expect("node")).collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while received.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Time for a second send, were there one.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(received.load(Ordering::SeqCst), 1, "the reminder reached the push service exactly once");
    for node in nodes {
        assert!(node.stop());
    }
}

fn between(html: &str, marker: &str) -> String {
    let start = html.find(marker).expect("marker") + marker.len();
    html[start..].split('"').next().expect("value").to_owned()
}
