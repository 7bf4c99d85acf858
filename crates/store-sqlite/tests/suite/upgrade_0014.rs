//! A database made by migrations 0001–0013, with rows in every table that names a practice,
//! upgraded by 0014 (two more practices): every row is still there with its id and values,
//! the autoincrement counters are kept, the other checks and indexes hold, and the new
//! practices can be stored while an unknown one is still refused.

use crate::common;

use common::{Scratch, t};
use jiff::Timestamp;
use jiff::civil::{Weekday, date};
use sqlx::SqlitePool;
use tend_domain::reminder::{Channel, Choices, QuietHours};
use tend_domain::rhythm::{Practice, Slot};
use tend_domain::store::reminders::NewReminder;
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, UserId};
use tend_store_sqlite::SqliteStore;

/// The tables 0014 rebuilds, and the one that points at one of them by id.
const TABLES: [&str; 6] =
    ["rhythm_slots", "practice_marks", "reminder_choices", "reminders", "reminder_slots", "nudges"];

/// Rows as the store wrote them before 0014: every practice column holds an old practice,
/// and the last practice mark and reminder are gone, so their ids must not come back.
const SEED: &str = "
insert into couples (id, created_at) values (1, 1000), (2, 1000);
insert into users (id, email, display_name, password_hash, time_zone, couple_id, created_at, updated_at)
values (1, 'a@example.org', 'A', 'ha', 'Europe/Berlin', 1, 1000, 1000),
       (2, 'b@example.org', 'B', 'hb', 'UTC', 1, 1000, 1000),
       (3, 'c@example.org', 'C', 'hc', 'UTC', 2, 1000, 1000);
insert into rhythm_slots (couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, proposed_by,
                          proposed_at, agreed_at)
values (1, 'tech-free-evening', 1, 4, null, 1170, 180, 'Europe/Berlin', 1, 2000, 2100),
       (1, 'show-and-tell', 0, 7, 1, 1020, 60, 'UTC', 2, 2200, null),
       (2, 'hug', 1, null, null, 480, 10, 'UTC', 3, 2300, 2400);
insert into practice_marks (id, couple_id, practice, by, at)
values (1, 1, 'show-and-tell', 1, 3000), (2, 1, 'tech-free-evening', 2, 3100), (9, 1, 'hug', 1, 3200);
delete from practice_marks where id = 9;
insert into reminder_choices (user_id, practice, channel)
values (1, 'hug', 'push'), (1, 'tech-free-evening', 'email'), (2, 'listening', 'push');
insert into reminders (id, user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at, state,
                       attempts, next_attempt_at, lease_until, last_error, settled_at)
values (1, 1, 1, 'check-in', '2026-01-05T21:00', 'push', null, 4000, 5000, 'sent', 1, 4000, null, null, 4100),
       (2, 2, 1, 'hug', 'nudge-2026-01-05', 'email', 1, 4200, 6000, 'queued', 2, 4300, 4400, 'timeout', null),
       (7, 1, 1, 'listening', '2026-01-06T18:00', 'push', null, 4500, 7000, 'dropped', 0, 4500, null, 'gone', 4600);
delete from reminders where id = 7;
insert into reminder_slots (reminder_id, user_id, day) values (1, 1, '2026-01-05'), (2, 2, '2026-01-05');
insert into nudges (couple_id, from_user, practice, day, created_at)
values (1, 1, 'hug', '2026-01-05', 4200), (1, 2, 'check-in', '2026-01-05', 4250);
";

/// A table as text: its columns, then every row with every value quoted, in a stable order.
async fn dump(pool: &SqlitePool, table: &str) -> Vec<String> {
    let columns: Vec<String> = sqlx::query_scalar("select name from pragma_table_info($1) order by cid")
        .bind(table)
        .fetch_all(pool)
        .await
        .expect("columns");
    let values = columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || '|' || ");
    let rows: Vec<String> =
        sqlx::query_scalar(&format!("select {values} from {table} order by 1")).fetch_all(pool).await.expect("rows");
    std::iter::once(columns.join("|")).chain(rows).collect()
}

async fn dump_all(pool: &SqlitePool) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for table in TABLES {
        all.push(dump(pool, table).await);
    }
    all
}

