//! The bulk writes (`tend demo --couples`) on both databases: what they write reads back
//! exactly as the single-row writes' rows do, sealed at rest, and each batch is all or nothing.

use jiff::{SignedDuration, Timestamp};
use tend_domain::appreciation::{AppreciationRecord, Filter, Kind, Reaction};
use tend_domain::check_in::{CheckIn, CheckInRecord};
use tend_domain::conversation::{Conversation, Plan, Rating};
use tend_domain::questions::exchange::{Answer, Felt};
use tend_domain::secret::{Secret, SecretHash};
use tend_domain::store::bulk::{PastAppreciation, PastConversation, PastDraw, PastExchange, PastHug};
use tend_domain::store::*;
use tend_domain::{CoupleId, Store, StoreError, UserId};
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn date(s: &str) -> jiff::civil::Date {
    s.parse().expect("date")
}

fn mins(at: Timestamp, m: i64) -> Timestamp {
    at.checked_add(SignedDuration::from_mins(m)).expect("in range")
}

async fn couple(s: &dyn Store) -> (UserId, UserId, CoupleId) {
    let now = t("2026-01-01T00:00:00Z");
    let person = |email: &str| NewUserRecord {
        email: email.into(),
        display_name: "Someone".into(),
        password_hash: "hash".into(),
        time_zone: tend_domain::time::TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    let RegisterOutcome::Created { user: a, .. } =
        s.register(&person("a@example.org"), &Gate::Open, now).await.expect("a")
    else {
        panic!("a was not made")
    };
    let token = Secret::generate("inv_");
    let invite = NewInvite {
        inviter: a.id,
        token_hash: token.hash(),
        code_hash: SecretHash::of("code:bulk"),
        now,
        expires_at: mins(now, 60),
    };
    s.create_invite(&invite).await.expect("invite");
    let joined = s.register(&person("b@example.org"), &Gate::Invite(token.hash()), now).await.expect("b");
    let RegisterOutcome::Created { user: b, couple: Some(c) } = joined else { panic!("b did not join: {joined:?}") };
    (a.id, b.id, c)
}

fn check_in(c: CoupleId, author: UserId, day: &str, high: &str, at: Timestamp) -> CheckInRecord {
    CheckInRecord {
        couple: c,
        author,
        day: date(day),
        high: high.into(),
        low: format!("{high}, low"),
        closeness: 5,
        need: String::new(),
        now: at,
    }
}

fn part(author: UserId, body: &str, at: Timestamp) -> Answer {
    Answer {
        author,
        body: body.into(),
        passed: false,
        answered_at: at,
        reply_id: None,
        reply_words: String::new(),
        responded_at: None,
        felt: None,
        favorite: false,
    }
}

async fn bulk_writes_read_back_as_single_writes_do(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s).await;
    let evening = t("2026-01-05T19:00:00Z");

    // Check-ins: the later of two for one author's day wins, as upserts do.
    let check_ins = [
        check_in(c, a, "2026-01-04", "BULK first try", mins(evening, -1440)),
        check_in(c, b, "2026-01-04", "BULK b's day", mins(evening, -1400)),
        check_in(c, a, "2026-01-05", "BULK a's day", evening),
        check_in(c, a, "2026-01-04", "BULK a's day before", mins(evening, -1430)),
    ];
    assert_eq!(s.add_check_ins_bulk(&check_ins).await.expect("check-ins"), 3);
    let read = s.check_ins_between(c, date("2026-01-01"), date("2026-01-31")).await.expect("read");
    let seen: Vec<(UserId, String, &str)> =
        read.iter().map(|r| (r.author, r.day.to_string(), r.high.as_str())).collect();
    assert_eq!(
        seen,
        vec![
            (a, "2026-01-05".into(), "BULK a's day"),
            (a, "2026-01-04".into(), "BULK a's day before"),
            (b, "2026-01-04".into(), "BULK b's day"),
        ]
    );
    let first = &read[0];
    assert_eq!(
        first,
        &CheckIn {
            author: a,
            day: date("2026-01-05"),
            high: "BULK a's day".into(),
            low: "BULK a's day, low".into(),
            closeness: 5,
            need: String::new(),
            created_at: evening,
            updated_at: evening,
        }
    );

    // Appreciations, one answered with a reaction and words, one not yet.
    let record = |author: UserId, recipient: UserId, body: &str, at: Timestamp| AppreciationRecord {
        couple: c,
        author,
        recipient,
        kind: Kind::Respect,
        body: body.into(),
        starter_id: None,
        now: at,
    };
    let appreciations = [
        PastAppreciation {
            record: record(a, b, "BULK thank you", mins(evening, -60)),
            reaction: Some(Reaction::Moved),
            reply: "BULK you too".into(),
            reacted_at: Some(mins(evening, -30)),
        },
        PastAppreciation {
            record: record(b, a, "BULK well done", evening),
            reaction: None,
            reply: String::new(),
            reacted_at: None,
        },
    ];
    assert_eq!(s.add_appreciations_bulk(&appreciations).await.expect("appreciations"), 2);
    let listed = s.appreciations(c, &Filter { limit: 10, ..Filter::default() }).await.expect("read");
    let seen: Vec<_> = listed
        .iter()
        .map(|x| {
            (x.author, x.recipient, x.kind, x.body.as_str(), x.created_at, x.reaction, x.reply.as_str(), x.reacted_at)
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (b, a, Kind::Respect, "BULK well done", evening, None, "", None),
            (
                a,
                b,
                Kind::Respect,
                "BULK thank you",
                mins(evening, -60),
                Some(Reaction::Moved),
                "BULK you too",
                Some(mins(evening, -30))
            ),
        ]
    );
    let search = Filter { query: Some("bulk YOU TOO".into()), limit: 10, ..Filter::default() };
    assert_eq!(s.appreciations(c, &search).await.expect("search").len(), 1, "the reply opens and is found");

    // Hugs, and the last one counts for the next tap.
    let hugs = [PastHug { couple: c, by: a, at: mins(evening, -120) }, PastHug { couple: c, by: b, at: evening }];
    assert_eq!(s.add_hugs_bulk(&hugs).await.expect("hugs"), 2);
    assert_eq!(s.hugs_since(c, t("2026-01-01T00:00:00Z")).await.expect("read"), vec![mins(evening, -120), evening]);
    let same_hug = SignedDuration::from_secs(120);
    assert!(!s.log_hug(c, a, mins(evening, 1), same_hug).await.expect("tap"), "the bulk hug was the last");
    assert!(s.log_hug(c, a, mins(evening, 3), same_hug).await.expect("tap"));

    // A finished conversation, which never holds the open place.
    let plan = Plan { minutes: 10, turn: SignedDuration::from_mins(10), shared_phone: false };
    let start = mins(evening, -300);
    let mut talked = Conversation::start(a, a, b, plan, start).expect("start");
    talked.join(b, mins(start, 1)).expect("join");
    talked.feel_heard(a, mins(start, 8)).expect("heard");
    talked.rate(a, Rating::parse(6, 7).expect("valid"), mins(start, 25)).expect("rate");
    talked.rate(b, Rating::parse(5, 5).expect("valid"), mins(start, 26)).expect("rate");
    let expired = Conversation::start(b, b, a, plan, mins(evening, -2000)).expect("start");
    let conversations = [
        PastConversation { couple: c, conversation: expired.clone() },
        PastConversation { couple: c, conversation: talked.clone() },
    ];
    assert_eq!(s.add_conversations_bulk(&conversations).await.expect("conversations"), 2);
    let stored: Vec<Conversation> =
        s.conversations(c, 10).await.expect("read").into_iter().map(|x| x.conversation).collect();
    assert_eq!(stored, vec![talked, expired]);
    assert_eq!(s.open_conversation(c).await.expect("read"), None, "a finished one holds no open place");
    let fresh = Conversation::start(a, a, b, plan, evening).expect("start");
    assert!(s.insert_conversation(c, &fresh).await.expect("insert").is_some(), "a new one can start");

    // Exchanges: one complete, with responses and how each felt, one waiting for b.
    let felt = Felt::parse(6, 7, 5).expect("valid");
    let mut done_a = part(a, "BULK my answer", mins(evening, -600));
    let mut done_b = part(b, "BULK mine too", mins(evening, -500));
    done_a.reply_id = Some("reply-001".into());
    done_a.responded_at = Some(mins(evening, -400));
    done_a.felt = Some(felt);
    done_b.reply_words = "BULK love this".into();
    done_b.responded_at = Some(mins(evening, -390));
    done_b.favorite = true;
    let complete = PastExchange {
        couple: c,
        question_id: "today-001".into(),
        deck: "today".into(),
        depth: 1,
        created_at: mins(evening, -600),
        completed_at: Some(mins(evening, -390)),
        answers: vec![done_a, done_b],
    };
    let waiting = PastExchange {
        couple: c,
        question_id: "today-002".into(),
        deck: "today".into(),
        depth: 1,
        created_at: mins(evening, -10),
        completed_at: None,
        answers: vec![part(a, "BULK a first", mins(evening, -10))],
    };
    assert_eq!(s.add_exchanges_bulk(&[complete.clone(), waiting.clone()]).await.expect("exchanges"), 5);
    let read = s.exchanges(c).await.expect("read");
    let seen: Vec<_> = read
        .iter()
        .map(|x| (x.question_id.clone(), x.depth, x.created_at, x.completed_at, x.answers.clone()))
        .collect();
    let expected: Vec<_> = [&waiting, &complete]
        .iter()
        .map(|x| (x.question_id.clone(), x.depth, x.created_at, x.completed_at, x.answers.clone()))
        .collect();
    assert_eq!(seen, expected);
    // A question the couple took up already fails the whole batch.
    let new = PastExchange { question_id: "today-003".into(), ..waiting.clone() };
    assert!(matches!(s.add_exchanges_bulk(&[new, complete.clone()]).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.exchange(c, "today-003").await.expect("read"), None, "all or nothing");

    // Draws: one drawn twice for the same day is kept once.
    let draw = |day: &str, q: &str| PastDraw { couple: c, day: date(day), question_id: q.into(), at: evening };
    let draws = [draw("2026-01-04", "today-001"), draw("2026-01-05", "today-002"), draw("2026-01-05", "today-002")];
    assert_eq!(s.add_question_draws_bulk(&draws).await.expect("draws"), 2);
    let read: Vec<(String, String)> =
        s.question_draws(c).await.expect("read").into_iter().map(|d| (d.day.to_string(), d.question_id)).collect();
    assert_eq!(read, vec![("2026-01-04".into(), "today-001".into()), ("2026-01-05".into(), "today-002".into())]);

    // Nothing to write is nothing written.
    assert_eq!(s.add_check_ins_bulk(&[]).await.expect("none"), 0);
    assert_eq!(s.add_appreciations_bulk(&[]).await.expect("none"), 0);
    assert_eq!(s.add_hugs_bulk(&[]).await.expect("none"), 0);
    assert_eq!(s.add_conversations_bulk(&[]).await.expect("none"), 0);
    assert_eq!(s.add_exchanges_bulk(&[]).await.expect("none"), 0);
    assert_eq!(s.add_question_draws_bulk(&[]).await.expect("none"), 0);

    // Every word is sealed at rest, as the single-row writes seal them.
    for (table, column) in [
        ("check_ins", "high"),
        ("check_ins", "low"),
        ("appreciations", "body"),
        ("appreciations", "reply"),
        ("answers", "body"),
        ("answers", "reply_words"),
    ] {
        let plain = db.scalar(&format!("select count(*) from {table} where {column} like '%BULK%'")).await;
        assert_eq!(plain, 0, "{table}.{column} holds a word as written");
    }
}

async fn a_batch_is_all_or_nothing(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s).await;
    let at = t("2026-01-05T19:00:00Z");
    let mut wrong = check_in(c, b, "2026-01-05", "never stored", at);
    wrong.closeness = 9;
    let batch = [check_in(c, a, "2026-01-05", "not alone", at), wrong];
    assert!(s.add_check_ins_bulk(&batch).await.is_err(), "the database refuses a closeness of 9");
    assert!(s.check_ins_between(c, date("2026-01-01"), date("2026-01-31")).await.expect("read").is_empty());
    let stranger = PastHug { couple: CoupleId(c.0 + 1000), by: a, at };
    assert!(s.add_hugs_bulk(&[PastHug { couple: c, by: a, at }, stranger]).await.is_err(), "no such couple");
    assert!(s.hugs_since(c, t("2026-01-01T00:00:00Z")).await.expect("read").is_empty());
}

both_backends!(bulk_writes_read_back_as_single_writes_do, a_batch_is_all_or_nothing);
