//! Upgrading a database made by the old store: migrations 0001–0006 kept times as Unix
//! milliseconds, yes/no as 0 or 1 and days as text. Migration 0007 must turn every one of them
//! into the same value in its native type, losing nothing.

use crate::common;

use jiff::Timestamp;
use jiff::civil::date;
use std::borrow::Cow;
use tend_domain::appreciation::{Filter, Reaction};
use tend_domain::conversation::Rating;
use tend_domain::listening::Verdict;
use tend_domain::questions::exchange::Felt;
use tend_domain::store::{Accounts, Admin, Daily, Practices, Questions, StoredLadder};
use tend_domain::{AppreciationId, ConversationId, CoupleId, ExchangeId, ListeningId, UserId};
use tend_store_postgres::PgStore;

/// 2026-01-01T00:00:00.001Z in milliseconds; each time column gets its own offset from it.
const BASE: i64 = 1_767_225_600_001;

fn ms(n: i64) -> Timestamp {
    Timestamp::from_millisecond(n).expect("in range")
}

/// Rows in every table that migration 0007 converts, written as the old store wrote them.
const OLD_ROWS: &str = "
insert into instance (id, founded_at) values (1, 1767225600001);
insert into couples (created_at, ended_at, last_hug_at) values (1767225600002, null, 1767225600003);
insert into couples (created_at, ended_at, last_hug_at) values (-1, 253402207199999, null);
insert into users (email, display_name, password_hash, time_zone, couple_id, created_at, updated_at, hide_counts,
                   today_seen_at)
values ('a@example.org', 'A', 'h', 'Europe/Berlin', 1, 1767225600004, 1767225600005, 1, 1767225600006),
       ('b@example.org', 'B', 'h', 'Asia/Tokyo', 1, 1767225600007, 1767225600008, 0, null);
insert into sessions (user_id, token_hash, csrf_token, user_agent, ip, created_at, last_seen_at, expires_at)
values (1, 's', 'c', 'ua', 'ip', 1767225600009, 1767225600010, 1767225600011);
insert into api_tokens (user_id, name, token_hash, hint, created_at, last_used_at)
values (1, 'n', 't', 'h', 1767225600012, 1767225600013);
insert into login_failures (key, at) values ('k', 1767225600014);
insert into invites (inviter_id, token_hash, code_hash, created_at, expires_at, used_at, used_by)
values (1, 'it', 'ic', 1767225600015, 1767225600016, 1767225600017, 2);
insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at)
values (1, 1, '2024-02-29', 'hi', 'lo', 7, 'need', 1767225600018, 1767225600019);
insert into appreciations (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply,
                           reacted_at)
values (1, 1, 2, 'respect', 'An ÉCLAIR for you', null, 1767225600020, 'hug', 'Merci', 1767225600021);
insert into hugs (couple_id, logged_by, created_at) values (1, 1, 1767225600022);
insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                           created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared,
                           second_understood, second_cared, cancelled_at, open_slot)
values (1, 1, 1, 2, 15, 900000, 1, 1767225600023, 1767225600024, 1767225600025, 1767225600026, 6, 7, 5, 4,
        1767225600027, null),
       (1, 2, 2, 1, 10, 600000, 0, 1767225600028, null, null, null, null, null, null, null, null, 1);
insert into listenings (couple_id, speaker_id, listener_id, created_at, closed_at, open_slot)
values (1, 1, 2, 1767225600029, 1767225600030, null), (1, 2, 1, 1767225600031, null, 1);
insert into listening_rounds (listening_id, round, share, shared_at, reflection, feeling, reflected_at, verdict,
                              answered_at)
values (1, 1, 'share', 1767225600032, 'heard', 'calm', 1767225600033, 'got-it', 1767225600034);
insert into ladders (couple_id, depth, completed, ready_first, ready_second, version) values (1, 2, 3, 1, 0, 9);
insert into exchanges (couple_id, question_id, deck, depth, created_at, completed_at)
values (1, 'q1', 'deck', 1, 1767225600035, 1767225600036);
insert into answers (exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, responded_at,
                     felt_understood, felt_accepted, felt_cared, favorite)
values (1, 1, 'mine', 0, 1767225600037, 'r', 'words', 1767225600038, 5, 6, 7, 1),
       (1, 2, '', 1, 1767225600039, null, null, null, null, null, null, 0);
insert into question_draws (couple_id, day, question_id, drawn_at) values (1, '1999-12-31', 'q1', 1767225600040);
insert into health (id, checked_at) values (1, 1767225600041);
";

