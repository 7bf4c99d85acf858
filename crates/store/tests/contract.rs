//! The store contract: the same behaviour on SQLite and on PostgreSQL.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::appreciation::{AppreciationRecord, Filter, Kind, Reaction};
use tend_domain::check_in::CheckInRecord;
use tend_domain::conversation::{Conversation, Plan, Rating};
use tend_domain::listening::Verdict;
use tend_domain::secret::{Secret, SecretHash};
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{SessionId, Store, StoreError, UserId};
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn t(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn new_user(email: &str) -> NewUserRecord {
    NewUserRecord {
        email: email.into(),
        display_name: email.split('@').next().unwrap_or("x").into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    }
}

async fn register(store: &dyn Store, email: &str, gate: Gate) -> User {
    match store.register(&new_user(email), &gate, t("2026-01-01T00:00:00Z")).await.expect("register") {
        RegisterOutcome::Created { user, .. } => user,
        other => panic!("{email}: {other:?}"),
    }
}

fn invite(inviter: UserId, token: &Secret, code: &str, now: Timestamp) -> NewInvite {
    NewInvite {
        inviter,
        token_hash: token.hash(),
        code_hash: SecretHash::of(code),
        now,
        expires_at: now.checked_add(SignedDuration::from_hours(24 * 7)).expect("in range"),
    }
}

async fn first_account_then_closed(db: TestDb) {
    let s = &db.store;
    s.ping().await.expect("ping");
    assert!(!s.is_founded().await.expect("read"));
    let first = register(s, "a@example.org", Gate::FirstAccount).await;
    assert_eq!(first.email, "a@example.org");
    assert_eq!(first.time_zone.as_str(), "Europe/Berlin");
    assert_eq!(first.couple_id, None);
    assert!(s.is_founded().await.expect("read"));
    let second =
        s.register(&new_user("b@example.org"), &Gate::FirstAccount, t("2026-01-01T00:00:00Z")).await.expect("ok");
    assert_eq!(second, RegisterOutcome::Closed);
    assert_eq!(s.user_by_email("b@example.org").await.expect("read"), None, "a refused sign-up writes nothing");
    register(s, "b@example.org", Gate::Open).await;
    let dup = s.register(&new_user("b@example.org"), &Gate::Open, t("2026-01-01T00:00:00Z")).await.expect("ok");
    assert_eq!(dup, RegisterOutcome::EmailTaken);
}

async fn profiles_and_passwords(db: TestDb) {
    let s = &db.store;
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    assert_eq!(s.user(a.id).await.expect("read").as_ref(), Some(&a));
    assert_eq!(s.user(UserId(9_999)).await.expect("read"), None);
    assert_eq!(s.password_hash(a.id).await.expect("read").as_deref(), Some("hash"));
    s.set_password_hash(a.id, "new", t("2026-01-02T00:00:00Z")).await.expect("set");
    assert_eq!(s.password_hash(a.id).await.expect("read").as_deref(), Some("new"));
    assert_eq!(s.set_password_hash(UserId(9_999), "x", t("2026-01-02T00:00:00Z")).await, Err(StoreError::NotFound));

    let change = ProfileChange {
        display_name: Some("Alex".into()),
        time_zone: Some(TimeZoneName::parse("Asia/Tokyo").expect("zone")),
        email: None,
        hide_counts: Some(true),
    };
    let updated = s.update_profile(a.id, &change, t("2026-01-02T00:00:00Z")).await.expect("update");
    assert_eq!(
        (updated.display_name.as_str(), updated.time_zone.as_str(), updated.email.as_str()),
        ("Alex", "Asia/Tokyo", "a@example.org")
    );
    assert!(updated.hide_counts);
    let taken = ProfileChange { email: Some(b.email.clone()), ..Default::default() };
    assert!(matches!(s.update_profile(a.id, &taken, t("2026-01-02T00:00:00Z")).await, Err(StoreError::Conflict(_))));
    assert_eq!(
        s.user(a.id).await.expect("read").map(|u| u.email),
        Some("a@example.org".into()),
        "a refused change writes nothing"
    );
}

async fn sessions_live_expire_and_revoke(db: TestDb) {
    let s = &db.store;
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let now = t("2026-01-01T00:00:00Z");
    let token = Secret::generate("");
    let new = NewSession {
        user_id: a.id,
        token_hash: token.hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: t("2026-01-31T00:00:00Z"),
    };
    let id = s.create_session(&new).await.expect("create");
    let (summary, csrf, user) = s.session_by_token(&token.hash(), now).await.expect("read").expect("found");
    assert_eq!((summary.id, csrf.as_str(), user.id, summary.user_agent.as_str()), (id, "csrf", a.id, "Firefox"));
    assert_eq!(s.session_by_token(&Secret::generate("").hash(), now).await.expect("read"), None);
    assert_eq!(s.session_by_token(&token.hash(), t("2026-02-01T00:00:00Z")).await.expect("read"), None, "expired");

    s.touch_session(id, t("2026-01-20T00:00:00Z"), t("2026-02-20T00:00:00Z")).await.expect("touch");
    assert!(
        s.session_by_token(&token.hash(), t("2026-02-01T00:00:00Z")).await.expect("read").is_some(),
        "touching extends"
    );

    let second =
        s.create_session(&NewSession { token_hash: Secret::generate("").hash(), ..new.clone() }).await.expect("create");
    assert_eq!(s.sessions_of(a.id, now).await.expect("list").len(), 2);
    assert!(!s.delete_session(b.id, id).await.expect("delete"), "not someone else's");
    assert!(s.delete_session(a.id, id).await.expect("delete"));
    assert_eq!(s.sessions_of(a.id, now).await.expect("list").iter().map(|x| x.id).collect::<Vec<_>>(), vec![second]);
    s.create_session(&NewSession { token_hash: Secret::generate("").hash(), ..new }).await.expect("create");
    assert_eq!(s.delete_sessions_except(a.id, Some(second)).await.expect("delete"), 1);
    assert_eq!(s.sessions_of(a.id, now).await.expect("list").len(), 1);
    assert_eq!(s.delete_sessions_except(a.id, None::<SessionId>).await.expect("delete"), 1);
}

async fn api_tokens(db: TestDb) {
    let s = &db.store;
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let token = Secret::generate("tend_");
    let new = NewApiToken {
        user_id: a.id,
        name: "script".into(),
        token_hash: token.hash(),
        hint: "tend_abcd".into(),
        now: t("2026-01-01T00:00:00Z"),
    };
    let id = s.create_api_token(&new).await.expect("create");
    let (summary, user) = s.api_token_by_hash(&token.hash()).await.expect("read").expect("found");
    assert_eq!((summary.id, summary.name.as_str(), summary.last_used_at, user.id), (id, "script", None, a.id));
    s.touch_api_token(id, t("2026-01-02T00:00:00Z")).await.expect("touch");
    assert_eq!(s.api_tokens_of(a.id).await.expect("list")[0].last_used_at, Some(t("2026-01-02T00:00:00Z")));
    assert!(s.api_tokens_of(b.id).await.expect("list").is_empty());
    assert!(!s.delete_api_token(b.id, id).await.expect("delete"), "not someone else's");
    assert!(s.delete_api_token(a.id, id).await.expect("delete"));
    assert_eq!(s.api_token_by_hash(&token.hash()).await.expect("read"), None);
}

async fn failures_count_in_a_window(db: TestDb) {
    let s = &db.store;
    let keys = ["login:a".to_string(), "addr:1".to_string()];
    for minute in 0..3 {
        s.record_failure(&keys, t("2026-01-01T00:00:00Z") + SignedDuration::from_mins(minute)).await.expect("record");
    }
    assert_eq!(
        s.failures_since("login:a", t("2025-12-31T00:00:00Z")).await.expect("count"),
        (3, Some(t("2026-01-01T00:00:00Z")))
    );
    assert_eq!(
        s.failures_since("login:a", t("2026-01-01T00:00:30Z")).await.expect("count"),
        (2, Some(t("2026-01-01T00:01:00Z")))
    );
    assert_eq!(s.failures_since("login:b", t("2025-12-31T00:00:00Z")).await.expect("count"), (0, None));
    s.clear_failures("login:a").await.expect("clear");
    assert_eq!(s.failures_since("login:a", t("2025-12-31T00:00:00Z")).await.expect("count").0, 0);
    assert_eq!(s.failures_since("addr:1", t("2025-12-31T00:00:00Z")).await.expect("count").0, 3, "other keys stay");
    assert_eq!(s.prune_failures(t("2026-01-01T00:01:00Z")).await.expect("prune"), 2);
}

async fn invites_pair_two_people_once(db: TestDb) {
    let s = &db.store;
    let now = t("2026-01-01T00:00:00Z");
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let c = register(s, "c@example.org", Gate::Open).await;

    let old = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &old, "code:OLD", now)).await.expect("invite");
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:NEW", now)).await.expect("invite");
    assert_eq!(s.invite_by_hash(&old.hash()).await.expect("read"), None, "a new invite replaces the old one");
    let open = s.open_invite_of(a.id, now).await.expect("read").expect("open");
    assert_eq!(open.inviter.id, a.id);
    assert_eq!(s.invite_by_hash(&SecretHash::of("code:NEW")).await.expect("read").map(|i| i.id), Some(open.id));
    assert_eq!(s.open_invite_of(a.id, t("2026-01-09T00:00:00Z")).await.expect("read"), None, "expired");

    assert_eq!(s.redeem_invite(&token.hash(), a.id, now).await.expect("redeem"), Err(RedeemFailure::OwnInvite));
    assert_eq!(
        s.redeem_invite(&token.hash(), b.id, t("2026-01-09T00:00:00Z")).await.expect("redeem"),
        Err(RedeemFailure::Expired)
    );
    assert_eq!(
        s.redeem_invite(&Secret::generate("inv_").hash(), b.id, now).await.expect("redeem"),
        Err(RedeemFailure::Unknown)
    );
    let couple = s.redeem_invite(&SecretHash::of("code:NEW"), b.id, now).await.expect("redeem").expect("paired");
    assert_eq!(s.redeem_invite(&token.hash(), c.id, now).await.expect("redeem"), Err(RedeemFailure::Used));
    let members: Vec<UserId> = s.users_in_couple(couple).await.expect("members").iter().map(|u| u.id).collect();
    assert_eq!(members, vec![a.id, b.id]);
    assert_eq!(s.couple_since(couple).await.expect("since"), Some(now));

    // A third person cannot squeeze in, even with an invite made before the pairing.
    let c_invite = Secret::generate("inv_");
    s.create_invite(&invite(c.id, &c_invite, "code:C", now)).await.expect("invite");
    assert_eq!(s.redeem_invite(&c_invite.hash(), a.id, now).await.expect("redeem"), Err(RedeemFailure::JoinerPaired));
    assert!(
        s.invite_by_hash(&c_invite.hash()).await.expect("read").is_some_and(|i| i.used_at.is_none()),
        "nothing half-done"
    );

    s.dissolve_couple(couple, t("2026-02-01T00:00:00Z")).await.expect("dissolve");
    assert!(s.users_in_couple(couple).await.expect("members").is_empty());
    assert_eq!(s.couple_since(couple).await.expect("since"), None);
    assert_eq!(s.dissolve_couple(couple, t("2026-02-01T00:00:00Z")).await, Err(StoreError::NotFound));
    assert_eq!(s.user(a.id).await.expect("read").and_then(|u| u.couple_id), None);
    assert_eq!(s.cancel_invites_of(c.id).await.expect("cancel"), 1);
}

