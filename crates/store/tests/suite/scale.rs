//! `tend demo --couples N --days D` on both databases: the couples it makes read back through
//! the ordinary use cases (history, questions, conversations, log-in and API tokens), their
//! words sealed at rest, the rows it reports are the rows stored, the same plan makes the same
//! history, and a second run adds nothing.

use jiff::Timestamp;
use std::sync::Arc;
use tend_domain::fixtures::scale::{self, Plan};
use tend_domain::questions::exchange::{self, OursFilter};
use tend_domain::{Ctx, ManualClock, Policy, account, auth, history};
use tend_store::testing::TestDb;
use tend_store::{Backend, both_backends, vault};

const TABLES: [&str; 12] = [
    "users",
    "couples",
    "invites",
    "ladders",
    "api_tokens",
    "check_ins",
    "appreciations",
    "question_draws",
    "exchanges",
    "answers",
    "conversations",
    "hugs",
];

fn now() -> Timestamp {
    "2026-03-10T18:30:00Z".parse().expect("time")
}

fn context(db: &TestDb) -> Ctx {
    let events = Arc::new(tend_domain::events::LocalEvents::default());
    Ctx::new(db.store.clone(), Arc::new(ManualClock::new(now())), events, Policy::default())
}

fn plan(parallel: usize) -> Plan {
    Plan {
        couples: 3,
        days: 10,
        tokens: true,
        passwords: ["first-scale-password".into(), "second-scale-password".into()],
        parallel,
    }
}

async fn counts(db: &TestDb) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push(db.scalar(&format!("select count(*) from {table}")).await);
    }
    out
}

async fn scale_couples_read_back_through_the_use_cases(db: TestDb) {
    let ctx = context(&db);
    let done = std::sync::Mutex::new(Vec::new());
    let progress = |couples: u32, rows: u64| done.lock().expect("lock").push((couples, rows));
    let made = scale::generate(&ctx, &plan(2), &progress).await.expect("generates");
    assert_eq!(made.couples, 3);
    assert_eq!(done.lock().expect("lock").last().copied(), Some((3, made.rows)), "progress heard every couple");
    let stored = counts(&db).await;
    assert_eq!(made.rows, stored.iter().map(|&n| n as u64).sum::<u64>(), "the rows reported are the rows stored");
    let check_ins = stored[5];
    assert!(check_ins >= 3 * 10, "most days both check in: {stored:?}");
    assert_eq!(made.tokens.len(), 6);

    let mut revealed = 0;
    for i in 0..3 {
        let a = account::find_by_email(&ctx, &scale::email(i, false)).await.expect("the first partner");
        let b = account::find_by_email(&ctx, &scale::email(i, true)).await.expect("the second partner");
        assert!(a.couple_id.is_some() && a.couple_id == b.couple_id, "paired");
        // Tokens in order: couple i's first partner on line 2i, the second on 2i + 1.
        for (line, who) in [(2 * i, &a), (2 * i + 1, &b)] {
            let token = &made.tokens[line as usize];
            let found = auth::by_api_token(&ctx, token).await.expect("reads").expect("the token works");
            assert_eq!(found.user.id, who.id);
        }
        // History shows check-ins, their words opened.
        let page = history::page(&ctx, &a, None).await.expect("history");
        let mine: Vec<_> = page.days.iter().filter_map(|d| d.day.mine.as_ref()).collect();
        assert!(!mine.is_empty(), "couple {i} has check-ins in history");
        assert!(mine.iter().all(|c| !c.high.is_empty() && !vault::looks_sealed(&c.high)), "words open: {mine:?}");
        // Both see the exchanges they both answered, each other's words opened.
        let ours = exchange::ours(&ctx, &b, &OursFilter::default()).await.expect("our answers");
        for seen in ours.iter().filter(|s| s.revealed()) {
            let body = seen.partner.revealed_body().expect("revealed");
            assert!(!body.is_empty() && !vault::looks_sealed(body), "{body:?}");
            revealed += 1;
        }
    }
    assert!(revealed > 0, "some questions were answered by both");
    // The backend itself only ever saw sealed words.
    let raw = db.database.raw_store();
    let couple = account::find_by_email(&ctx, &scale::email(0, false)).await.expect("a").couple_id.expect("paired");
    let far = ("2000-01-01".parse().expect("day"), "2100-01-01".parse().expect("day"));
    let stored_words = raw.check_ins_between(couple, far.0, far.1).await.expect("raw read");
    assert!(!stored_words.is_empty() && stored_words.iter().all(|c| vault::looks_sealed(&c.high)));

    // The passwords were hashed once for all, and work.
    let client = auth::Client::default();
    let form = auth::LogIn { email: scale::email(2, true), password: "second-scale-password".into() };
    auth::log_in(&ctx, form, &client).await.expect("couple 2's second partner logs in");

    // A second run refuses, and adds nothing.
    let again = scale::generate(&ctx, &plan(2), &|_, _| {}).await;
    assert!(matches!(again, Err(tend_domain::Error::Rejected(ref m)) if m.contains("already")), "{again:?}");
    assert_eq!(counts(&db).await, stored, "nothing was added");

    // The same plan on another database writes the same history, however many run at once.
    let other = match db.database.backend() {
        Backend::Sqlite => tend_store::testing::sqlite().await,
        Backend::Postgres => tend_store::testing::postgres().await,
    };
    let made_again = scale::generate(&context(&other), &plan(1), &|_, _| {}).await.expect("generates");
    assert_eq!(made_again.rows, made.rows);
    assert_eq!(counts(&other).await, stored);
}

both_backends!(scale_couples_read_back_through_the_use_cases);
