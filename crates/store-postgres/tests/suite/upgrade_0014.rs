//! A database made by migrations 0001–0013, with rows in every table that names a practice,
//! upgraded by 0014 (two more practices): every row is still there with its id and values,
//! only the five practice checks changed, and the new practices can be stored while an
//! unknown one is still refused.

use crate::common;

use jiff::Timestamp;
use jiff::civil::{Weekday, date};
use sqlx::PgPool;
use std::borrow::Cow;
use tend_domain::reminder::{Channel, Choices, QuietHours};
use tend_domain::rhythm::{Practice, Slot};
use tend_domain::store::reminders::NewReminder;
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, UserId};
use tend_store_postgres::PgStore;

/// The tables with a practice column, and the one that points at one of them by id.
const TABLES: [&str; 6] =
    ["rhythm_slots", "practice_marks", "reminder_choices", "reminders", "reminder_slots", "nudges"];

/// Rows as the store wrote them before 0014; every practice column holds an old practice.
const SEED: &str = "
insert into couples (created_at) values ('2026-01-01T00:00:00Z'), ('2026-01-01T00:00:00Z');
insert into users (email, display_name, password_hash, time_zone, couple_id, created_at, updated_at)
values ('a@example.org', 'A', 'ha', 'Europe/Berlin', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
       ('b@example.org', 'B', 'hb', 'UTC', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
       ('c@example.org', 'C', 'hc', 'UTC', 2, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
insert into rhythm_slots (couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, proposed_by,
                          proposed_at, agreed_at)
values (1, 'tech-free-evening', true, 4, null, 1170, 180, 'Europe/Berlin', 1, '2026-01-02T10:00:00Z',
        '2026-01-02T11:00:00Z'),
       (1, 'show-and-tell', false, 7, 1, 1020, 60, 'UTC', 2, '2026-01-02T12:00:00Z', null),
       (2, 'hug', true, null, null, 480, 10, 'UTC', 3, '2026-01-02T13:00:00Z', '2026-01-02T14:00:00Z');
insert into practice_marks (couple_id, practice, by, at)
values (1, 'show-and-tell', 1, '2026-01-03T10:00:00Z'), (1, 'tech-free-evening', 2, '2026-01-03T11:00:00Z');
insert into reminder_choices (user_id, practice, channel)
values (1, 'hug', 'push'), (1, 'tech-free-evening', 'email'), (2, 'listening', 'push');
insert into reminders (user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at, state,
                       attempts, next_attempt_at, lease_until, last_error, settled_at)
values (1, 1, 'check-in', '2026-01-05T21:00', 'push', null, '2026-01-05T20:00:00Z', '2026-01-05T23:00:00Z', 'sent',
        1, '2026-01-05T20:00:00Z', null, null, '2026-01-05T20:00:01Z'),
       (2, 1, 'hug', 'nudge-2026-01-05', 'email', 1, '2026-01-05T10:00:00Z', '2026-01-05T16:00:00Z', 'queued', 2,
        '2026-01-05T10:05:00Z', '2026-01-05T10:07:00Z', 'timeout', null);
insert into reminder_slots (reminder_id, user_id, day) values (1, 1, '2026-01-05'), (2, 2, '2026-01-05');
insert into nudges (couple_id, from_user, practice, day, created_at)
values (1, 1, 'hug', '2026-01-05', '2026-01-05T10:00:00Z'), (1, 2, 'check-in', '2026-01-05', '2026-01-05T10:01:00Z');
";

/// Every row of the tables, as JSON, in a stable order.
async fn dump(pool: &PgPool) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for table in TABLES {
        let sql = format!("select row_to_json(t)::text from {table} t order by 1");
        all.push(sqlx::query_scalar(&sql).fetch_all(pool).await.expect(&sql));
    }
    all
}

/// The tables' constraints and indexes, with the two new practices taken out of the lists.
async fn schema(pool: &PgPool) -> Vec<String> {
    let tables = TABLES.map(|t| format!("'{t}'")).join(", ");
    let sql = format!(
        "select c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
         from pg_constraint k join pg_class c on c.oid = k.conrelid
         where c.relnamespace = current_schema()::regnamespace and c.relname in ({tables})
         union all
         select tablename || ' ' || indexname || ' ' || indexdef from pg_indexes
         where schemaname = current_schema() and tablename in ({tables})
         order by 1"
    );
    let all: Vec<String> = sqlx::query_scalar(&sql).fetch_all(pool).await.expect("schema");
    all.into_iter().map(|s| s.replace(", 'state-of-us'::text, 'intimacy-map'::text", "")).collect()
}

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn migration_0014_keeps_every_row_and_takes_the_new_practices() {
    let options = common::fresh_options();
    let store = PgStore::connect(&options).await.expect("connects");
    let pool = store.pool();

    // The database as the store left it before 0014.
    let mut old = sqlx::migrate!("./migrations");
    old.migrations = Cow::Owned(old.migrations.iter().filter(|m| m.version <= 13).cloned().collect());
    assert_eq!(old.migrations.len(), 13);
    old.run(pool).await.expect("migrations 0001-0013");
    sqlx::raw_sql(SEED).execute(pool).await.expect("seed");
    let rows = dump(pool).await;
    assert_eq!(rows.iter().map(Vec::len).collect::<Vec<_>>(), [3, 2, 3, 2, 2, 2], "seeded");
    let before = schema(pool).await;
    let unknown = sqlx::raw_sql("update nudges set practice = 'state-of-us' where from_user = 1").execute(pool).await;
    assert!(unknown.is_err_and(|e| e.to_string().contains("nudges_practice_check")), "not known before 0014");

    store.migrate().await.expect("migrates");
    assert_eq!(dump(pool).await, rows, "every row is still there, with its id and values");
    assert_eq!(schema(pool).await, before, "every key, check and index as it was, but the practice lists");
    let lists: Vec<String> = sqlx::query_scalar(
        "select c.relname from pg_constraint k join pg_class c on c.oid = k.conrelid
         where c.relnamespace = current_schema()::regnamespace and k.contype = 'c'
           and pg_get_constraintdef(k.oid) like '%''state-of-us''::text, ''intimacy-map''::text%'
         order by 1",
    )
    .fetch_all(pool)
    .await
    .expect("checks");
    assert_eq!(
        lists,
        ["nudges", "practice_marks", "reminder_choices", "reminders", "rhythm_slots"],
        "the longer lists"
    );

    // The old rows read back through the store.
    let (a, b, couple) = (UserId(1), UserId(2), CoupleId(1));
    let berlin = TimeZoneName::parse("Europe/Berlin").expect("zone");
    let slots = store.rhythm_slots(couple).await.expect("reads");
    let evening = slots.iter().find(|s| s.practice == Practice::TechFreeEvening).expect("the evening");
    assert_eq!(
        (evening.slot.weekday, evening.slot.at.to_string(), evening.slot.minutes, &evening.slot.zone),
        (Some(Weekday::Thursday), "19:30:00".into(), 180, &berlin)
    );
    assert_eq!(evening.agreed_at, Some(t("2026-01-02T11:00:00Z")));
    let show = slots.iter().find(|s| s.practice == Practice::ShowAndTell).expect("the proposal");
    assert_eq!((show.slot.nth, show.proposed_by, show.agreed_at), (Some(1), b, None));
    let marks = store.practice_marks_since(couple, Timestamp::UNIX_EPOCH).await.expect("reads");
    assert_eq!(
        marks.iter().map(|m| (m.practice, m.by)).collect::<Vec<_>>(),
        [(Practice::ShowAndTell, a), (Practice::TechFreeEvening, b)]
    );
    assert_eq!(store.reminder_choices(b).await.expect("reads").wanted, [(Practice::Listening, Channel::Push)]);
    let sent = store.reminders_sent(a, Timestamp::UNIX_EPOCH).await.expect("reads");
    assert_eq!(sent.iter().map(|r| (r.practice, r.channel)).collect::<Vec<_>>(), [(Practice::CheckIn, Channel::Push)]);
    assert_eq!(store.nudges_since(couple, Timestamp::UNIX_EPOCH).await.expect("reads").len(), 2);

    // The new practices can be stored in every table.
    let now = t("2026-01-06T10:00:00Z");
    let sundays = Slot {
        weekday: Some(Weekday::Sunday),
        nth: None,
        at: "18:00".parse().expect("time"),
        minutes: 60,
        zone: berlin,
    };
    store.propose_slot(couple, Practice::StateOfUs, &sundays, a, now).await.expect("proposes");
    assert!(store.accept_slot(couple, Practice::StateOfUs, b, None, now).await.expect("accepts"));
    let first_sunday = Slot { nth: Some(1), at: "17:30".parse().expect("time"), minutes: 20, ..sundays.clone() };
    store.propose_slot(couple, Practice::IntimacyMap, &first_sunday, b, now).await.expect("proposes");
    let slots = store.rhythm_slots(couple).await.expect("reads");
    let of = |p: Practice| slots.iter().find(|s| s.practice == p).map(|s| (s.slot.clone(), s.agreed_at.is_some()));
    assert_eq!(of(Practice::StateOfUs), Some((sundays, true)));
    assert_eq!(of(Practice::IntimacyMap), Some((first_sunday, false)));

    store.mark_practice(couple, Practice::IntimacyMap, b, now).await.expect("marks");
    let marks = store.practice_marks_since(couple, now).await.expect("reads");
    assert_eq!(marks.iter().map(|m| (m.practice, m.by)).collect::<Vec<_>>(), [(Practice::IntimacyMap, b)]);

    let wanted = vec![(Practice::StateOfUs, Channel::Push), (Practice::IntimacyMap, Channel::Email)];
    let choices = Choices { quiet: QuietHours::default(), wanted: wanted.clone() };
    store.save_reminder_choices(a, &choices, now).await.expect("saves");
    assert_eq!(store.reminder_choices(a).await.expect("reads").wanted, wanted);

    let reminder = NewReminder {
        user_id: a,
        couple_id: couple,
        practice: Practice::StateOfUs,
        occurrence: "2026-01-11T18:00".into(),
        channel: Channel::Push,
        nudged_by: None,
        due_at: t("2026-01-11T16:00:00Z"),
        expires_at: t("2026-01-11T18:00:00Z"),
    };
    assert!(store.queue_reminder(&reminder).await.expect("queues"));
    assert!(!store.queue_reminder(&reminder).await.expect("queues"), "still once per occurrence");

    assert!(store.record_nudge(couple, a, Practice::IntimacyMap, date(2026, 1, 6), now).await.expect("nudges"));
    assert_eq!(store.nudges_since(couple, now).await.expect("reads"), [(a, Practice::IntimacyMap, now)]);

    // A practice Tend does not know is still refused everywhere.
    for table in ["rhythm_slots", "practice_marks", "reminder_choices", "reminders", "nudges"] {
        let refused = sqlx::raw_sql(&format!("update {table} set practice = 'naps'")).execute(pool).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.to_string().contains(&format!("{table}_practice_check"))),
            "{table}: {refused:?}"
        );
    }

    common::drop_schema(&store, &options).await;
}
