//! An existing database, made by migrations 0001–0006 and full of rows, upgraded by 0007:
//! every row is still there and still readable, and the new checks refuse bad values.

use crate::common;

use common::{Scratch, t};
use sqlx::SqlitePool;
use tend_domain::appreciation::{Filter, Reaction};
use tend_domain::secret::SecretHash;
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{Access, Accounts, CoupleId, Daily, Pairing, Practices, Questions, UserId};
use tend_store_sqlite::SqliteStore;

/// Every table, with how many rows the seed below puts in it.
const SEEDED: [(&str, i64); 17] = [
    ("instance", 1),
    ("couples", 2),
    ("users", 3),
    ("sessions", 2),
    ("api_tokens", 1),
    ("login_failures", 1),
    ("invites", 2),
    ("check_ins", 2),
    ("appreciations", 2),
    ("hugs", 1),
    ("conversations", 1),
    ("listenings", 1),
    ("listening_rounds", 2),
    ("ladders", 1),
    ("exchanges", 1),
    ("answers", 2),
    ("question_draws", 1),
];

/// Rows in every table that 0007 rebuilds, and in those that hang off users by cascade.
const SEED: &str = "
insert into instance (id, founded_at) values (1, 1000);
insert into couples (id, created_at, last_hug_at) values (1, 1000, 5000), (2, 1000, null);
insert into users (id, email, display_name, password_hash, time_zone, couple_id, created_at, updated_at,
                   hide_counts, today_seen_at)
values (1, 'a@example.org', 'A', 'ha', 'Europe/Berlin', 1, 1000, 1000, 1, 7000),
       (2, 'b@example.org', 'B', 'hb', 'Asia/Tokyo', 1, 1000, 1000, 0, null),
       (3, 'c@example.org', 'C', 'hc', 'UTC', null, 1000, 1000, 0, null),
       (40, 'gone@example.org', 'Gone', 'h', 'UTC', null, 1000, 1000, 0, null);
-- A person who left: their id must never be given out again.
delete from users where id = 40;
insert into sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at)
values (1, 'session-a', 'csrf-a', 'ua', '::1', 1000, 1000, 4102444800000),
       (2, 'session-b', 'csrf-b', 'ua', '::1', 1000, 1000, 4102444800000);
insert into api_tokens (user_id, name, token_hash, hint, created_at, last_used_at)
values (1, 'script', 'token-a', 'tnd_ab', 1000, 2000);
insert into login_failures (key, at) values ('ip:1', 1000);
insert into invites (inviter_id, token_hash, code_hash, created_at, expires_at, used_at, used_by)
values (1, 'invite-used', 'code-used', 1000, 9000, 2000, 2),
       (3, 'invite-open', 'code-open', 1000, 4102444800000, null, null);
insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at)
values (1, 1, '2026-01-02', 'tea', 'rain', 6, 'a walk', 1000, 1000),
       (1, 2, '2026-01-02', 'sun', 'work', 4, 'sleep', 1000, 1000);
insert into appreciations (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply,
                           reacted_at, body_folded, reply_folded)
values (1, 1, 2, 'gratitude', 'ÉCLAIR for you', null, 1000, 'hug', 'Merci', 2000, null, null),
       (1, 2, 1, 'admiration', 'So brave', 'starter-1', 1100, null, '', null, 'so brave', '');
insert into hugs (couple_id, logged_by, created_at) values (1, 1, 5000);
insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                           created_at, joined_at, first_understood, first_cared, open_slot)
values (1, 1, 1, 2, 15, 450000, 1, 1000, 1100, 6, 7, 1);
insert into listenings (id, couple_id, speaker_id, listener_id, created_at, closed_at, open_slot)
values (1, 1, 2, 1, 1000, null, 1);
insert into listening_rounds (listening_id, round, share, shared_at, reflection, feeling, reflected_at, verdict,
                              answered_at)
values (1, 1, 'I was tired', 1000, 'You were tired', 'worn', 1100, 'not-quite', 1200),
       (1, 2, 'And lonely', 1300, null, null, null, null, null);
