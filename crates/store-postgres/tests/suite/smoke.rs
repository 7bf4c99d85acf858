//! The store end to end on a real PostgreSQL: connect to a fresh schema, migrate, and take a
//! person and their session there and back.

use crate::common;

use jiff::{SignedDuration, Timestamp};
use std::time::Duration;
use tend_domain::events::{Audience, CoupleEvent, EventKind, Signal};
use tend_domain::secret::Secret;
use tend_domain::store::{Access, Accounts, Gate, LiveSession, NewSession, NewUserRecord, RegisterOutcome, Upkeep};
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, StoreError};
use tend_store_postgres::{PgOptions, PgStore};

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn a_user_and_a_session_round_trip() {
    let options = common::fresh_options();
    let store = PgStore::connect(&options).await.expect("connects");
    store.migrate().await.expect("migrates");
    store.migrate().await.expect("migrating again does nothing");
    store.ping().await.expect("ping");

    // A time with microseconds is kept to the millisecond, as Tend always has.
    let now = t("2026-03-01T12:00:00.123456Z");
    let new = NewUserRecord {
        email: "a@example.org".into(),
        display_name: "A".into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    let RegisterOutcome::Created { user, couple: None } =
        store.register(&new, &Gate::FirstAccount, now).await.expect("registers")
    else {
        panic!("the first account is created")
    };
    assert_eq!(user.created_at, t("2026-03-01T12:00:00.123Z"));
    assert_eq!(
        (user.email.as_str(), user.time_zone.as_str(), user.hide_counts),
        ("a@example.org", "Europe/Berlin", false)
    );
    assert_eq!(store.user(user.id).await.expect("reads"), Some(user.clone()));
    assert!(store.is_founded().await.expect("reads"));

    let token = Secret::generate("");
    let session = NewSession {
        user_id: user.id,
        token_hash: token.hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: now + SignedDuration::from_hours(24),
    };
    let id = store.create_session(&session).await.expect("creates");
    let Some(LiveSession { session: summary, csrf_token, user: owner }) =
        store.session_by_token(&token.hash(), now).await.expect("reads")
    else {
        panic!("the session is live")
    };
    assert_eq!((summary.id, csrf_token.as_str(), owner), (id, "csrf", user.clone()));
    assert_eq!(summary.expires_at, t("2026-03-02T12:00:00.123Z"));
    let later = t("2026-03-02T12:00:00.124Z");
    assert!(store.session_by_token(&token.hash(), later).await.expect("reads").is_none(), "expired");
    assert_eq!(store.prune_sessions(later).await.expect("prunes"), 1);

    // The same database opened read-only refuses writes, and says so.
    let read_only = PgStore::connect(&PgOptions { read_only: true, ..options.clone() }).await.expect("connects");
    assert!(read_only.user(user.id).await.expect("reads").is_some());
    let refused = read_only.probe_write(now).await;
    assert!(matches!(&refused, Err(StoreError::Backend(m)) if m.contains("read-only")), "{refused:?}");
    read_only.close().await;

    common::drop_schema(&store, &options).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn events_travel_by_notify() {
    let options = common::fresh_options();
    let store = PgStore::connect(&options).await.expect("connects");
    let events = tend_store_postgres::events::for_store(&store, &options).await;
    let mut heard = events.subscribe(Audience::Couple(CoupleId(7)));
    let event = CoupleEvent { couple: CoupleId(7), kind: EventKind::CheckIn };
    // The listener connects in the background: publish until it hears, for a few seconds.
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            events.publish(event).await;
            if let Ok(Some(signal)) = tokio::time::timeout(Duration::from_millis(200), heard.recv()).await {
                return signal;
            }
        }
    })
    .await
    .expect("an event arrives");
    assert_eq!(got, Signal::Change(EventKind::CheckIn));
    common::drop_schema(&store, &options).await;
}

#[tokio::test]
async fn bad_settings_say_what_is_wrong() {
    let options = PgOptions {
        url: "postgres://postgres@127.0.0.1:5432/test".into(),
        schema: Some("no spaces; please".into()),
        read_only: false,
        max_connections: 1,
        acquire_timeout: Duration::from_secs(1),
    };
    let refused = PgStore::connect(&options).await.map(|_| ());
    assert_eq!(refused, Err(StoreError::Backend("schema names may hold only letters, digits and _".into())));
    let mysql = PgOptions { url: "mysql://localhost/x".into(), schema: None, ..options };
    assert!(PgStore::connect(&mysql).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn a_missing_database_is_named() {
    let mut options = common::fresh_options();
    options.url = match options.url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/tend_no_such_database"),
        None => panic!("the test URL names a database"),
    };
    let refused = PgStore::connect(&options).await.map(|_| ());
    assert!(matches!(&refused, Err(StoreError::Backend(m)) if m.contains("create the database first")), "{refused:?}");
}