/// Every time column, in the order of its offset from `BASE`, with the row it is read from.
const TIMES: &[(&str, &str, &str)] = &[
    ("instance", "founded_at", "id = 1"),
    ("couples", "created_at", "id = 1"),
    ("couples", "last_hug_at", "id = 1"),
    ("users", "created_at", "id = 1"),
    ("users", "updated_at", "id = 1"),
    ("users", "today_seen_at", "id = 1"),
    ("users", "created_at", "id = 2"),
    ("users", "updated_at", "id = 2"),
    ("sessions", "created_at", "true"),
    ("sessions", "last_seen_at", "true"),
    ("sessions", "expires_at", "true"),
    ("api_tokens", "created_at", "true"),
    ("api_tokens", "last_used_at", "true"),
    ("login_failures", "at", "true"),
    ("invites", "created_at", "true"),
    ("invites", "expires_at", "true"),
    ("invites", "used_at", "true"),
    ("check_ins", "created_at", "true"),
    ("check_ins", "updated_at", "true"),
    ("appreciations", "created_at", "true"),
    ("appreciations", "reacted_at", "true"),
    ("hugs", "created_at", "true"),
    ("conversations", "created_at", "id = 1"),
    ("conversations", "joined_at", "id = 1"),
    ("conversations", "first_heard_at", "id = 1"),
    ("conversations", "second_heard_at", "id = 1"),
    ("conversations", "cancelled_at", "id = 1"),
    ("conversations", "created_at", "id = 2"),
    ("listenings", "created_at", "id = 1"),
    ("listenings", "closed_at", "id = 1"),
    ("listenings", "created_at", "id = 2"),
    ("listening_rounds", "shared_at", "true"),
    ("listening_rounds", "reflected_at", "true"),
    ("listening_rounds", "answered_at", "true"),
    ("exchanges", "created_at", "true"),
    ("exchanges", "completed_at", "true"),
    ("answers", "answered_at", "author_id = 1"),
    ("answers", "responded_at", "author_id = 1"),
    ("answers", "answered_at", "author_id = 2"),
    ("question_draws", "drawn_at", "true"),
    ("health", "checked_at", "true"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn old_values_convert_exactly() {
    // A session in a zone far from UTC, reading dates day-first: neither may shift a value.
    // (One connection, so the settings hold for the migration too.)
    let mut options = common::fresh_options();
    options.max_connections = 1;
    let store = PgStore::connect(&options).await.expect("connects");
    let pool = store.pool();
    sqlx::raw_sql("set timezone to 'America/Chicago'; set datestyle to 'SQL, DMY'").execute(pool).await.expect("sets");

    // The database as the old store left it: migrations 0001–0006, recorded as applied.
    let mut old = sqlx::migrate!("./migrations");
    old.migrations = Cow::Owned(old.migrations.iter().filter(|m| m.version <= 6).cloned().collect());
    assert_eq!(old.migrations.len(), 6);
    old.run(pool).await.expect("old migrations");
    sqlx::raw_sql(OLD_ROWS).execute(pool).await.expect("old rows");

    store.migrate().await.expect("migrates to native types");
    let zone: String = sqlx::query_scalar("show timezone").fetch_one(pool).await.expect("reads");
    assert_eq!(zone, "America/Chicago", "the migration ran in the session set up above");

    // Every time is the very millisecond it was.
    for (offset, (table, column, row)) in (0i64..).zip(TIMES) {
        let sql = format!("select {column} from {table} where {row}");
        let got: jiff_sqlx::Timestamp = sqlx::query_scalar(&sql).fetch_one(pool).await.expect(&sql);
        assert_eq!(got.to_jiff(), ms(BASE + offset), "{table}.{column} where {row}");
    }
    // Far from now too: just before 1970, and the last millisecond jiff can hold (9999-12-30T21:59:59.999Z).
    let couple2: (jiff_sqlx::Timestamp, jiff_sqlx::Timestamp) =
        sqlx::query_as("select created_at, ended_at from couples where id = 2").fetch_one(pool).await.expect("reads");
    assert_eq!((couple2.0.to_jiff(), couple2.1.to_jiff()), (ms(-1), ms(253_402_207_199_999)));
    // NULL stays NULL.
    let nulls: (Option<jiff_sqlx::Timestamp>, Option<jiff_sqlx::Timestamp>) =
        sqlx::query_as("select today_seen_at, (select ended_at from couples where id = 1) from users where id = 2")
            .fetch_one(pool)
            .await
            .expect("reads");
    assert!(nulls.0.is_none() && nulls.1.is_none());

    // 0 and 1 become false and true; the open places stay one per couple.
    let flags: Vec<(String, bool)> = sqlx::query_as(
        "select 'hide_counts ' || id, hide_counts from users
         union all select 'shared_phone ' || id, shared_phone from conversations
         union all select 'conversation open ' || id, open_slot is true from conversations
         union all select 'listening open ' || id, open_slot is true from listenings
         union all select 'ready', ready_first from ladders union all select 'ready', ready_second from ladders
         union all select 'passed ' || author_id, passed from answers
         union all select 'favorite ' || author_id, favorite from answers",
    )
    .fetch_all(pool)
    .await
    .expect("reads");
    // Compared as sets: without an `order by`, rows come in whatever order the table holds
    // them, which a later migration's update may change.
    let mut flags: Vec<(&str, bool)> = flags.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    flags.sort_unstable();
    let mut expected = [
        ("hide_counts 1", true),
        ("hide_counts 2", false),
        ("shared_phone 1", true),
        ("shared_phone 2", false),
        ("conversation open 1", false),
        ("conversation open 2", true),
        ("listening open 1", false),
        ("listening open 2", true),
        ("ready", true),
        ("ready", false),
        ("passed 1", false),
        ("passed 2", true),
        ("favorite 1", true),
        ("favorite 2", false),
    ];
    expected.sort_unstable();
    assert_eq!(flags, expected);

    // And the store reads it all back through its own queries.
    let couple = CoupleId(1);
    let a = store.user(UserId(1)).await.expect("reads").expect("there");
    assert_eq!((a.created_at, a.hide_counts, a.time_zone.as_str()), (ms(BASE + 3), true, "Europe/Berlin"));
    assert_eq!(store.seen_at(UserId(1)).await.expect("reads"), Some(ms(BASE + 5)));
    // The instance's first account becomes its admin (migration 0019); no one else does.
    assert!(store.is_admin(UserId(1)).await.expect("reads"));
    assert!(!store.is_admin(UserId(2)).await.expect("reads"));
    let check_ins = store.check_ins_between(couple, date(2024, 2, 29), date(2024, 2, 29)).await.expect("reads");
    assert_eq!(check_ins.iter().map(|c| (c.day, c.closeness)).collect::<Vec<_>>(), [(date(2024, 2, 29), 7)]);
    let draws = store.question_draws(couple).await.expect("reads");
    assert_eq!(draws.iter().map(|d| d.day).collect::<Vec<_>>(), [date(1999, 12, 31)]);

    let appreciation = store.appreciation(couple, AppreciationId(1)).await.expect("reads").expect("there");
    assert_eq!((appreciation.reaction, appreciation.reacted_at), (Some(Reaction::Hug), Some(ms(BASE + 20))));
    // Search itself is the vault's (tend-store): the backend lists, and the words come back.
    let found = store.appreciations(couple, &Filter { limit: 10, ..Filter::default() }).await.expect("lists");
    assert!(found.iter().any(|a| a.body.contains("CLAIR")), "the old words read back: {found:?}");
    let bad_reaction = sqlx::raw_sql("update appreciations set reaction = 'shrug'").execute(pool).await;
    assert!(bad_reaction.is_err(), "reactions are checked now");

    let open = store.open_conversation(couple).await.expect("reads").expect("one is open");
    assert_eq!(open.id, ConversationId(2));
    let done = store.conversation(couple, ConversationId(1)).await.expect("reads").expect("there");
    assert!(done.shared_phone);
    assert_eq!(done.first_rating, Some(Rating { understood: 6, cared_for: 7 }));
    assert_eq!((done.joined_at, done.cancelled_at), (Some(ms(BASE + 23)), Some(ms(BASE + 26))));
    assert_eq!(store.insert_conversation(couple, &open.conversation).await.expect("writes"), None, "still one open");

    let listening = store.listening(couple, ListeningId(1)).await.expect("reads").expect("there");
    assert_eq!(listening.rounds[0].verdict, Some(Verdict::GotIt));
    assert_eq!(listening.rounds[0].answered_at, Some(ms(BASE + 33)));
    assert_eq!(store.open_listening(couple).await.expect("reads").map(|l| l.id), Some(ListeningId(2)));

    let ladder = store.ladder(couple).await.expect("reads");
    assert_eq!(ladder, StoredLadder { depth: 2, completed: 3, ready: [true, false], version: 9 });
    let exchange = store.exchange(couple, "q1").await.expect("reads").expect("there");
    assert_eq!(exchange.id, ExchangeId(1));
    let mine = &exchange.answers[0];
    assert_eq!((mine.passed, mine.favorite, mine.responded_at), (false, true, Some(ms(BASE + 37))));
    assert_eq!(mine.felt, Some(Felt { understood: 5, accepted: 6, cared_for: 7 }));
    assert!(exchange.answers[1].passed);

    common::drop_schema(&store, &options).await;
}