insert into ladders (couple_id, depth, completed, ready_first, ready_second, version) values (1, 2, 3, 1, 0, 5);
insert into exchanges (id, couple_id, question_id, deck, depth, created_at, completed_at)
values (1, 1, 'q-1', 'deck', 1, 1000, null);
insert into answers (exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, responded_at,
                     felt_understood, felt_accepted, felt_cared, favorite)
values (1, 1, 'My answer', 0, 1000, 'warm', 'thank you', 1100, 5, 6, 7, 1),
       (1, 2, '', 1, 1050, null, null, null, null, null, null, 0);
insert into question_draws (couple_id, day, question_id, drawn_at) values (1, '2026-01-02', 'q-1', 1000);
";

async fn counts(pool: &SqlitePool) -> Vec<(&'static str, i64)> {
    let mut all = Vec::new();
    for (table, _) in SEEDED {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}")).fetch_one(pool).await.expect("count");
        all.push((table, n));
    }
    all
}

#[tokio::test]
async fn migration_0007_keeps_every_row_and_adds_the_checks() {
    let dir = Scratch::new();
    let store = SqliteStore::connect(&dir.options()).await.expect("connects");

    // The database as the store left it before 0007.
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before.migrations.iter().filter(|m| m.version <= 6).cloned().collect::<Vec<_>>().into();
    before.run(store.pool()).await.expect("migrations 0001-0006");
    sqlx::raw_sql(SEED).execute(store.pool()).await.expect("seed");
    assert_eq!(counts(store.pool()).await, SEEDED);

    // Run plainly, with foreign keys on, 0007 would cascade deletes: it refuses instead.
    let refused = sqlx::migrate!("./migrations").run(store.pool()).await;
    assert!(refused.as_ref().is_err_and(|e| format!("{e:?}").contains("foreign_keys_must_be_off")), "{refused:?}");
    assert_eq!(counts(store.pool()).await, SEEDED, "the refused run changed nothing");

    store.migrate().await.expect("migrates");
    assert_eq!(counts(store.pool()).await, SEEDED, "every row is still there");
    let broken: Vec<(String,)> =
        sqlx::query_as("select \"table\" from pragma_foreign_key_check").fetch_all(store.pool()).await.expect("check");
    assert!(broken.is_empty(), "{broken:?}");
    let keys: i64 = sqlx::query_scalar("select foreign_keys from pragma_foreign_keys")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(keys, 1, "foreign keys are on again for the pool");
    let mut indexes: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'index' and name not like 'sqlite_autoindex%' order by name",
    )
    .fetch_all(store.pool())
    .await
    .expect("indexes");
    indexes.sort();
    // Every index of the rebuilt tables (and the others) is there; later migrations add more.
    let missing: Vec<&str> = [
        "api_tokens_user_id",
        "appreciations_couple_created",
        "check_ins_couple_day",
        "conversations_couple_created",
        "conversations_one_open",
        "hugs_couple_created",
        "invites_inviter_id",
        "listenings_couple_created",
        "listenings_one_open",
        "login_failures_key_at",
        "question_draws_once",
        "sessions_expires_at",
        "sessions_user_id",
        "users_couple_id",
    ]
    .into_iter()
    .filter(|name| !indexes.iter().any(|i| i == name))
    .collect();
    assert!(missing.is_empty(), "indexes lost: {missing:?}");

    // Everything reads back through the store as it was written.
    let now = t("2026-01-03T00:00:00Z");
    let a = store.user(UserId(1)).await.expect("reads").expect("a");
    assert_eq!((a.hide_counts, a.couple_id, a.time_zone.as_str()), (true, Some(CoupleId(1)), "Europe/Berlin"));
    assert_eq!(store.seen_at(a.id).await.expect("reads"), Some(jiff::Timestamp::from_millisecond(7000).expect("ms")));
    let live = store.session_by_token(&SecretHash("session-a".into()), now).await.expect("reads").expect("live");
    assert_eq!((live.user.id, live.csrf_token.as_str()), (a.id, "csrf-a"));
    assert_eq!(store.api_tokens_of(a.id).await.expect("reads").len(), 1);
    // The instance's first account becomes its admin (migration 0019); no one else does.
    assert!(store.is_admin(a.id).await.expect("reads"));
    assert!(!store.is_admin(UserId(2)).await.expect("reads"));
    let used = store.invite_by_hash(&SecretHash("code-used".into())).await.expect("reads").expect("invite");
    assert!(used.used_at.is_some());
    assert!(store.open_invite_of(UserId(3), now).await.expect("reads").is_some());
    let day = jiff::civil::date(2026, 1, 2);
    let check_ins = store.check_ins_between(CoupleId(1), day, day).await.expect("reads");
    assert_eq!(check_ins.iter().map(|c| c.closeness).collect::<Vec<_>>(), [6, 4]);
    // Search itself is the vault's (tend-store): the backend lists, and the words come back.
    let found = store.appreciations(CoupleId(1), &Filter { limit: 10, ..Filter::default() }).await.expect("lists");
    let eclair: Vec<_> = found.iter().filter(|x| x.body.contains("CLAIR")).map(|x| x.reaction).collect();
    assert_eq!(eclair, [Some(Reaction::Hug)], "the old words read back");
    let talk = store.open_conversation(CoupleId(1)).await.expect("reads").expect("open");
    assert!(talk.conversation.shared_phone);
    assert_eq!(talk.conversation.first_rating.map(|r| (r.understood, r.cared_for)), Some((6, 7)));
    let listening = store.open_listening(CoupleId(1)).await.expect("reads").expect("open");
    assert_eq!(listening.rounds.len(), 2);
    let ladder = store.ladder(CoupleId(1)).await.expect("reads");
    assert_eq!(ladder, StoredLadder { depth: 2, completed: 3, ready: [true, false], version: 5 });
    let exchange = store.exchange(CoupleId(1), "q-1").await.expect("reads").expect("exchange");
    assert_eq!(
        exchange.answers.iter().map(|a| (a.passed, a.favorite)).collect::<Vec<_>>(),
        [(false, true), (true, false)]
    );
    assert_eq!(store.question_draws(CoupleId(1)).await.expect("reads").len(), 1);
    assert_eq!(store.hugs_since(CoupleId(1), t("1970-01-01T00:00:00Z")).await.expect("reads").len(), 1);

    // Ids are not given out twice, even one whose row is gone.
    let new = NewUserRecord {
        email: "d@example.org".into(),
        display_name: "D".into(),
        password_hash: "h".into(),
        time_zone: TimeZoneName::parse("UTC").expect("zone"),
    };
    let RegisterOutcome::Created { user, .. } = store.register(&new, &Gate::Open, now).await.expect("registers") else {
        panic!("not created")
    };
    assert_eq!(user.id, UserId(41));

    // The schema refuses what the store could not read.
    for bad in [
        "update users set hide_counts = 2 where id = 1",
        "update conversations set shared_phone = 2",
        "update ladders set ready_second = -1",
        "update answers set passed = 2",
        "update answers set favorite = 'yes'",
        "update appreciations set reaction = 'meh'",
        "update check_ins set day = '2026-02-30'",
        "update check_ins set day = '2026-1-2'",
        "update question_draws set day = 'tomorrow'",
    ] {
        let refused = sqlx::raw_sql(bad).execute(store.pool()).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.to_string().contains("CHECK constraint failed")),
            "{bad}: {refused:?}"
        );
    }
    // And the cascades still work, now that users was built again.
    sqlx::raw_sql("delete from users where id = 3").execute(store.pool()).await.expect("delete");
    assert_eq!(store.invite_by_hash(&SecretHash("invite-open".into())).await.expect("reads"), None);
}

/// An older binary never writes to a schema it does not know: a migration applied by a newer
/// Tend and missing from this one stops `migrate`, and so the start.
#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    let dir = Scratch::new();
    let store = SqliteStore::connect(&dir.options()).await.expect("connects");
    store.migrate().await.expect("migrates");
    let newer = SqliteStore::schema_version() + 1;
    sqlx::query(
        "insert into _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         values ($1, 'from a newer Tend', current_timestamp, 1, x'00', 0)",
    )
    .bind(newer)
    .execute(store.pool())
    .await
    .expect("a newer migration's row");
    let refused = store.migrate().await;
    assert!(refused.as_ref().is_err_and(|e| e.to_string().contains(&newer.to_string())), "{refused:?}");
}
