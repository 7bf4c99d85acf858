//! `tend demo --couples N --days D --tokens FILE`, as a benchmark runs it: the throughput
//! line, a token per account in order that works over HTTP, the password of the demo for every
//! account, and a second run that refuses and adds nothing.

use reqwest::StatusCode;
use serde_json::json;

mod support;

use support::*;

#[tokio::test]
async fn scale_couples_with_tokens_for_benchmarks() {
    tend_store::testing::require_postgres_under_ci();
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let file = dir.path().join("tokens.txt");
    let tokens_arg = file.to_str().expect("a UTF-8 path");
    let args = ["demo", "--couples", "2", "--days", "5", "--tokens", tokens_arg];
    let (ok, out, err) = tend(&data, &args, &[]);
    assert!(ok, "{err}");
    let line = out.lines().find(|l| l.starts_with("rows=")).expect("the throughput line");
    let fields: Vec<(&str, f64)> = line
        .split(' ')
        .map(|f| f.split_once('=').expect("name=value"))
        .map(|(k, v)| (k, v.parse().expect("a number")))
        .collect();
    assert_eq!(fields.iter().map(|f| f.0).collect::<Vec<_>>(), ["rows", "seconds", "rows_per_s"]);
    assert!(fields[0].1 >= 2.0 * 10.0, "{line}");
    assert!(out.contains("c000000-a@scale.tend") && out.contains("alex-demo-password"), "{out}");

    let tokens: Vec<String> =
        std::fs::read_to_string(&file).expect("the token file").lines().map(str::to_owned).collect();
    assert_eq!(tokens.len(), 4);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner reads the tokens");
    }

    // A second run refuses, and leaves the token file as it was.
    let (ok, _, err) = tend(&data, &args, &[]);
    assert!(!ok && err.contains("already"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).expect("the token file").lines().count(), 4);

    let node = Node::start(&data, &[]);
    for (i, token) in tokens.iter().enumerate() {
        let (status, me) = get(&node.base, "/api/v1/me", token).await;
        assert_eq!(status, StatusCode::OK, "token {i}: {me}");
        let expected = format!("c{:06}-{}@scale.tend", i / 2, if i % 2 == 0 { 'a' } else { 'b' });
        assert_eq!(me["email"], json!(expected));
        let (status, history) = get(&node.base, "/api/v1/history", token).await;
        assert_eq!(status, StatusCode::OK, "{history}");
        assert!(history["days"].as_array().is_some_and(|d| !d.is_empty()), "{history}");
    }
    // Every second partner logs in with the demo's second password.
    let login = json!({"email": "c000001-b@scale.tend", "password": "sam-demo-password"});
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", node.base))
        .json(&login)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::CREATED, "the demo's password opens every second partner's account");
}