async fn sign_up_with_invite_is_all_or_nothing(db: TestDb) {
    let s = &db.store;
    let now = t("2026-01-01T00:00:00Z");
    let a = register(s, "a@example.org", Gate::FirstAccount).await;
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:A", now)).await.expect("invite");

    let bad =
        s.register(&new_user("b@example.org"), &Gate::Invite(Secret::generate("inv_").hash()), now).await.expect("ok");
    assert_eq!(bad, RegisterOutcome::Invite(RedeemFailure::Unknown));
    assert_eq!(s.user_by_email("b@example.org").await.expect("read"), None, "no account without a pairing");

    match s.register(&new_user("b@example.org"), &Gate::Invite(token.hash()), now).await.expect("ok") {
        RegisterOutcome::Created { user, couple: Some(couple) } => assert_eq!(user.couple_id, Some(couple)),
        other => panic!("{other:?}"),
    }
    let again = s.register(&new_user("c@example.org"), &Gate::Invite(token.hash()), now).await.expect("ok");
    assert_eq!(again, RegisterOutcome::Invite(RedeemFailure::Used));
    assert_eq!(s.user_by_email("c@example.org").await.expect("read"), None);
}

async fn racing_redemptions_make_one_couple(db: TestDb) {
    let s: Arc<dyn Store> = Arc::new(db.store.clone());
    let now = t("2026-01-01T00:00:00Z");
    let a = register(&*s, "a@example.org", Gate::Open).await;
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:A", now)).await.expect("invite");
    let mut joiners = Vec::new();
    for i in 0..6 {
        joiners.push(register(&*s, &format!("j{i}@example.org"), Gate::Open).await);
    }
    let tasks: Vec<_> = joiners
        .iter()
        .map(|j| {
            let (s, hash, id) = (s.clone(), token.hash(), j.id);
            tokio::spawn(async move { s.redeem_invite(&hash, id, now).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        if let Ok(Ok(_)) = task.await.expect("join") {
            won += 1;
        }
    }
    assert_eq!(won, 1);
    let couple = s.user(a.id).await.expect("read").and_then(|u| u.couple_id).expect("paired");
    assert_eq!(s.users_in_couple(couple).await.expect("members").len(), 2);
}

/// A paired couple, straight through the store.
async fn couple(s: &dyn Store, tag: &str) -> (User, User, tend_domain::CoupleId) {
    let now = t("2026-01-01T00:00:00Z");
    let a = register(s, &format!("a-{tag}@example.org"), Gate::Open).await;
    let b = register(s, &format!("b-{tag}@example.org"), Gate::Open).await;
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, &format!("code:{tag}"), now)).await.expect("invite");
    let c = s.redeem_invite(&token.hash(), b.id, now).await.expect("redeem").expect("paired");
    (a, b, c)
}

fn check_in(couple: tend_domain::CoupleId, author: UserId, day: &str, high: &str) -> CheckInRecord {
    CheckInRecord {
        couple,
        author,
        day: day.parse().expect("date"),
        high: high.into(),
        low: String::new(),
        closeness: 5,
        need: "a walk".into(),
        now: t("2026-01-05T20:00:00Z"),
    }
}

async fn check_ins_are_one_per_author_and_day(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    s.upsert_check_in(&check_in(c, a.id, "2026-01-05", "first")).await.expect("insert");
    s.upsert_check_in(&CheckInRecord { now: t("2026-01-05T21:00:00Z"), ..check_in(c, a.id, "2026-01-05", "edited") })
        .await
        .expect("update");
    s.upsert_check_in(&check_in(c, b.id, "2026-01-05", "b")).await.expect("insert");
    s.upsert_check_in(&check_in(c, a.id, "2026-01-04", "earlier")).await.expect("insert");
    s.upsert_check_in(&check_in(c, a.id, "2026-01-10", "later")).await.expect("insert");
    let day = "2026-01-05".parse().expect("date");
    let found = s.check_ins_between(c, day, day).await.expect("read");
    assert_eq!(found.len(), 2, "one per author, the edit replaced the first");
    let mine = found.iter().find(|x| x.author == a.id).expect("a's");
    assert_eq!((mine.high.as_str(), mine.closeness, mine.need.as_str()), ("edited", 5, "a walk"));
    assert_eq!((mine.created_at, mine.updated_at), (t("2026-01-05T20:00:00Z"), t("2026-01-05T21:00:00Z")));
    let range =
        s.check_ins_between(c, "2026-01-01".parse().expect("d"), "2026-01-09".parse().expect("d")).await.expect("read");
    assert_eq!(range.iter().map(|x| x.day.to_string()).collect::<Vec<_>>(), ["2026-01-05", "2026-01-05", "2026-01-04"]);
    assert!(s.check_ins_between(other, day, day).await.expect("read").is_empty(), "scoped to the couple");

    // Racing writers for the same author and day leave exactly one row.
    let store: Arc<dyn Store> = Arc::new(db.store.clone());
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let record = check_in(c, b.id, "2026-01-06", &format!("try {i}"));
            tokio::spawn(async move { store.upsert_check_in(&record).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("join").expect("upsert");
    }
    let day = "2026-01-06".parse().expect("date");
    assert_eq!(s.check_ins_between(c, day, day).await.expect("read").len(), 1);
}

async fn appreciations_list_search_and_react(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let record = |author: &User, recipient: &User, body: &str, minute: i64| AppreciationRecord {
        couple: c,
        author: author.id,
        recipient: recipient.id,
        kind: Kind::Gratitude,
        body: body.into(),
        starter_id: None,
        now: t("2026-01-05T20:00:00Z") + SignedDuration::from_mins(minute),
    };
    let first = s.create_appreciation(&record(&a, &b, "Thank you for the soup", 0)).await.expect("create");
    assert_eq!((first.kind, first.reaction, first.reply.as_str()), (Kind::Gratitude, None, ""));
    s.create_appreciation(&record(&a, &b, "100% proud of you_really", 1)).await.expect("create");
    s.create_appreciation(&record(&b, &a, "You listened so well", 2)).await.expect("create");

    let all = s.appreciations(c, &Filter { limit: 10, ..Filter::default() }).await.expect("list");
    assert_eq!(
        all.iter().map(|x| x.body.as_str()).collect::<Vec<_>>(),
        ["You listened so well", "100% proud of you_really", "Thank you for the soup"]
    );
    let by_a = s.appreciations(c, &Filter { author: Some(a.id), limit: 10, ..Filter::default() }).await.expect("list");
    assert_eq!(by_a.len(), 2);
    let paged = s
        .appreciations(c, &Filter { author: Some(a.id), limit: 1, offset: 1, ..Filter::default() })
        .await
        .expect("list");
    assert_eq!(paged.iter().map(|x| x.body.as_str()).collect::<Vec<_>>(), ["Thank you for the soup"]);
    let search = |q: &str| {
        let f = Filter { query: Some(q.into()), limit: 10, ..Filter::default() };
        async move { s.appreciations(c, &f).await.expect("search").len() }
    };
    assert_eq!(search("SOUP").await, 1, "case-insensitive");
    assert_eq!(search("100%").await, 1, "wildcards are literal");
    assert_eq!(search("%").await, 1);
    assert_eq!(search("_").await, 1);
    assert_eq!(search("nothing like this").await, 0);
    let since = s
        .appreciations(c, &Filter { since: Some(t("2026-01-05T20:01:00Z")), limit: 10, ..Filter::default() })
        .await
        .expect("list");
    assert_eq!(since.len(), 2);
    assert!(s.appreciations(other, &Filter { limit: 10, ..Filter::default() }).await.expect("list").is_empty());

    assert!(
        !s.react_to_appreciation(c, first.id, a.id, Some(Reaction::Hug), "", t("2026-01-06T00:00:00Z"))
            .await
            .expect("react"),
        "the author cannot react"
    );
    assert!(
        !s.react_to_appreciation(other, first.id, b.id, Some(Reaction::Hug), "", t("2026-01-06T00:00:00Z"))
            .await
            .expect("react"),
        "nor another couple"
    );
    assert!(
        s.react_to_appreciation(c, first.id, b.id, Some(Reaction::Hug), "so good", t("2026-01-06T00:00:00Z"))
            .await
            .expect("react")
    );
    let reacted = s.appreciation(c, first.id).await.expect("read").expect("found");
    assert_eq!(
        (reacted.reaction, reacted.reply.as_str(), reacted.reacted_at),
        (Some(Reaction::Hug), "so good", Some(t("2026-01-06T00:00:00Z")))
    );
    assert_eq!(s.appreciation(other, first.id).await.expect("read"), None);
    assert_eq!(search("so good").await, 1, "replies are searchable too");

    assert_eq!(s.seen_at(a.id).await.expect("read"), None);
    s.set_seen_at(a.id, t("2026-01-07T00:00:00Z")).await.expect("set");
    assert_eq!(s.seen_at(a.id).await.expect("read"), Some(t("2026-01-07T00:00:00Z")));
}

async fn events_reach_every_node(db: TestDb) {
    use tend_domain::events::{CoupleEvent, EventKind};
    // Two "nodes": two stores with their own event mechanisms on the same database.
    let second = tend_store::SqlStore::connect(&db.config).await.expect("connect");
    let one = tend_store::events::for_store(&db.store, &db.config).await;
    let two = tend_store::events::for_store(&second, &db.config).await;
    let mut on_two = two.subscribe();
    let mut on_one = one.subscribe();
    let event = CoupleEvent { couple: tend_domain::CoupleId(7), kind: EventKind::CheckIn };
    // Each node's LISTEN may take a moment to be in place on its fresh connection, so keep
    // publishing until both nodes have heard it (on SQLite there is only the one node).
    let across_nodes = db.store.backend() == tend_store::Backend::Postgres;
    let (mut heard_one, mut heard_two) = (false, !across_nodes);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !(heard_one && heard_two) {
        assert!(std::time::Instant::now() < deadline, "heard on one: {heard_one}, on two: {heard_two}");
        one.publish(event).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        while let Ok(e) = on_one.try_recv() {
            assert_eq!(e, event);
            heard_one = true;
        }
        while let Ok(e) = on_two.try_recv() {
            assert_eq!(e, event, "another node hears it through LISTEN/NOTIFY");
            heard_two = true;
        }
    }
}

async fn hugs_are_logged_per_couple(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (other_a, _, other) = couple(s, "y").await;
    s.log_hug(c, a.id, t("2026-01-05T20:00:00Z")).await.expect("log");
    s.log_hug(c, b.id, t("2026-01-06T20:00:00Z")).await.expect("log");
    s.log_hug(other, other_a.id, t("2026-01-06T20:00:00Z")).await.expect("log");
    let all = s.hugs_since(c, t("2026-01-01T00:00:00Z")).await.expect("read");
    assert_eq!(all, [t("2026-01-05T20:00:00Z"), t("2026-01-06T20:00:00Z")]);
    assert_eq!(s.hugs_since(c, t("2026-01-06T00:00:00Z")).await.expect("read").len(), 1);
    assert_eq!(s.hugs_since(other, t("2026-01-01T00:00:00Z")).await.expect("read").len(), 1);
}

fn talk(a: UserId, b: UserId, at: Timestamp) -> Conversation {
    let plan = Plan { minutes: 15, turn: SignedDuration::from_mins(15), shared_phone: false };
    Conversation::start(a, a, b, plan, at).expect("start")
}

async fn one_open_conversation_per_couple_and_steps_merge(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (oa, ob, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let new = talk(a.id, b.id, t0);
    let id = s.insert_conversation(c, &new).await.expect("insert").expect("first is open");
    assert_eq!(s.insert_conversation(c, &new).await.expect("insert"), None, "one open per couple");
    let theirs = s.insert_conversation(other, &talk(oa.id, ob.id, t0)).await.expect("insert");
    assert!(theirs.is_some(), "couples don't block each other");
    assert_eq!(s.open_conversation(c).await.expect("read").map(|(i, _)| i), Some(id));
    assert_eq!(s.conversation(other, id).await.expect("read"), None, "scoped to the couple");

    // Two phones write from the same stale snapshot: both steps stay.
    let mut joined = new.clone();
    joined.joined_at = Some(t0 + SignedDuration::from_mins(1));
    s.update_conversation(c, id, &joined, true).await.expect("join");
    let mut stale = new.clone();
    stale.first_heard_at = Some(t0 + SignedDuration::from_mins(5));
    stale.first_rating = Some(Rating::parse(6, 7).expect("valid"));
    let merged = s.update_conversation(c, id, &stale, true).await.expect("heard");
    assert_eq!(merged.joined_at, joined.joined_at, "a stale snapshot doesn't undo the join");
    assert_eq!(merged.first_heard_at, stale.first_heard_at);
    let mut again = merged.clone();
    again.joined_at = Some(t0 + SignedDuration::from_mins(9));
    again.first_rating = Some(Rating::parse(2, 3).expect("valid"));
    let merged = s.update_conversation(c, id, &again, true).await.expect("again");
    assert_eq!(merged.joined_at, joined.joined_at, "a time is set once");
    assert_eq!(merged.first_rating, Some(Rating::parse(2, 3).expect("valid")), "a rating is replaced");
    assert_eq!(merged.second_rating, None);
    assert_eq!(s.conversation(c, id).await.expect("read"), Some(merged.clone()));
    assert!(s.update_conversation(other, id, &merged, true).await.is_err(), "not another couple's");

    // Giving up the open place lets the next one start.
    s.update_conversation(c, id, &merged, false).await.expect("release");
    assert_eq!(s.open_conversation(c).await.expect("read"), None);
    let next = s.insert_conversation(c, &talk(b.id, a.id, t0 + SignedDuration::from_hours(1))).await.expect("insert");
    let next = next.expect("open again");
    let listed: Vec<i64> = s.conversations(c, 10).await.expect("list").into_iter().map(|(i, _)| i).collect();
    assert_eq!(listed, [next, id], "newest first");
    assert_eq!(s.conversations(c, 1).await.expect("list").len(), 1);
}

async fn racing_starts_make_one_conversation(db: TestDb) {
    let s: Arc<dyn Store> = Arc::new(db.store.clone());
    let (a, b, c) = couple(&*s, "x").await;
    let now = t("2026-01-05T20:00:00Z");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let s = s.clone();
            let new = if i % 2 == 0 { talk(a.id, b.id, now) } else { talk(b.id, a.id, now) };
            tokio::spawn(async move { s.insert_conversation(c, &new).await })
        })
        .collect();
    let mut opened = 0;
    for task in tasks {
        if task.await.expect("task").expect("insert").is_some() {
            opened += 1;
        }
    }
    assert_eq!(opened, 1);
    assert_eq!(s.conversations(c, 10).await.expect("list").len(), 1);
}

async fn listening_rounds_are_written_once(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let later = |m: i64| t0 + SignedDuration::from_mins(m);
    let id = s.insert_listening(c, a.id, b.id, "Work has been a lot.", t0).await.expect("insert").expect("open");
    assert_eq!(s.insert_listening(c, b.id, a.id, "Me too", t0).await.expect("insert"), None, "one open");
    assert!(s.listening(other, id).await.expect("read").is_none(), "scoped to the couple");
    assert!(!s.answer_listening(c, id, 1, Verdict::GotIt, None, later(1)).await.expect("answer"), "not yet reflected");
    assert!(s.reflect_listening(id, 1, "You're stretched.", "tired", later(2)).await.expect("reflect"));
    assert!(!s.reflect_listening(id, 1, "Again", "tired", later(2)).await.expect("reflect"), "once per round");
    assert!(
        s.answer_listening(c, id, 1, Verdict::NotQuite, Some("More that nobody sees it."), later(3)).await.expect("a")
    );
    assert!(!s.answer_listening(c, id, 1, Verdict::GotIt, None, later(3)).await.expect("answer"), "once per round");
    assert!(s.reflect_listening(id, 2, "It feels invisible.", "unseen", later(4)).await.expect("reflect"));
    assert!(s.answer_listening(c, id, 2, Verdict::GotIt, None, later(5)).await.expect("answer"));
    let done = s.listening(c, id).await.expect("read").expect("there");
    assert_eq!(done.rounds.len(), 2);
    assert_eq!(done.rounds[1].share, "More that nobody sees it.");
    assert_eq!(done.rounds[1].verdict, Some(Verdict::GotIt));
    assert_eq!((done.speaker, done.listener, done.closed_at), (a.id, b.id, Some(later(5))));
    assert!(s.open_listening(c).await.expect("read").is_none(), "closing frees the place");
    let swap = s.insert_listening(c, b.id, a.id, "My turn.", later(6)).await.expect("insert").expect("open");
    assert_eq!(s.open_listening(c).await.expect("read").map(|l| l.id), Some(swap));
    s.close_listening(c, swap, later(7)).await.expect("close");
    let all = s.listenings(c, 10).await.expect("list");
    assert_eq!(all.iter().map(|l| (l.id, l.rounds.len())).collect::<Vec<_>>(), [(swap, 1), (id, 2)]);
    assert!(s.listenings(other, 10).await.expect("list").is_empty());
}

async fn ladders_change_by_compare_and_set(db: TestDb) {
    let s = &db.store;
    let (_, _, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let (depth, completed, ready, v) = s.ladder(c).await.expect("ladder");
    assert_eq!((depth, completed, ready), (1, 0, [false, false]), "every couple starts at depth 1");
    assert!(s.save_ladder(c, v, 1, 7, [true, false]).await.expect("save"));
    assert!(!s.save_ladder(c, v, 2, 0, [false, false]).await.expect("save"), "a stale version is refused");
    assert_eq!(s.ladder(c).await.expect("read"), (1, 7, [true, false], v + 1));
    assert_eq!(s.ladder(other).await.expect("read").0, 1, "couples don't share a ladder");
}

fn answer(couple: tend_domain::CoupleId, author: UserId, body: &str, passed: bool, now: Timestamp) -> NewAnswerRecord {
    NewAnswerRecord { couple, author, body: body.into(), passed, depth: 1, now }
}

async fn answers_are_final_but_a_pass_can_become_one(db: TestDb) {
    let s = &db.store;
    let (a, b, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let now = t("2026-01-05T20:00:00Z");
    s.ladder(c).await.expect("the ladder, at depth 1");
    let id = s.ensure_exchange(c, "today-001", "today", 1, now).await.expect("exchange");
    assert_eq!(s.ensure_exchange(c, "today-001", "today", 1, now).await.expect("again"), id, "one per question");
    assert!(s.exchange(other, "today-001").await.expect("read").is_none(), "scoped to the couple");
    assert!(s.save_answer(id, &answer(c, a.id, "", true, now)).await.expect("pass"));
    assert!(s.save_answer(id, &answer(c, a.id, "Tea on the balcony.", false, now)).await.expect("pass becomes answer"));
    assert!(
        !s.save_answer(id, &answer(c, a.id, "Changed my mind", false, now)).await.expect("refused"),
        "an answer is final"
    );
    assert!(!s.save_answer(id, &answer(c, a.id, "", true, now)).await.expect("refused"), "and cannot become a pass");
    let deep = NewAnswerRecord { depth: 2, ..answer(c, b.id, "Too soon.", false, now) };
    assert!(!s.save_answer(id, &deep).await.expect("refused"), "not deeper than the couple's ladder");
    assert!(s.save_answer(id, &answer(c, b.id, "A long walk.", false, now)).await.expect("answer"));
    s.save_response(id, a.id, Some("care-1"), "Let's do that.", now).await.expect("respond");
    s.save_response(id, b.id, None, "Yes!", now).await.expect("respond");
    s.save_felt(id, a.id, tend_domain::exchange::Felt::parse(6, 7, 5).expect("valid")).await.expect("felt");
    s.save_favorite(id, b.id, true).await.expect("favorite");
    let e = s.exchange(c, "today-001").await.expect("read").expect("there");
    assert!(e.is_complete());
    let mine = e.answers.iter().find(|x| x.author == a.id).expect("a's part");
    assert_eq!(
        (mine.body.as_str(), mine.reply_id.as_deref(), mine.favorite),
        ("Tea on the balcony.", Some("care-1"), false)
    );
    assert_eq!(mine.felt.map(|f| f.accepted), Some(7));
    let (_, before, _, version) = s.ladder(c).await.expect("ladder");
    assert!(s.complete_exchange(c, id, 1, now).await.expect("complete"));
    assert!(!s.complete_exchange(c, id, 1, now).await.expect("complete"), "completed once");
    let (_, after, _, new_version) = s.ladder(c).await.expect("ladder");
    assert_eq!((after, new_version), (before + 1, version + 1), "counted once, in the same step");
    assert!(!s.complete_exchange(other, id, 1, now).await.expect("complete"), "not another couple's");
    let second = s.ensure_exchange(c, "love-map-040", "love-map", 2, now).await.expect("exchange");
    assert!(s.complete_exchange(c, second, 2, now).await.expect("complete"));
    assert_eq!(s.ladder(c).await.expect("ladder").1, after, "an exchange at another depth doesn't count");
    s.ensure_exchange(c, "play-001", "play", 1, t("2026-01-06T20:00:00Z")).await.expect("exchange");
    let all = s.exchanges(c).await.expect("list");
    assert_eq!(
        all.iter().map(|e| e.question_id.as_str()).collect::<Vec<_>>(),
        ["play-001", "love-map-040", "today-001"]
    );
    let day: jiff::civil::Date = "2026-01-05".parse().expect("date");
    s.add_question_draw(c, day, "today-002", now).await.expect("draw");
    s.add_question_draw(c, day, "today-003", now).await.expect("draw");
    s.add_question_draw(c, day, "today-003", now).await.expect("the same draw twice keeps one");
    assert_eq!(
        s.question_draws(c).await.expect("draws"),
        [(day, "today-002".to_owned()), (day, "today-003".to_owned())]
    );
    assert!(s.question_draws(other).await.expect("draws").is_empty());
}

both_backends!(ladders_change_by_compare_and_set, answers_are_final_but_a_pass_can_become_one);

both_backends!(
    one_open_conversation_per_couple_and_steps_merge,
    racing_starts_make_one_conversation,
    listening_rounds_are_written_once,
);

both_backends!(
    check_ins_are_one_per_author_and_day,
    appreciations_list_search_and_react,
    events_reach_every_node,
    hugs_are_logged_per_couple,
);

both_backends!(
    first_account_then_closed,
    profiles_and_passwords,
    sessions_live_expire_and_revoke,
    api_tokens,
    failures_count_in_a_window,
    invites_pair_two_people_once,
    sign_up_with_invite_is_all_or_nothing,
    racing_redemptions_make_one_couple,
);
