//! `tend copy`: a demo instance on SQLite, copied into PostgreSQL, answers every read the
//! same over HTTP, with the same master key; the copy refuses a target that is not empty.

use crate::support;

use reqwest::StatusCode;
use std::sync::Arc;
use support::*;
use tend_domain::fixtures::{self, Person};
use tend_domain::{Ctx, ManualClock};
use tend_store::Database;
use tend_store::testing;

const ALEX: Person<'static> =
    Person { name: "Alex", email: "alex@demo.tend", password: "alex-demo-password", time_zone: "Europe/Berlin" };
const SAM: Person<'static> =
    Person { name: "Sam", email: "sam@demo.tend", password: "sam-demo-password", time_zone: "Europe/Berlin" };

/// What a partner's app reads day to day, through the API.
const READS: [&str; 16] = [
    "/api/v1/me",
    "/api/v1/couple",
    "/api/v1/today",
    "/api/v1/check-ins",
    "/api/v1/check-ins/today",
    "/api/v1/appreciations",
    "/api/v1/appreciations?q=thank",
    "/api/v1/history",
    "/api/v1/conversations",
    "/api/v1/listening",
    "/api/v1/exchanges",
    "/api/v1/ladder",
    "/api/v1/questions/today",
    "/api/v1/rhythm",
    "/api/v1/reminders",
    "/api/v1/hugs",
];

async fn log_in(app: &TestApp, who: &Person<'_>) -> Api {
    let api = app.api();
    let (status, body) =
        api.post("/api/v1/auth/login", serde_json::json!({"email": who.email, "password": who.password})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    api.with_token(body["token"].as_str().expect("token"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn a_copied_instance_reads_the_same_over_http() {
    let source = testing::sqlite().await;
    let clock = Arc::new(ManualClock::new("2026-03-10T18:00:00Z".parse().expect("time")));
    let events = tend_store::events::for_database(&source.database, &source.config).await;
    let ctx = Ctx::new(source.store.clone(), clock.clone(), events, tend_domain::Policy::default());
    let us = fixtures::paired_couple(&ctx, &ALEX, &SAM, 4).await.expect("the demo couple");
    fixtures::daily_history(&ctx, &us, 21).await.expect("days");
    fixtures::practice_history(&ctx, &us, 21).await.expect("practices");
    fixtures::question_history(&ctx, &us).await.expect("questions");
    fixtures::rhythm_history(&ctx, &us).await.expect("rhythm");

    let target = testing::postgres().await;
    let (Database::Sqlite(from), Database::Postgres(to)) = (&source.database, &target.database) else {
        unreachable!("a SQLite and a PostgreSQL test database")
    };
    let copied = tend_store::copy::sqlite_to_postgres(from, to).await.expect("copies");
    assert!(copied.iter().find(|c| c.table == "check_ins").is_some_and(|c| c.rows > 20), "{copied:?}");
    assert!(copied.iter().find(|c| c.table == "data_keys").is_some_and(|c| c.rows == 2), "the keys come along");
    let again = tend_store::copy::sqlite_to_postgres(from, to).await.expect_err("a second copy is refused");
    assert!(again.to_string().contains("not empty"), "{again}");

    // The copy opens with the source's master key, and only with it.
    assert!(target.database.sealed(tend_store::MasterKey::generate()).await.is_err(), "another key is refused");
    let copy = target.node_with(source.master.clone()).await;
    // Both apps' clocks start at the moment the demo was written.
    let (before, after) = (spawn(source).await, spawn(copy).await);
    assert_eq!((before.now(), after.now()), (tend_domain::Clock::now(&*clock), tend_domain::Clock::now(&*clock)));
    for who in [&ALEX, &SAM] {
        let (a, b) = (log_in(&before, who).await, log_in(&after, who).await);
        for path in READS {
            let (sa, ja) = a.get(path).await;
            let (sb, jb) = b.get(path).await;
            assert_eq!(sa, StatusCode::OK, "{path}: {ja}");
            assert_eq!((sb, jb), (sa, ja), "{} reads {path} the same after the copy", who.name);
        }
    }
    // And the copy takes new writes, with ids after the copied ones.
    let sam = log_in(&after, &SAM).await;
    let (status, body) = sam
        .post("/api/v1/appreciations", serde_json::json!({"kind": "gratitude", "body": "Thank you for moving us."}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
