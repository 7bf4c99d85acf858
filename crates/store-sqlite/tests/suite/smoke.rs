//! Connects, migrates, and keeps a person and their session; and refuses to read back what
//! it cannot read.

use crate::common;

use common::{Scratch, t};
use tend_domain::secret::SecretHash;
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{Access, Accounts, UserId};
use tend_store_sqlite::{SqliteOptions, SqliteStore};

fn person(email: &str) -> NewUserRecord {
    NewUserRecord {
        email: email.into(),
        display_name: "Sam".into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    }
}

#[tokio::test]
async fn connects_migrates_and_round_trips_a_user_and_session() {
    let dir = Scratch::new();
    let store = SqliteStore::connect(&dir.options()).await.expect("connects");
    store.migrate().await.expect("migrates");
    store.migrate().await.expect("migrating again does nothing");

    let now = t("2026-01-01T00:00:00Z");
    let user = match store.register(&person("sam@example.org"), &Gate::FirstAccount, now).await.expect("registers") {
        RegisterOutcome::Created { user, couple: None } => user,
        other => panic!("not created: {other:?}"),
    };
    assert_eq!(store.user(user.id).await.expect("reads"), Some(user.clone()));
    assert_eq!(user.time_zone.as_str(), "Europe/Berlin");
    assert_eq!(user.created_at, now);

    let new = NewSession {
        user_id: user.id,
        token_hash: SecretHash::of("token"),
        csrf_token: "csrf".into(),
        user_agent: "test".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: t("2026-01-02T00:00:00Z"),
    };
    let id = store.create_session(&new).await.expect("session");
    let live = store.session_by_token(&SecretHash::of("token"), now).await.expect("reads").expect("live");
    assert_eq!((live.session.id, live.csrf_token.as_str(), &live.user), (id, "csrf", &user));
    assert!(store.session_by_token(&SecretHash::of("token"), new.expires_at).await.expect("reads").is_none());

    // The file is in write-ahead mode, with foreign keys on for every connection.
    let (mode, keys): (String, i64) = sqlx::query_as(
        "select (select journal_mode from pragma_journal_mode), (select foreign_keys from pragma_foreign_keys)",
    )
    .fetch_one(store.pool())
    .await
    .expect("pragmas");
    assert_eq!((mode.as_str(), keys), ("wal", 1));

    let backup = dir.path().join("copy.db");
    store.backup_to(&backup).await.expect("backs up");
    assert!(matches!(store.backup_to(&backup).await, Err(StoreError::Conflict(_))), "never overwrites");
    store.close().await;

    let copy = SqliteOptions { url: format!("sqlite://{}", backup.display()), read_only: true, ..dir.options() };
    let copy = SqliteStore::connect(&copy).await.expect("opens the copy");
    assert_eq!(copy.user(user.id).await.expect("reads").map(|u| u.email), Some("sam@example.org".into()));
    assert!(copy.set_seen_at(user.id, now).await.is_err(), "a read-only store refuses writes");
}

#[tokio::test]
async fn what_cannot_be_read_is_an_error() {
    let dir = Scratch::new();
    let store = SqliteStore::connect(&dir.options()).await.expect("connects");
    store.migrate().await.expect("migrates");
    sqlx::raw_sql(
        "insert into users (id, email, display_name, password_hash, time_zone, created_at, updated_at)
         values (1, 'a@example.org', 'A', 'h', 'Mars/Olympus', 0, 0),
                (2, 'b@example.org', 'B', 'h', 'UTC', 9223372036854775807, 0)",
    )
    .execute(store.pool())
    .await
    .expect("insert");
    for id in [1, 2] {
        let read = store.user(UserId(id)).await;
        assert!(matches!(&read, Err(StoreError::Backend(m)) if m.contains("unreadable")), "{id}: {read:?}");
    }
}

#[tokio::test]
async fn says_why_a_file_cannot_be_opened() {
    let dir = Scratch::new();
    let not_a_database = dir.path().join("notes.txt");
    std::fs::write(&not_a_database, "x".repeat(4096)).expect("write");
    let options = SqliteOptions { url: format!("sqlite://{}", not_a_database.display()), ..dir.options() };
    let Err(StoreError::Backend(message)) = SqliteStore::connect(&options).await else { panic!("opened") };
    assert!(message.contains("not a SQLite database"), "{message}");

    let missing = SqliteOptions { url: format!("sqlite://{}/nowhere/tend.db", dir.path().display()), ..dir.options() };
    let Err(StoreError::Backend(message)) = SqliteStore::connect(&missing).await else { panic!("opened") };
    assert!(message.contains("cannot be opened"), "{message}");
}