async fn counters(pool: &SqlitePool) -> Vec<(String, i64)> {
    sqlx::query_as("select name, seq from sqlite_sequence where name in ('practice_marks', 'reminders') order by name")
        .fetch_all(pool)
        .await
        .expect("counters")
}

/// How the tables and their indexes are made, with the two new practices taken out of the
/// lists and the spelling (spaces, quoted names) evened out.
async fn schema(pool: &SqlitePool) -> Vec<(String, String, String)> {
    let all: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "select type, name, sql from sqlite_master where tbl_name in
         ('rhythm_slots', 'practice_marks', 'reminder_choices', 'reminders', 'reminder_slots', 'nudges')
         order by type, name",
    )
    .fetch_all(pool)
    .await
    .expect("schema");
    all.into_iter()
        .map(|(kind, name, sql)| {
            let sql: String = sql.unwrap_or_default().chars().filter(|c| !c.is_whitespace() && *c != '"').collect();
            (kind, name, sql.replace(",'state-of-us','intimacy-map'", ""))
        })
        .collect()
}

fn ms(n: i64) -> Timestamp {
    Timestamp::from_millisecond(n).expect("ms")
}

#[tokio::test]
async fn migration_0014_keeps_every_row_and_takes_the_new_practices() {
    let dir = Scratch::new();
    let store = SqliteStore::connect(&dir.options()).await.expect("connects");
    let pool = store.pool();

    // The database as the store left it before 0014, migrated as the store does it: on one
    // connection with foreign keys off (0007 needs that too), not given back to the pool.
    let mut before = sqlx::migrate!("./migrations");
    before.migrations = before.migrations.iter().filter(|m| m.version <= 13).cloned().collect::<Vec<_>>().into();
    let mut conn = pool.acquire().await.expect("a connection");
    conn.close_on_drop();
    sqlx::raw_sql("pragma foreign_keys = off").execute(&mut *conn).await.expect("pragma");
    before.run(&mut *conn).await.expect("migrations 0001-0013");
    drop(conn);
    sqlx::raw_sql(SEED).execute(pool).await.expect("seed");
    let rows = dump_all(pool).await;
    let tables = schema(pool).await;
    assert_eq!(rows.iter().map(|t| t.len() - 1).collect::<Vec<_>>(), [3, 2, 3, 2, 2, 2], "seeded");
    assert_eq!(counters(pool).await, [("practice_marks".into(), 9), ("reminders".into(), 7)]);
    let old_practice =
        sqlx::raw_sql("update nudges set practice = 'state-of-us' where from_user = 1").execute(pool).await;
    assert!(old_practice.is_err_and(|e| e.to_string().contains("CHECK constraint failed")), "not known before 0014");

    // Run plainly, with foreign keys on, 0014 would break reminder_slots: it refuses instead.
    let refused = sqlx::migrate!("./migrations").run(pool).await;
    assert!(refused.as_ref().is_err_and(|e| format!("{e:?}").contains("foreign_keys_must_be_off")), "{refused:?}");
    assert_eq!(dump_all(pool).await, rows, "the refused run changed nothing");

    store.migrate().await.expect("migrates");
    assert_eq!(dump_all(pool).await, rows, "every row is still there, with its id and values");
    assert_eq!(counters(pool).await, [("practice_marks".into(), 9), ("reminders".into(), 7)], "counters kept");
    let leftovers: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where name like '%\\_new' escape '\\' or name like 'migration\\_%' escape '\\'
         union all select name from sqlite_sequence where name like '%\\_new' escape '\\'",
    )
    .fetch_all(pool)
    .await
    .expect("schema");
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let broken: Vec<(String,)> =
        sqlx::query_as("select \"table\" from pragma_foreign_key_check").fetch_all(pool).await.expect("check");
    assert!(broken.is_empty(), "{broken:?}");
    let keys: i64 =
        sqlx::query_scalar("select foreign_keys from pragma_foreign_keys").fetch_one(pool).await.expect("on");
    assert_eq!(keys, 1, "foreign keys are on again for the pool");
    assert_eq!(schema(pool).await, tables, "every column, key, check and index as it was, but the practice lists");
    let lists: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and sql like '%''state-of-us'', ''intimacy-map''%' order by name",
    )
    .fetch_all(pool)
    .await
    .expect("schema");
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
    assert_eq!(evening.agreed_at, Some(ms(2100)));
    let show = slots.iter().find(|s| s.practice == Practice::ShowAndTell).expect("the proposal");
    assert_eq!((show.slot.nth, show.proposed_by, show.agreed_at), (Some(1), b, None));
    let marks = store.practice_marks_since(couple, ms(0)).await.expect("reads");
    assert_eq!(
        marks.iter().map(|m| (m.practice, m.by, m.at)).collect::<Vec<_>>(),
        [(Practice::ShowAndTell, a, ms(3000)), (Practice::TechFreeEvening, b, ms(3100))]
    );
    assert_eq!(store.reminder_choices(b).await.expect("reads").wanted, [(Practice::Listening, Channel::Push)]);
    let sent = store.reminders_sent(a, ms(0)).await.expect("reads");
    assert_eq!(sent.iter().map(|r| (r.practice, r.channel)).collect::<Vec<_>>(), [(Practice::CheckIn, Channel::Push)]);
    let nudges = store.nudges_since(couple, ms(0)).await.expect("reads");
    assert_eq!(nudges.len(), 2);

    // The new practices can be stored in every table, and new ids follow the old counters.
    let now = t("2026-01-06T10:00:00Z");
    let sundays = Slot {
        weekday: Some(Weekday::Sunday),
        nth: None,
        at: "18:00".parse().expect("time"),
        minutes: 60,
        zone: berlin.clone(),
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
    let id: i64 = sqlx::query_scalar("select id from practice_marks where practice = 'intimacy-map'")
        .fetch_one(pool)
        .await
        .expect("the mark");
    assert_eq!(id, 10, "after the counter, not after the highest row left");

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
    let id: i64 = sqlx::query_scalar("select id from reminders where practice = 'state-of-us'")
        .fetch_one(pool)
        .await
        .expect("the reminder");
    assert_eq!(id, 8);

    assert!(store.record_nudge(couple, a, Practice::IntimacyMap, date(2026, 1, 6), now).await.expect("nudges"));
    let nudges = store.nudges_since(couple, now).await.expect("reads");
    assert_eq!(nudges, [(a, Practice::IntimacyMap, now)]);

    // What the schema refused before, it still refuses: a practice Tend does not know, and
    // every other check.
    for bad in [
        "update rhythm_slots set practice = 'naps' where practice = 'hug'",
        "update practice_marks set practice = 'naps'",
        "update reminder_choices set practice = 'naps'",
        "update reminders set practice = 'naps'",
        "update nudges set practice = 'naps'",
        "update rhythm_slots set nth = 5",
        "update rhythm_slots set agreed_at = null where agreed = 1",
        "update practice_marks set practice = null",
        "update reminder_choices set channel = 'sms'",
        "update reminders set state = 'lost'",
        "update reminders set settled_at = null where state = 'sent'",
        "update nudges set day = '2026-02-30'",
    ] {
        let refused = sqlx::raw_sql(bad).execute(pool).await;
        assert!(
            refused.as_ref().is_err_and(|e| {
                let e = e.to_string();
                e.contains("CHECK constraint failed") || e.contains("NOT NULL constraint failed")
            }),
            "{bad}: {refused:?}"
        );
    }
    let twice = sqlx::raw_sql(
        "insert into reminders (user_id, couple_id, practice, occurrence, channel, due_at, expires_at, state, attempts,
                                next_attempt_at)
         values (2, 1, 'hug', 'nudge-2026-01-05', 'email', 1, 2, 'queued', 0, 1)",
    )
    .execute(pool)
    .await;
    assert!(twice.is_err_and(|e| e.to_string().contains("UNIQUE constraint failed")), "one row per reminder");
    let orphan = sqlx::raw_sql("insert into reminder_slots (reminder_id, user_id, day) values (99, 1, '2026-01-06')")
        .execute(pool)
        .await;
    assert!(orphan.is_err_and(|e| e.to_string().contains("FOREIGN KEY")), "reminder_slots still points at reminders");
}
