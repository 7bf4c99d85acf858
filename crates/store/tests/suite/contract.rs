//! The store contract: the same behaviour on SQLite and on PostgreSQL.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::appreciation::{AppreciationRecord, Filter, Kind, Reaction};
use tend_domain::check_in::CheckInRecord;
use tend_domain::conversation::{Conversation, Plan, Rating};
use tend_domain::listening::Verdict;
use tend_domain::reminder::{Channel, Choices, QuietHours};
use tend_domain::rhythm::{Practice, Slot};
use tend_domain::secret::{Secret, SecretHash};
use tend_domain::store::reminders::{
    Candidate, NewPushSubscription, NewReminder, PushSubscription, QueuedReminder, SentReminder, Settled,
};
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{EveningId, PushSubscriptionId, ReminderId, SessionId, Store, StoreError, UserId};
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
    let s = db.store.as_ref();
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
    let s = db.store.as_ref();
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
    let s = db.store.as_ref();
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
    let LiveSession { session: summary, csrf_token: csrf, user } =
        s.session_by_token(&token.hash(), now).await.expect("read").expect("found");
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

async fn password_resets_work_once_and_only_the_newest(db: TestDb) {
    let s = db.store.as_ref();
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let now = t("2026-01-01T00:00:00Z");
    let hour = t("2026-01-01T01:00:00Z");
    let (first, second, theirs) = (Secret::generate(""), Secret::generate(""), Secret::generate(""));
    s.create_password_reset(a.id, &first.hash(), now, hour).await.expect("first");
    s.create_password_reset(a.id, &second.hash(), now, hour).await.expect("second");
    s.create_password_reset(b.id, &theirs.hash(), now, hour).await.expect("b's");
    assert_eq!(s.password_reset_user(&first.hash(), now).await.expect("read"), None, "a newer link replaces it");
    assert_eq!(s.password_reset_user(&second.hash(), now).await.expect("read"), Some(a.id));
    assert_eq!(s.password_reset_user(&second.hash(), hour).await.expect("read"), None, "expired at the hour");
    assert_eq!(s.redeem_password_reset(&second.hash(), "h", hour).await.expect("late"), None);

    let session = NewSession {
        user_id: a.id,
        token_hash: Secret::generate("").hash(),
        csrf_token: "c".into(),
        user_agent: "ua".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: t("2026-02-01T00:00:00Z"),
    };
    s.create_session(&session).await.expect("session");
    let token =
        NewApiToken { user_id: a.id, name: "n".into(), token_hash: Secret::generate("").hash(), hint: "h".into(), now };
    s.create_api_token(&token).await.expect("token");
    let second_hash = second.hash();
    let (one, two) = tokio::join!(
        s.redeem_password_reset(&second_hash, "new-hash", now),
        s.redeem_password_reset(&second_hash, "other-hash", now)
    );
    let won: Vec<_> = [one.expect("one"), two.expect("two")].into_iter().flatten().collect();
    assert_eq!(won, vec![a.id], "used once, whoever is first");
    let hash = s.password_hash(a.id).await.expect("read").expect("a hash");
    assert!(hash == "new-hash" || hash == "other-hash", "{hash}");
    assert!(s.sessions_of(a.id, now).await.expect("list").is_empty(), "signed out everywhere");
    assert!(s.api_tokens_of(a.id).await.expect("list").is_empty(), "tokens revoked");
    assert_eq!(s.redeem_password_reset(&second.hash(), "again", now).await.expect("again"), None, "single use");
    assert_eq!(s.password_reset_user(&theirs.hash(), now).await.expect("read"), Some(b.id), "b's is untouched");

    // A deleted account's links go with it, though its row stays.
    assert!(s.delete_user(b.id, now).await.expect("delete"));
    assert_eq!(s.redeem_password_reset(&theirs.hash(), "revive", now).await.expect("redeem"), None);
}

async fn api_tokens(db: TestDb) {
    let s = db.store.as_ref();
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
    let TokenOwner { token: summary, user } = s.api_token_by_hash(&token.hash()).await.expect("read").expect("found");
    assert_eq!((summary.id, summary.name.as_str(), summary.last_used_at, user.id), (id, "script", None, a.id));
    s.touch_api_token(id, t("2026-01-02T00:00:00Z")).await.expect("touch");
    assert_eq!(s.api_tokens_of(a.id).await.expect("list")[0].last_used_at, Some(t("2026-01-02T00:00:00Z")));
    assert!(s.api_tokens_of(b.id).await.expect("list").is_empty());
    assert!(!s.delete_api_token(b.id, id).await.expect("delete"), "not someone else's");
    assert!(s.delete_api_token(a.id, id).await.expect("delete"));
    assert_eq!(s.api_token_by_hash(&token.hash()).await.expect("read"), None);
}

fn attempts(count: u64, oldest: Option<&str>) -> Attempts {
    Attempts { count, oldest: oldest.map(t) }
}

async fn attempts_count_in_a_window(db: TestDb) {
    let s = db.store.as_ref();
    let keys = ["login:a".to_string(), "addr:1".to_string()];
    let since = t("2025-12-31T00:00:00Z");
    for minute in 0..3 {
        let at = t("2026-01-01T00:00:00Z") + SignedDuration::from_mins(minute);
        let counted = s.record_attempt(&keys, at, since).await.expect("record");
        let n = u64::try_from(minute + 1).expect("small");
        assert_eq!(counted, [attempts(n, Some("2026-01-01T00:00:00Z")), attempts(n, Some("2026-01-01T00:00:00Z"))]);
    }
    // Counting from later leaves the first attempt out.
    let at = t("2026-01-01T00:03:00Z");
    let counted = s.record_attempt(&keys[..1], at, t("2026-01-01T00:00:30Z")).await.expect("record");
    assert_eq!(counted, [attempts(3, Some("2026-01-01T00:01:00Z"))]);
    let counted = s.record_attempt(&["login:b".to_string()], at, since).await.expect("record");
    assert_eq!(counted, [attempts(1, Some("2026-01-01T00:03:00Z"))], "keys are counted apart");
    s.clear_failures("login:a").await.expect("clear");
    let counted = s.record_attempt(&keys, t("2026-01-01T00:04:00Z"), since).await.expect("record");
    assert_eq!(counted[0].count, 1, "cleared, then this one");
    assert_eq!(counted[1].count, 4, "other keys stay");
    // Left: addr:1 at minutes 0, 1, 2 and 4, login:b at 3, login:a at 4. Pruning up to 00:03
    // takes the four at or before it.
    assert_eq!(s.prune_failures(t("2026-01-01T00:03:00Z")).await.expect("prune"), 4);

    let at = t("2026-01-02T00:00:00Z");
    let counted = s.record_attempt(&keys, at, t("2026-01-01T12:00:00Z")).await.expect("attempt");
    assert_eq!(counted, [attempts(1, Some("2026-01-02T00:00:00Z")), attempts(1, Some("2026-01-02T00:00:00Z"))]);
    s.forget_attempt("addr:1", at).await.expect("forget");
    let counted = s.record_attempt(&keys, at, t("2026-01-01T12:00:00Z")).await.expect("attempt");
    assert_eq!(counted[1].count, 1, "taken back, then this one");
    assert_eq!(counted[0].count, 2, "only under that key");
}

/// Fifty log-in attempts at once for one account: each is written down before it is counted,
/// so exactly as many see themselves within the limit as the limit allows.
async fn racing_attempts_are_all_counted(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let now = t("2026-01-02T00:00:00Z");
    let since = t("2026-01-01T23:45:00Z");
    let mut tries = tokio::task::JoinSet::new();
    for i in 0..50 {
        let s = s.clone();
        tries.spawn(async move {
            let keys = ["login:burst".to_string(), format!("addr:{i}")];
            s.record_attempt(&keys, now, since).await.map(|counts| counts[0].count)
        });
    }
    let mut seen: Vec<u64> = tries.join_all().await.into_iter().map(|r| r.expect("attempt")).collect();
    seen.sort_unstable();
    // Each attempt counts itself and every attempt written before it: however they interleave,
    // no more than five can find themselves within a limit of five, and the last sees all.
    assert!(seen.iter().filter(|&&n| n <= 5).count() <= 5, "too many attempts within the limit: {seen:?}");
    assert_eq!(seen.last(), Some(&50));
    assert!(seen.iter().all(|&n| n >= 1), "every attempt counts itself: {seen:?}");
}

async fn expired_sessions_are_pruned(db: TestDb) {
    let s = db.store.as_ref();
    let a = register(s, "a@example.org", Gate::Open).await;
    let session = |expires: &str| NewSession {
        user_id: a.id,
        token_hash: Secret::generate("").hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now: t("2026-01-01T00:00:00Z"),
        expires_at: t(expires),
    };
    s.create_session(&session("2026-01-10T00:00:00Z")).await.expect("create");
    let live = s.create_session(&session("2026-03-01T00:00:00Z")).await.expect("create");
    assert_eq!(s.prune_sessions(t("2026-02-01T00:00:00Z")).await.expect("prune"), 1);
    let left = s.sessions_of(a.id, t("2026-01-01T00:00:00Z")).await.expect("list");
    assert_eq!(left.iter().map(|x| x.id).collect::<Vec<_>>(), [live]);
}

async fn invites_pair_two_people_once(db: TestDb) {
    let s = db.store.as_ref();
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
    assert_eq!(s.couple_members(couple).await.map(|m| m.map(|(_, since)| since)).expect("since"), Some(now));
    let (together, since) = s.couple_members(couple).await.expect("members").expect("a couple");
    assert_eq!(together.iter().map(|u| u.id).collect::<Vec<_>>(), vec![a.id, b.id]);
    assert_eq!(since, now);

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
    assert_eq!(s.couple_members(couple).await.map(|m| m.map(|(_, since)| since)).expect("since"), None);
    assert_eq!(s.couple_members(couple).await.expect("members"), None, "an ended couple has no members");
    assert_eq!(s.dissolve_couple(couple, t("2026-02-01T00:00:00Z")).await, Err(StoreError::NotFound));
    assert_eq!(s.user(a.id).await.expect("read").and_then(|u| u.couple_id), None);
    assert_eq!(s.cancel_invites_of(c.id).await.expect("cancel"), 1);
}

async fn sign_up_with_invite_is_all_or_nothing(db: TestDb) {
    let s = db.store.as_ref();
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
    let s: Arc<dyn Store> = db.store.clone();
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
    let s = db.store.as_ref();
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
    let store: Arc<dyn Store> = db.store.clone();
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
    let s = db.store.as_ref();
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
    // Both ends are filtered by the query, before the limit: a window of older appreciations
    // is found however many newer ones there are.
    let window = Filter {
        since: Some(t("2026-01-01T00:00:00Z")),
        until: Some(t("2026-01-05T20:01:00Z")),
        limit: 1,
        ..Filter::default()
    };
    let older = s.appreciations(c, &window).await.expect("list");
    assert_eq!(older.iter().map(|x| x.id).collect::<Vec<_>>(), [first.id]);
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

/// A reaction and a few words are two parts of one answer: giving one keeps the other, and
/// each replaces only its own kind. Replies stay searchable by their newest words.
async fn a_reaction_and_words_are_both_kept(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "rw").await;
    let record = AppreciationRecord {
        couple: c,
        author: a.id,
        recipient: b.id,
        kind: Kind::Respect,
        body: "How you handled the call".into(),
        starter_id: None,
        now: t("2026-01-05T20:00:00Z"),
    };
    let made = s.create_appreciation(&record).await.expect("create");
    let answer = |reaction, reply: &'static str, minute| async move {
        let at = t("2026-01-05T21:00:00Z") + SignedDuration::from_mins(minute);
        assert!(s.react_to_appreciation(c, made.id, b.id, reaction, reply, at).await.expect("react"));
        let read = s.appreciation(c, made.id).await.expect("read").expect("found");
        (read.reaction, read.reply, read.reacted_at)
    };
    assert_eq!(
        answer(Some(Reaction::Love), "", 0).await,
        (Some(Reaction::Love), String::new(), Some(t("2026-01-05T21:00:00Z")))
    );
    assert_eq!(
        answer(None, "That meant a lot", 1).await,
        (Some(Reaction::Love), "That meant a lot".into(), Some(t("2026-01-05T21:01:00Z"))),
        "words keep the heart"
    );
    assert_eq!(
        answer(Some(Reaction::Moved), "", 2).await,
        (Some(Reaction::Moved), "That meant a lot".into(), Some(t("2026-01-05T21:02:00Z"))),
        "a new reaction keeps the words"
    );
    assert_eq!(
        answer(None, "Still smiling", 3).await,
        (Some(Reaction::Moved), "Still smiling".into(), Some(t("2026-01-05T21:03:00Z"))),
        "new words replace only the words"
    );
    let search = |q: &'static str| async move {
        s.appreciations(c, &Filter { query: Some(q.into()), limit: 10, ..Filter::default() })
            .await
            .expect("search")
            .len()
    };
    assert_eq!((search("still smiling").await, search("meant a lot").await), (1, 0), "the newest words are found");
}

/// A heart from one phone and words from the other, sent at the same moment, are both kept.
async fn racing_reaction_and_words_keep_both(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let mut made = Vec::new();
    for i in 0..10 {
        let (a, b, c) = couple(s.as_ref(), &format!("rr{i}")).await;
        let record = AppreciationRecord {
            couple: c,
            author: a.id,
            recipient: b.id,
            kind: Kind::Gratitude,
            body: format!("Thank you {i}"),
            starter_id: None,
            now: t("2026-01-05T20:00:00Z"),
        };
        made.push((c, b.id, s.create_appreciation(&record).await.expect("create").id));
    }
    let at = t("2026-01-05T21:00:00Z");
    let mut answers = tokio::task::JoinSet::new();
    for &(c, b, id) in &made {
        for (reaction, reply) in [(Some(Reaction::Hug), ""), (None, "Anytime")] {
            let s = s.clone();
            answers.spawn(async move { s.react_to_appreciation(c, id, b, reaction, reply, at).await });
        }
    }
    assert!(answers.join_all().await.into_iter().all(|r| r.expect("react")));
    for &(c, _, id) in &made {
        let read = s.appreciation(c, id).await.expect("read").expect("found");
        assert_eq!((read.reaction, read.reply.as_str()), (Some(Reaction::Hug), "Anytime"));
    }
}

async fn events_reach_every_node(db: TestDb) {
    use tend_domain::events::{Audience, CoupleEvent, EventKind, Signal};
    // Two "nodes": two stores with their own event mechanisms on the same database.
    let second = tend_store::Database::connect(&db.config).await.expect("connect");
    let one = tend_store::events::for_database(&db.database, &db.config).await;
    let two = tend_store::events::for_database(&second, &db.config).await;
    let ours = Audience::Couple(tend_domain::CoupleId(7));
    let mut on_two = two.subscribe(ours);
    let mut on_one = one.subscribe(ours);
    // Another couple's subscribers, on both nodes, hear nothing of it.
    let theirs = Audience::Couple(tend_domain::CoupleId(8));
    let mut others = [one.subscribe(theirs), two.subscribe(theirs)];
    let event = CoupleEvent { couple: tend_domain::CoupleId(7), kind: EventKind::CheckIn };
    // Each node's LISTEN may take a moment to be in place on its fresh connection, so keep
    // publishing until both nodes have heard it (on SQLite there is only the one node).
    let across_nodes = db.database.backend() == tend_store::Backend::Postgres;
    let (mut heard_one, mut heard_two) = (false, !across_nodes);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !(heard_one && heard_two) {
        assert!(std::time::Instant::now() < deadline, "heard on one: {heard_one}, on two: {heard_two}");
        one.publish(event).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        while let Some(e) = on_one.try_recv() {
            assert_eq!(e, Signal::Change(EventKind::CheckIn));
            heard_one = true;
        }
        while let Some(e) = on_two.try_recv() {
            assert_eq!(e, Signal::Change(EventKind::CheckIn), "another node hears it through LISTEN/NOTIFY");
            heard_two = true;
        }
    }
    for other in &mut others {
        assert_eq!(other.try_recv(), None, "another couple hears nothing");
    }
}

/// When a node's LISTEN connection is cut and comes back, its open pages are told to resync,
/// since whatever was sent meanwhile is gone.
async fn a_lost_listen_connection_resyncs_pages(db: TestDb) {
    use tend_domain::events::{Audience, Signal};
    let events = tend_store::events::for_database(&db.database, &db.config).await;
    let mut live = events.subscribe(Audience::Couple(tend_domain::CoupleId(7)));
    if db.database.backend() != tend_store::Backend::Postgres {
        return; // One process, no connection to lose.
    }
    let channel = format!("tend_events_{}", db.config.schema.as_deref().unwrap_or(""));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        assert!(std::time::Instant::now() < deadline, "no resync after the LISTEN connection was cut");
        // Cut this node's LISTEN connection (once it is listening), as a network blip would.
        db.execute(&format!(
            "select pg_terminate_backend(pid) from pg_stat_activity where query = 'LISTEN \"{channel}\"'"
        ))
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        if std::iter::from_fn(|| live.try_recv()).any(|e| e == Signal::Resync) {
            break;
        }
    }
}

async fn hugs_are_logged_per_couple(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (other_a, _, other) = couple(s, "y").await;
    let same = SignedDuration::from_secs(120);
    assert!(s.log_hug(c, a.id, t("2026-01-05T20:00:00Z"), same).await.expect("log"));
    assert!(!s.log_hug(c, b.id, t("2026-01-05T20:01:00Z"), same).await.expect("log"), "the same hug");
    assert!(s.log_hug(c, b.id, t("2026-01-06T20:00:00Z"), same).await.expect("log"));
    assert!(s.log_hug(other, other_a.id, t("2026-01-06T20:00:00Z"), same).await.expect("log"), "per couple");
    let all = s.hugs_since(c, t("2026-01-01T00:00:00Z")).await.expect("read");
    assert_eq!(all, [t("2026-01-05T20:00:00Z"), t("2026-01-06T20:00:00Z")]);
    assert_eq!(s.hugs_since(c, t("2026-01-06T00:00:00Z")).await.expect("read").len(), 1);
    assert_eq!(s.hugs_since(other, t("2026-01-01T00:00:00Z")).await.expect("read").len(), 1);
}

/// Both phones tap "We hugged" at the same instant, for many couples at once: one hug each.
async fn racing_hugs_count_once(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let at = t("2026-01-05T20:00:00Z");
    let mut couples = Vec::new();
    for i in 0..10 {
        couples.push(couple(s.as_ref(), &format!("h{i}")).await);
    }
    let mut taps = tokio::task::JoinSet::new();
    for (a, b, c) in &couples {
        for (who, offset) in [(a.id, 0), (b.id, 1)] {
            let s = s.clone();
            let c = *c;
            taps.spawn(async move {
                s.log_hug(c, who, at + SignedDuration::from_millis(offset), SignedDuration::from_secs(120)).await
            });
        }
    }
    let logged = taps.join_all().await.into_iter().map(|r| r.expect("log")).filter(|&won| won).count();
    assert_eq!(logged, couples.len(), "one tap per couple wins");
    for (_, _, c) in &couples {
        assert_eq!(s.hugs_since(*c, t("2026-01-01T00:00:00Z")).await.expect("read").len(), 1);
    }
}

fn talk(a: UserId, b: UserId, at: Timestamp) -> Conversation {
    let plan = Plan { minutes: 15, turn: SignedDuration::from_mins(15), shared_phone: false };
    Conversation::start(a, a, b, plan, at).expect("start")
}

async fn one_open_conversation_per_couple_and_steps_merge(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, ob, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let new = talk(a.id, b.id, t0);
    let id = s.insert_conversation(c, &new).await.expect("insert").expect("first is open");
    assert_eq!(s.insert_conversation(c, &new).await.expect("insert"), None, "one open per couple");
    let theirs = s.insert_conversation(other, &talk(oa.id, ob.id, t0)).await.expect("insert");
    assert!(theirs.is_some(), "couples don't block each other");
    assert_eq!(s.open_conversation(c).await.expect("read").map(|o| o.id), Some(id));
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
    let listed: Vec<tend_domain::ConversationId> =
        s.conversations(c, 10).await.expect("list").into_iter().map(|o| o.id).collect();
    assert_eq!(listed, [next, id], "newest first");
    assert_eq!(s.conversations(c, 1).await.expect("list").len(), 1);
}

async fn racing_starts_make_one_conversation(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
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
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let later = |m: i64| t0 + SignedDuration::from_mins(m);
    let id = s.insert_listening(c, a.id, b.id, "Work has been a lot.", t0).await.expect("insert").expect("open");
    assert_eq!(s.insert_listening(c, b.id, a.id, "Me too", t0).await.expect("insert"), None, "one open");
    assert!(s.listening(other, id).await.expect("read").is_none(), "scoped to the couple");
    assert!(!s.answer_listening(c, id, 1, Verdict::GotIt, None, later(1)).await.expect("answer"), "not yet reflected");
    assert!(s.reflect_listening(c, id, 1, "You're stretched.", "tired", later(2)).await.expect("reflect"));
    assert!(!s.reflect_listening(c, id, 1, "Again", "tired", later(2)).await.expect("reflect"), "once per round");
    assert!(
        s.answer_listening(c, id, 1, Verdict::NotQuite, Some("More that nobody sees it."), later(3)).await.expect("a")
    );
    assert!(!s.answer_listening(c, id, 1, Verdict::GotIt, None, later(3)).await.expect("answer"), "once per round");
    assert!(s.reflect_listening(c, id, 2, "It feels invisible.", "unseen", later(4)).await.expect("reflect"));
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

fn slot(weekday: Option<jiff::civil::Weekday>, nth: Option<u8>, at: &str, minutes: u16, zone: &str) -> Slot {
    Slot { weekday, nth, at: at.parse().expect("time"), minutes, zone: TimeZoneName::parse(zone).expect("zone") }
}

fn proposal(practice: Practice, slot: &Slot, by: UserId, at: Timestamp) -> StoredSlot {
    StoredSlot { practice, slot: slot.clone(), proposed_by: by, proposed_at: at, agreed_at: None }
}

async fn slots_are_proposed_then_agreed_by_the_other(db: TestDb) {
    use jiff::civil::Weekday;
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, ob, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let later = |m: i64| t0 + SignedDuration::from_mins(m);
    let evening = Practice::TechFreeEvening;
    assert!(s.rhythm_slots(c).await.expect("read").is_empty());

    // A proposal reads back exactly, and a second one (by either partner) replaces it.
    let thursdays = slot(Some(Weekday::Thursday), None, "19:30", 180, "Europe/Berlin");
    s.propose_slot(c, evening, &thursdays, a.id, t0).await.expect("propose");
    assert_eq!(s.rhythm_slots(c).await.expect("read"), [proposal(evening, &thursdays, a.id, t0)]);
    let first_sunday = slot(Some(Weekday::Sunday), Some(1), "17:05", 600, "America/New_York");
    s.propose_slot(c, evening, &first_sunday, b.id, later(1)).await.expect("propose");
    assert_eq!(s.rhythm_slots(c).await.expect("read"), [proposal(evening, &first_sunday, b.id, later(1))]);

    // Only the other partner can accept, and only once.
    assert!(!s.accept_slot(c, evening, b.id, None, later(2)).await.expect("accept"), "not one's own proposal");
    assert!(!s.accept_slot(other, evening, oa.id, None, later(2)).await.expect("accept"), "not another couple's");
    assert!(!s.drop_slot_proposal(other, evening).await.expect("drop"), "not another couple's");
    assert!(s.accept_slot(c, evening, a.id, None, later(3)).await.expect("accept"));
    assert!(!s.accept_slot(c, evening, a.id, None, later(3)).await.expect("accept"), "nothing left to accept");
    let agreed = StoredSlot { agreed_at: Some(later(3)), ..proposal(evening, &first_sunday, b.id, later(1)) };
    assert_eq!(s.rhythm_slots(c).await.expect("read"), std::slice::from_ref(&agreed));
    assert!(s.rhythm_slots(other).await.expect("read").is_empty(), "another couple sees none");

    // A new proposal waits beside the agreed slot; accepted, it replaces it. A yes to the
    // proposal one saw does not agree to a newer one made meanwhile.
    let daily = slot(None, None, "00:00", 10, "UTC");
    s.propose_slot(c, evening, &daily, a.id, later(4)).await.expect("propose");
    assert_eq!(s.rhythm_slots(c).await.expect("read"), [proposal(evening, &daily, a.id, later(4)), agreed.clone()]);
    assert!(!s.accept_slot(other, evening, ob.id, None, later(5)).await.expect("accept"), "not another couple's");
    assert!(
        !s.accept_slot(c, evening, b.id, Some(later(3)), later(5)).await.expect("accept"),
        "the proposal seen was replaced by a newer one"
    );
    assert!(s.accept_slot(c, evening, b.id, Some(later(4)), later(5)).await.expect("accept"), "the one seen");
    let replaced = StoredSlot { agreed_at: Some(later(5)), ..proposal(evening, &daily, a.id, later(4)) };
    assert_eq!(s.rhythm_slots(c).await.expect("read"), std::slice::from_ref(&replaced));

    // A proposal can be dropped; the agreed slot stays. Practices are kept apart, in order.
    let late = slot(Some(Weekday::Friday), None, "23:59", 45, "Pacific/Auckland");
    s.propose_slot(c, evening, &late, b.id, later(6)).await.expect("propose");
    let hugs = slot(None, None, "07:15", 10, "Europe/Berlin");
    s.propose_slot(c, Practice::Hug, &hugs, b.id, later(7)).await.expect("propose");
    assert!(!s.drop_slot_proposal(other, Practice::Hug).await.expect("drop"), "not another couple's");
    assert!(s.drop_slot_proposal(c, evening).await.expect("drop"));
    assert!(!s.drop_slot_proposal(c, evening).await.expect("drop"), "dropped already");
    assert!(!s.accept_slot(c, evening, a.id, None, later(8)).await.expect("accept"), "nothing to accept");
    assert_eq!(s.rhythm_slots(c).await.expect("read"), [proposal(Practice::Hug, &hugs, b.id, later(7)), replaced]);
    assert!(s.rhythm_slots(other).await.expect("read").is_empty());

    // A zone that cannot be read is an error, not a default.
    db.execute("update rhythm_slots set zone = 'Mars/Olympus_Mons' where practice = 'hug'").await;
    assert!(matches!(s.rhythm_slots(c).await, Err(StoreError::Backend(_))), "an unknown zone is refused");
}

/// Both partners tap "Accept" on several phones at once: one accept wins, one agreed slot.
async fn racing_accepts_keep_one_agreed_slot(db: TestDb) {
    use jiff::civil::Weekday;
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(&*s, "x").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let practice = Practice::Conversation;
    for (round, at) in [(0, "19:00"), (1, "20:30")] {
        let wanted = slot(Some(Weekday::Wednesday), None, at, 30, "Europe/Berlin");
        s.propose_slot(c, practice, &wanted, a.id, t0).await.expect("propose");
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let s = s.clone();
                let by = if i % 4 == 0 { a.id } else { b.id };
                tokio::spawn(
                    async move { s.accept_slot(c, practice, by, None, t0 + SignedDuration::from_secs(i)).await },
                )
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            if task.await.expect("task").expect("accept") {
                won += 1;
            }
        }
        assert_eq!(won, 1, "round {round}");
        let slots = s.rhythm_slots(c).await.expect("read");
        assert_eq!(slots.len(), 1, "round {round}: {slots:?}");
        assert_eq!((&slots[0].slot, slots[0].proposed_by), (&wanted, a.id));
        assert!(slots[0].agreed_at.is_some());
    }
}

async fn practices_are_marked(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, _, other) = couple(s, "y").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let later = |m: i64| t0 + SignedDuration::from_mins(m);
    s.mark_practice(c, Practice::ShowAndTell, b.id, later(2)).await.expect("mark");
    s.mark_practice(c, Practice::ShowAndTell, a.id, later(1)).await.expect("mark");
    s.mark_practice(c, Practice::TechFreeEvening, a.id, later(3)).await.expect("mark");
    s.mark_practice(other, Practice::Hug, oa.id, later(1)).await.expect("mark");
    let mark = |practice, by, at| PracticeMark { practice, by, at };
    assert_eq!(
        s.practice_marks_since(c, t0).await.expect("read"),
        [
            mark(Practice::ShowAndTell, a.id, later(1)),
            mark(Practice::ShowAndTell, b.id, later(2)),
            mark(Practice::TechFreeEvening, a.id, later(3))
        ],
        "oldest first"
    );
    assert_eq!(
        s.practice_marks_since(c, later(2)).await.expect("read"),
        [mark(Practice::ShowAndTell, b.id, later(2)), mark(Practice::TechFreeEvening, a.id, later(3))]
    );
    assert!(s.practice_marks_since(c, later(4)).await.expect("read").is_empty());
    assert_eq!(s.practice_marks_since(other, t0).await.expect("read"), [mark(Practice::Hug, oa.id, later(1))]);
}

async fn one_open_evening_joined_ended_and_noted_once(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, ob, other) = couple(s, "y").await;
    let t0 = t("2026-01-08T18:30:00Z");
    let at = |m: i64| t0 + SignedDuration::from_mins(m);

    let id = s.start_evening(c, a.id, t0, at(180)).await.expect("start").expect("none open");
    assert_eq!(s.start_evening(c, b.id, at(1), at(181)).await.expect("start"), None, "one open per couple");
    let started = tend_domain::tech_free::Evening {
        id,
        started_by: a.id,
        started_at: t0,
        ends_at: at(180),
        joined_at: None,
        ended_at: None,
        ended_by: None,
        note: None,
        noted_by: None,
    };
    assert_eq!(s.open_evening(c, at(1)).await.expect("read"), Some(started.clone()));
    assert_eq!(s.evening(c, id).await.expect("read"), Some(started.clone()));

    // Another couple neither sees nor changes it, and is not blocked by it.
    assert_eq!(s.open_evening(other, at(1)).await.expect("read"), None);
    assert_eq!(s.evening(other, id).await.expect("read"), None);
    assert!(!s.join_evening(other, id, ob.id, at(2)).await.expect("join"));
    assert!(!s.end_evening(other, id, oa.id, at(2)).await.expect("end"));
    let theirs = s.start_evening(other, oa.id, at(1), at(181)).await.expect("start").expect("their own");

    // The other partner joins once; the starter cannot; a note waits until it is over.
    assert!(!s.join_evening(c, id, a.id, at(2)).await.expect("join"), "not by the one who started it");
    assert!(s.join_evening(c, id, b.id, at(2)).await.expect("join"));
    assert!(!s.join_evening(c, id, b.id, at(3)).await.expect("join"), "once");
    assert!(!s.note_evening(c, id, a.id, "A walk", at(3)).await.expect("note"), "not over yet");
    assert!(!s.note_evening(other, id, oa.id, "Ours", at(200)).await.expect("note"), "not another couple's");

    // "We're back": once, and the place is free.
    assert!(s.end_evening(c, id, b.id, at(60)).await.expect("end"));
    assert!(!s.end_evening(c, id, a.id, at(61)).await.expect("end"), "once");
    assert!(!s.join_evening(c, id, b.id, at(61)).await.expect("join"), "over");
    assert_eq!(s.open_evening(c, at(61)).await.expect("read"), None);
    assert!(s.note_evening(c, id, a.id, "A walk", at(62)).await.expect("note"));
    assert!(s.note_evening(c, id, b.id, "A long walk by the river", at(63)).await.expect("note"), "the latest counts");
    let ended = tend_domain::tech_free::Evening {
        joined_at: Some(at(2)),
        ended_at: Some(at(60)),
        ended_by: Some(b.id),
        note: Some("A long walk by the river".into()),
        noted_by: Some(b.id),
        ..started
    };
    assert_eq!(s.evening(c, id).await.expect("read"), Some(ended.clone()));

    // An evening that runs to its end time stops being open then, and the next start frees its
    // place; it ended by time, so it has no ended_at.
    let second = s.start_evening(c, b.id, at(120), at(300)).await.expect("start").expect("free again");
    assert_eq!(s.open_evening(c, at(299)).await.expect("read").map(|e| e.id), Some(second));
    assert_eq!(s.open_evening(c, at(300)).await.expect("read"), None, "past its end");
    assert!(!s.join_evening(c, second, a.id, at(300)).await.expect("join"), "past its end");
    assert!(!s.end_evening(c, second, a.id, at(300)).await.expect("end"), "past its end");
    assert!(!s.note_evening(c, second, a.id, "Cards", at(299)).await.expect("note"), "not over yet");
    assert!(s.note_evening(c, second, a.id, "Cards", at(300)).await.expect("note"), "over by time");
    let third = s.start_evening(c, a.id, at(301), at(480)).await.expect("start").expect("the old one gave way");
    assert_eq!(s.open_evening(c, at(302)).await.expect("read").map(|e| e.id), Some(third));
    let second_now = s.evening(c, second).await.expect("read").expect("there");
    assert_eq!((second_now.ended_at, second_now.ended_by, second_now.note.as_deref()), (None, None, Some("Cards")));
    assert_eq!(s.start_evening(c, b.id, at(302), at(480)).await.expect("start"), None, "the new one is open");

    // Newest first, since a time, per couple.
    let ids = |list: Vec<tend_domain::tech_free::Evening>| list.into_iter().map(|e| e.id).collect::<Vec<EveningId>>();
    assert_eq!(ids(s.evenings_since(c, t0).await.expect("list")), [third, second, id]);
    assert_eq!(ids(s.evenings_since(c, at(1)).await.expect("list")), [third, second]);
    assert!(s.evenings_since(c, at(302)).await.expect("list").is_empty());
    assert_eq!(ids(s.evenings_since(other, t0).await.expect("list")), [theirs]);
}

/// Both phones tap "Phones away" at once, many times over: one evening, also when an earlier
/// evening that ran to its end still holds the place.
async fn racing_evening_starts_make_one(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(&*s, "x").await;
    for (round, start) in [(0, "2026-01-08T18:30:00Z"), (1, "2026-01-15T18:30:00Z")] {
        let now = t(start);
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let s = s.clone();
                let by = if i % 2 == 0 { a.id } else { b.id };
                let ends = now + SignedDuration::from_hours(3);
                tokio::spawn(async move { s.start_evening(c, by, now + SignedDuration::from_millis(i), ends).await })
            })
            .collect();
        let mut started = Vec::new();
        for task in tasks {
            if let Some(id) = task.await.expect("task").expect("start") {
                started.push(id);
            }
        }
        assert_eq!(started.len(), 1, "round {round}: {started:?}");
        let open = s.open_evening(c, now + SignedDuration::from_mins(1)).await.expect("read").map(|e| e.id);
        assert_eq!(open, started.first().copied(), "round {round}");
        assert_eq!(s.evenings_since(c, now).await.expect("list").len(), 1, "round {round}");
    }
}

// ---- Reminders ----

fn date(s: &str) -> jiff::civil::Date {
    s.parse().expect("date")
}

fn push_sub(tag: &str) -> NewPushSubscription {
    NewPushSubscription {
        endpoint: format!("https://push.example.org/{tag}"),
        p256dh: format!("key-{tag}"),
        auth: format!("auth-{tag}"),
        label: "Firefox on Linux".into(),
    }
}

fn reminder(
    user: UserId,
    couple: tend_domain::CoupleId,
    practice: Practice,
    occurrence: &str,
    channel: Channel,
    due: Timestamp,
) -> NewReminder {
    NewReminder {
        user_id: user,
        couple_id: couple,
        practice,
        occurrence: occurrence.into(),
        channel,
        nudged_by: None,
        due_at: due,
        expires_at: due + SignedDuration::from_hours(6),
    }
}

fn ids(claimed: &[QueuedReminder]) -> Vec<ReminderId> {
    claimed.iter().map(|q| q.id).collect()
}

async fn reminder_choices_round_trip(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, _) = couple(s, "x").await;
    let now = t("2026-01-05T20:00:00Z");
    let untouched = s.reminder_choices(a.id).await.expect("read");
    assert_eq!(untouched, Choices::default(), "everything off until they choose");
    assert_eq!(untouched.quiet, QuietHours::default());

    // Sorted as the domain sorts (practices in their order, push before email), which is not
    // the order of their names.
    let quiet = QuietHours { from: "23:30".parse().expect("time"), until: "07:15".parse().expect("time") };
    let wanted = vec![
        (Practice::Hug, Channel::Push),
        (Practice::CheckIn, Channel::Email),
        (Practice::TechFreeEvening, Channel::Push),
        (Practice::TechFreeEvening, Channel::Email),
    ];
    let chosen = Choices { quiet, wanted };
    s.save_reminder_choices(a.id, &chosen, now).await.expect("save");
    assert_eq!(s.reminder_choices(a.id).await.expect("read"), chosen);
    assert_eq!(s.reminder_choices(b.id).await.expect("read"), Choices::default(), "per person");

    // Saving replaces everything; equal times (no quiet hours) read back as they were.
    let noon = "12:00".parse().expect("time");
    let replaced =
        Choices { quiet: QuietHours { from: noon, until: noon }, wanted: vec![(Practice::Listening, Channel::Push)] };
    s.save_reminder_choices(a.id, &replaced, now).await.expect("save");
    assert_eq!(s.reminder_choices(a.id).await.expect("read"), replaced);

    // The one-click unsubscribe turns email off everywhere, and nothing else.
    let mixed = Choices {
        quiet,
        wanted: vec![
            (Practice::Hug, Channel::Email),
            (Practice::CheckIn, Channel::Push),
            (Practice::CheckIn, Channel::Email),
        ],
    };
    s.save_reminder_choices(a.id, &mixed, now).await.expect("save");
    s.save_reminder_choices(b.id, &mixed, now).await.expect("save");
    s.stop_email(a.id, now).await.expect("stop");
    assert_eq!(
        s.reminder_choices(a.id).await.expect("read"),
        Choices { quiet, wanted: vec![(Practice::CheckIn, Channel::Push)] }
    );
    assert_eq!(s.reminder_choices(b.id).await.expect("read"), mixed, "only theirs");

    // A time with seconds is refused rather than cut short, and nothing changes.
    let odd =
        Choices { quiet: QuietHours { from: "22:00:30".parse().expect("time"), until: noon }, wanted: Vec::new() };
    assert!(matches!(s.save_reminder_choices(b.id, &odd, now).await, Err(StoreError::Backend(_))));
    assert_eq!(s.reminder_choices(b.id).await.expect("read"), mixed);
}

async fn push_subscriptions_follow_their_endpoint(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, _) = couple(s, "x").await;
    let at = |m: i64| t("2026-01-05T20:00:00Z") + SignedDuration::from_mins(m);
    assert!(s.push_subscriptions(a.id).await.expect("list").is_empty());
    let phone = s.save_push_subscription(a.id, &push_sub("phone"), at(0)).await.expect("save");
    let laptop = s.save_push_subscription(a.id, &push_sub("laptop"), at(1)).await.expect("save");
    assert_ne!(phone, laptop);

    // The same browser subscribing again keeps its row, with its new keys and first date.
    let renewed = NewPushSubscription { p256dh: "key-new".into(), auth: "auth-new".into(), ..push_sub("phone") };
    assert_eq!(s.save_push_subscription(a.id, &renewed, at(2)).await.expect("save"), phone);
    let listed = s.push_subscriptions(a.id).await.expect("list");
    assert_eq!(
        listed,
        [
            PushSubscription {
                id: phone,
                user_id: a.id,
                endpoint: renewed.endpoint.clone(),
                p256dh: "key-new".into(),
                auth: "auth-new".into(),
                label: renewed.label.clone(),
                created_at: at(0),
            },
            PushSubscription {
                id: laptop,
                user_id: a.id,
                endpoint: push_sub("laptop").endpoint,
                p256dh: "key-laptop".into(),
                auth: "auth-laptop".into(),
                label: "Firefox on Linux".into(),
                created_at: at(1),
            },
        ],
        "oldest first"
    );

    // A shared device changing hands moves to its new owner, with their keys.
    let handed = NewPushSubscription { label: "Shared tablet".into(), ..push_sub("phone") };
    assert_eq!(s.save_push_subscription(b.id, &handed, at(3)).await.expect("save"), phone);
    assert_eq!(s.push_subscriptions(a.id).await.expect("list").iter().map(|p| p.id).collect::<Vec<_>>(), [laptop]);
    let theirs = s.push_subscriptions(b.id).await.expect("list");
    assert_eq!(
        theirs.iter().map(|p| (p.id, p.user_id, p.label.as_str(), p.created_at)).collect::<Vec<_>>(),
        [(phone, b.id, "Shared tablet", at(3))]
    );

    // Only one's own device can be removed; a gone endpoint is forgotten whoever had it.
    assert!(!s.delete_push_subscription(a.id, phone).await.expect("delete"), "not theirs any more");
    assert!(s.delete_push_subscription(b.id, phone).await.expect("delete"));
    assert!(!s.delete_push_subscription(b.id, phone).await.expect("delete"), "gone already");
    s.forget_push_endpoint(&push_sub("laptop").endpoint).await.expect("forget");
    s.forget_push_endpoint("https://push.example.org/never-seen").await.expect("forget nothing");
    assert!(s.push_subscriptions(a.id).await.expect("list").is_empty());
    assert!(s.push_subscriptions(b.id).await.expect("list").is_empty());
}

async fn calendar_tokens_open_one_feed(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, _) = couple(s, "x").await;
    let (t1, t2) = (t("2026-01-05T20:00:00Z"), t("2026-01-06T20:00:00Z"));
    let (first, second) = (Secret::generate("cal_"), Secret::generate("cal_"));
    assert_eq!(s.calendar_token_made(a.id).await.expect("read"), None);
    assert_eq!(s.calendar_owner(&first.hash()).await.expect("read"), None);
    s.set_calendar_token(a.id, Some(&first.hash()), t1).await.expect("set");
    assert_eq!(s.calendar_token_made(a.id).await.expect("read"), Some(t1));
    let me = s.user(a.id).await.expect("read");
    assert_eq!(s.calendar_owner(&first.hash()).await.expect("read"), me, "the whole person, as accounts read them");
    assert_eq!(s.calendar_token_made(b.id).await.expect("read"), None, "per person");

    // A new address replaces the old one, which opens nothing any more.
    s.set_calendar_token(a.id, Some(&second.hash()), t2).await.expect("replace");
    assert_eq!(s.calendar_token_made(a.id).await.expect("read"), Some(t2));
    assert_eq!(s.calendar_owner(&first.hash()).await.expect("read"), None);
    assert_eq!(s.calendar_owner(&second.hash()).await.expect("read").map(|u| u.id), Some(a.id));

    // Revoked: no address at all.
    s.set_calendar_token(a.id, None, t2).await.expect("revoke");
    assert_eq!(s.calendar_token_made(a.id).await.expect("read"), None);
    assert_eq!(s.calendar_owner(&second.hash()).await.expect("read"), None);
    s.set_calendar_token(a.id, None, t2).await.expect("revoking twice is fine");
}

async fn candidates_are_agreed_slots_people_chose(db: TestDb) {
    use jiff::civil::Weekday;
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, _, _) = couple(s, "y").await;
    let loner = register(s, "loner@example.org", Gate::Open).await;
    let now = t("2026-01-05T20:00:00Z");
    let choose = |wanted: Vec<(Practice, Channel)>| Choices { quiet: QuietHours::default(), wanted };
    assert!(s.reminder_candidates().await.expect("read").is_empty());

    let evenings = slot(Some(Weekday::Thursday), Some(2), "19:30", 180, "America/New_York");
    s.propose_slot(c, Practice::ShowAndTell, &evenings, a.id, now).await.expect("propose");
    assert!(s.accept_slot(c, Practice::ShowAndTell, b.id, None, now).await.expect("accept"));
    // Only proposed, never agreed: nothing to remind of.
    s.propose_slot(c, Practice::Hug, &slot(None, None, "07:00", 10, "UTC"), a.id, now).await.expect("propose");
    let everything = vec![
        (Practice::Hug, Channel::Push),
        (Practice::ShowAndTell, Channel::Push),
        (Practice::ShowAndTell, Channel::Email),
    ];
    s.save_reminder_choices(a.id, &choose(everything.clone()), now).await.expect("save");
    s.save_reminder_choices(oa.id, &choose(everything.clone()), now).await.expect("save");
    s.save_reminder_choices(loner.id, &choose(everything), now).await.expect("save");

    let mut found = s.reminder_candidates().await.expect("read");
    found.sort_by_key(|x| (x.user_id, x.practice, x.channel));
    let candidate = |channel| Candidate {
        user_id: a.id,
        couple_id: c,
        practice: Practice::ShowAndTell,
        channel,
        slot: evenings.clone(),
    };
    assert_eq!(found, [candidate(Channel::Push), candidate(Channel::Email)]);

    // The partner's choice joins the same agreed slot.
    s.save_reminder_choices(b.id, &choose(vec![(Practice::ShowAndTell, Channel::Email)]), now).await.expect("save");
    let found = s.reminder_candidates().await.expect("read");
    assert_eq!(found.len(), 3);
    assert!(found.iter().any(|x| x.user_id == b.id && x.channel == Channel::Email && x.slot == evenings));

    // A couple that parted has no rhythm to be reminded of.
    s.dissolve_couple(c, now).await.expect("dissolve");
    assert!(s.reminder_candidates().await.expect("read").is_empty());
}

async fn reminders_are_queued_once(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(&*s, "x").await;
    let due = t("2026-01-05T19:30:00Z");
    let first = reminder(a.id, c, Practice::CheckIn, "2026-01-05T20:30", Channel::Push, due);
    assert!(s.queue_reminder(&first).await.expect("queue"));
    let later = NewReminder { due_at: due + SignedDuration::from_mins(5), ..first.clone() };
    assert!(!s.queue_reminder(&later).await.expect("queue"), "the same reminder, planned again");
    assert!(s.queue_reminder(&NewReminder { channel: Channel::Email, ..first.clone() }).await.expect("queue"));
    assert!(s.queue_reminder(&NewReminder { user_id: b.id, ..first.clone() }).await.expect("queue"));
    assert!(s.queue_reminder(&NewReminder { practice: Practice::Hug, ..first.clone() }).await.expect("queue"));
    let next = NewReminder { occurrence: "2026-01-06T20:30".into(), ..first.clone() };
    assert!(s.queue_reminder(&next).await.expect("queue"));
    assert_eq!(db.scalar("select count(*) from reminders").await, 5);

    // Every node plans at the same minute: one row.
    let racing = reminder(b.id, c, Practice::Hug, "2026-01-05T07:00", Channel::Push, due);
    let mut planners = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (s, r) = (s.clone(), racing.clone());
        planners.spawn(async move { s.queue_reminder(&r).await });
    }
    let queued = planners.join_all().await.into_iter().map(|r| r.expect("queue")).filter(|&q| q).count();
    assert_eq!(queued, 1);

    // A reminder sent already is not queued again.
    let claimed = s.claim_reminders(due, due + SignedDuration::from_mins(2), 100).await.expect("claim");
    assert_eq!(claimed.len(), 6, "all are due: {claimed:?}");
    for q in &claimed {
        s.settle_reminder(q.id, &Settled::Sent, due).await.expect("settle");
    }
    assert!(!s.queue_reminder(&first).await.expect("queue"));
    assert_eq!(db.scalar("select count(*) from reminders").await, 6);
}

/// Two nodes (two pools on the same database) claim a full outbox at the same time, each
/// with two workers: every reminder is claimed exactly once.
async fn two_nodes_claim_each_reminder_once(db: TestDb) {
    let second = tend_store::Database::connect(&db.config).await.expect("a second node connects");
    let nodes: [Arc<dyn Store>; 2] = [db.store.clone(), second.raw_store()];
    let (a, b, c) = couple(&*db.store, "x").await;
    let due = t("2026-01-05T19:00:00Z");
    for i in 0..40 {
        let who = if i % 2 == 0 { a.id } else { b.id };
        let r = reminder(
            who,
            c,
            Practice::CheckIn,
            &format!("occurrence-{i}"),
            Channel::Push,
            due + SignedDuration::from_secs(i),
        );
        assert!(nodes[0].queue_reminder(&r).await.expect("queue"));
    }
    let now = t("2026-01-05T20:00:00Z");
    let lease = now + SignedDuration::from_mins(2);
    let mut workers = tokio::task::JoinSet::new();
    for node in &nodes {
        for _ in 0..2 {
            let node = node.clone();
            workers.spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = node.claim_reminders(now, lease, 3).await.expect("claim");
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch);
                }
            });
        }
    }
    let claimed: Vec<QueuedReminder> = workers.join_all().await.into_iter().flatten().collect();
    let mut claimed_ids = ids(&claimed);
    claimed_ids.sort();
    let before = claimed_ids.len();
    claimed_ids.dedup();
    assert_eq!(before, claimed_ids.len(), "a reminder was claimed twice");
    assert_eq!(claimed_ids.len(), 40, "every reminder was claimed");
    assert!(claimed.iter().all(|q| q.attempts == 1), "each claimed once: {claimed:?}");
    for node in &nodes {
        assert!(node.claim_reminders(now, lease, 100).await.expect("claim").is_empty(), "all held");
    }
    second.close().await;
}

/// A claim holds a reminder until its lease runs out; "later" puts it off; a settled one
/// stays settled.
async fn claims_are_leased_and_put_off(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let t0 = t("2026-01-05T20:00:00Z");
    let at = |m: i64| t0 + SignedDuration::from_mins(m);
    let first = reminder(a.id, c, Practice::CheckIn, "2026-01-05T21:00", Channel::Push, at(0));
    let nudge = NewReminder {
        nudged_by: Some(b.id),
        ..reminder(a.id, c, Practice::Hug, "nudge-2026-01-05", Channel::Email, at(1))
    };
    let evening = NewReminder {
        nudged_by: Some(b.id),
        ..reminder(a.id, c, Practice::TechFreeEvening, "nudge-2026-01-05", Channel::Push, at(60))
    };
    for r in [&first, &nudge, &evening] {
        assert!(s.queue_reminder(r).await.expect("queue"));
    }
    assert!(
        s.claim_reminders(at(0) - SignedDuration::from_secs(1), at(3), 10).await.expect("claim").is_empty(),
        "not due"
    );

    // Due ones, oldest first, exactly as queued.
    let claimed = s.claim_reminders(at(1), at(3), 10).await.expect("claim");
    assert_eq!(claimed.iter().map(|q| (&q.reminder, q.attempts)).collect::<Vec<_>>(), [(&first, 1), (&nudge, 1)]);
    let (first_id, nudge_id) = (claimed[0].id, claimed[1].id);
    assert!(s.claim_reminders(at(2), at(4), 10).await.expect("claim").is_empty(), "held until the lease ends");

    // The lease ran out (the node that held it died): another claim takes it, oldest first.
    let again = s.claim_reminders(at(3), at(5), 1).await.expect("claim");
    assert_eq!((ids(&again), again[0].attempts), (vec![first_id], 2));

    // Put off: claimable again only from the time given.
    let later = Settled::Later { at: at(10), error: Some("push service said 503".into()) };
    s.settle_reminder(first_id, &later, at(4)).await.expect("settle");
    let now_due = s.claim_reminders(at(9), at(11), 10).await.expect("claim");
    assert_eq!(ids(&now_due), [nudge_id], "the put-off one waits; the nudge's lease ran out");
    assert_eq!(now_due[0].attempts, 2);
    s.settle_reminder(nudge_id, &Settled::Dropped("done already".into()), at(9)).await.expect("settle");
    let retried = s.claim_reminders(at(10), at(12), 10).await.expect("claim");
    assert_eq!((ids(&retried), retried[0].attempts), (vec![first_id], 3));
    s.settle_reminder(first_id, &Settled::Sent, at(10)).await.expect("settle");

    // Settled is final: a late word from a node that lost its lease changes nothing.
    s.settle_reminder(first_id, &Settled::Dropped("too late".into()), at(11)).await.expect("settle");
    s.settle_reminder(first_id, &Settled::Later { at: at(12), error: None }, at(11)).await.expect("settle");
    let last = s.claim_reminders(at(120), at(122), 10).await.expect("claim");
    assert_eq!(last.iter().map(|q| &q.reminder).collect::<Vec<_>>(), [&evening]);
    s.settle_reminder(last[0].id, &Settled::Sent, at(120)).await.expect("settle");
    assert!(s.claim_reminders(at(500), at(502), 10).await.expect("claim").is_empty());

    let sent = |practice, channel, nudged_by, sent_at| SentReminder { practice, channel, nudged_by, sent_at };
    assert_eq!(
        s.reminders_sent(a.id, t0).await.expect("read"),
        [
            sent(Practice::TechFreeEvening, Channel::Push, Some(b.id), at(120)),
            sent(Practice::CheckIn, Channel::Push, None, at(10))
        ],
        "newest first, without the dropped one"
    );
    assert_eq!(s.reminders_sent(a.id, at(11)).await.expect("read").len(), 1);
    assert!(s.reminders_sent(b.id, t0).await.expect("read").is_empty());
}

/// Ten reminders for one person at once on a limit of three: three are counted, however the
/// takes interleave; a retry of a counted one is still counted, and only once.
async fn racing_takes_keep_the_daily_limit(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(&*s, "x").await;
    let now = t("2026-01-05T20:00:00Z");
    for i in 0..10 {
        let r = reminder(a.id, c, Practice::CheckIn, &format!("o-{i}"), Channel::Push, now);
        s.queue_reminder(&r).await.expect("queue");
    }
    s.queue_reminder(&reminder(b.id, c, Practice::CheckIn, "o-b", Channel::Push, now)).await.expect("queue");
    let claimed = s.claim_reminders(now, now + SignedDuration::from_mins(2), 100).await.expect("claim");
    let (mine, theirs): (Vec<_>, Vec<_>) = claimed.iter().partition(|q| q.reminder.user_id == a.id);
    let day = date("2026-01-05");
    let mut takes = tokio::task::JoinSet::new();
    for q in &mine {
        let (s, id) = (s.clone(), q.id);
        takes.spawn(async move { (id, s.take_reminder_slot(a.id, day, 3, id).await) });
    }
    let results: Vec<(ReminderId, bool)> =
        takes.join_all().await.into_iter().map(|(id, r)| (id, r.expect("take"))).collect();
    let won: Vec<ReminderId> = results.iter().filter(|(_, ok)| *ok).map(|(id, _)| *id).collect();
    let lost: Vec<ReminderId> = results.iter().filter(|(_, ok)| !*ok).map(|(id, _)| *id).collect();
    assert_eq!(won.len(), 3, "{results:?}");
    for id in &won {
        assert!(s.take_reminder_slot(a.id, day, 3, *id).await.expect("take"), "a retry is counted already");
    }
    assert!(!s.take_reminder_slot(a.id, day, 3, lost[0]).await.expect("take"), "the day is still full");
    assert_eq!(db.scalar("select count(*) from reminder_slots").await, 3);
    assert!(s.take_reminder_slot(a.id, date("2026-01-06"), 3, lost[0]).await.expect("take"), "another day");
    assert!(s.take_reminder_slot(b.id, day, 3, theirs[0].id).await.expect("take"), "another person");
    assert!(s.take_reminder_slot(a.id, day, 4, lost[1]).await.expect("take"), "a higher limit");
}

async fn nudges_are_one_a_day(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(&*s, "x").await;
    let (oa, _, other) = couple(&*s, "y").await;
    let at = |m: i64| t("2026-01-05T20:00:00Z") + SignedDuration::from_mins(m);
    let day = date("2026-01-05");
    assert!(s.record_nudge(c, a.id, Practice::Hug, day, at(0)).await.expect("nudge"));
    assert!(!s.record_nudge(c, a.id, Practice::CheckIn, day, at(1)).await.expect("nudge"), "one a day");
    assert!(s.record_nudge(c, b.id, Practice::CheckIn, day, at(2)).await.expect("nudge"), "each of them");
    assert!(s.record_nudge(c, a.id, Practice::Hug, date("2026-01-06"), at(3)).await.expect("nudge"), "the next day");
    assert!(s.record_nudge(other, oa.id, Practice::Hug, day, at(0)).await.expect("nudge"));
    assert_eq!(
        s.nudges_since(c, at(0)).await.expect("read"),
        [(a.id, Practice::Hug, at(3)), (b.id, Practice::CheckIn, at(2)), (a.id, Practice::Hug, at(0))],
        "newest first"
    );
    assert_eq!(s.nudges_since(c, at(1)).await.expect("read").len(), 2);
    assert_eq!(s.nudges_since(other, at(0)).await.expect("read"), [(oa.id, Practice::Hug, at(0))]);

    // Two taps at once: one nudge.
    let mut taps = tokio::task::JoinSet::new();
    for i in 0..8 {
        let s = s.clone();
        taps.spawn(async move { s.record_nudge(c, b.id, Practice::Hug, date("2026-01-06"), at(10 + i)).await });
    }
    let sent = taps.join_all().await.into_iter().map(|r| r.expect("nudge")).filter(|&n| n).count();
    assert_eq!(sent, 1);
}

/// Every node wakes for housekeeping at the same moment: exactly one runs it each period.
async fn racing_job_claims_have_one_winner(db: TestDb) {
    let second = tend_store::Database::connect(&db.config).await.expect("a second node connects");
    let nodes: [Arc<dyn Store>; 2] = [db.store.clone(), second.raw_store()];
    let hour = |h: i64| t("2026-01-05T00:00:00Z") + SignedDuration::from_hours(h);
    for period in 0..3 {
        let mut claims = tokio::task::JoinSet::new();
        for i in 0..10 {
            let node = nodes[i % 2].clone();
            claims.spawn(async move { node.claim_job("housekeeping", hour(period), hour(period + 1)).await });
        }
        let won = claims.join_all().await.into_iter().map(|r| r.expect("claim")).filter(|&w| w).count();
        assert_eq!(won, 1, "period {period}");
        let halfway = hour(period) + SignedDuration::from_mins(30);
        assert!(!db.store.claim_job("housekeeping", halfway, halfway).await.expect("claim"), "not due yet");
    }
    assert!(db.store.claim_job("other", hour(1), hour(2)).await.expect("claim"), "jobs are apart");
    second.close().await;
}

async fn instance_secrets_keep_the_first(db: TestDb) {
    let second = tend_store::Database::connect(&db.config).await.expect("a second node connects");
    let nodes: [Arc<dyn Store>; 2] = [db.store.clone(), second.raw_store()];
    let mut starts = tokio::task::JoinSet::new();
    for i in 0..10 {
        let node = nodes[i % 2].clone();
        starts.spawn(async move { node.instance_secret("vapid", &format!("fresh-{i}")).await });
    }
    let seen: Vec<String> = starts.join_all().await.into_iter().map(|r| r.expect("secret")).collect();
    assert!(seen[0].starts_with("fresh-"), "{seen:?}");
    assert!(seen.iter().all(|v| *v == seen[0]), "every node reads the same: {seen:?}");
    assert_eq!(db.store.instance_secret("vapid", "late").await.expect("secret"), seen[0]);
    assert_eq!(nodes[1].instance_secret("unsubscribe", "other").await.expect("secret"), "other");
    second.close().await;
}

async fn old_reminders_are_pruned(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let old = t("2025-11-01T12:00:00Z");
    let now = t("2026-01-05T12:00:00Z");
    let lease = |at: Timestamp| at + SignedDuration::from_mins(2);
    let queue = |tag: &str, due: Timestamp, expires: Timestamp| NewReminder {
        expires_at: expires,
        ..reminder(a.id, c, Practice::CheckIn, tag, Channel::Push, due)
    };
    let far = t("2026-12-01T00:00:00Z");
    for tag in ["sent", "dropped", "counted-today", "counted-long-ago", "expired", "waiting"] {
        let expires = if tag == "expired" { old + SignedDuration::from_hours(1) } else { far };
        assert!(s.queue_reminder(&queue(tag, old, expires)).await.expect("queue"));
    }
    let claimed = s.claim_reminders(old, lease(old), 10).await.expect("claim");
    let id = |tag: &str| claimed.iter().find(|q| q.reminder.occurrence == tag).expect("claimed").id;
    for tag in ["sent", "counted-today", "counted-long-ago"] {
        s.settle_reminder(id(tag), &Settled::Sent, old).await.expect("settle");
    }
    s.settle_reminder(id("dropped"), &Settled::Dropped("no device".into()), old).await.expect("settle");
    let put_off = Settled::Later { at: t("2026-06-01T00:00:00Z"), error: None };
    s.settle_reminder(id("expired"), &put_off, old).await.expect("settle");
    s.settle_reminder(id("waiting"), &put_off, old).await.expect("settle");
    assert!(s.take_reminder_slot(a.id, date("2026-01-05"), 3, id("counted-today")).await.expect("take"));
    assert!(s.take_reminder_slot(a.id, date("2025-11-01"), 3, id("counted-long-ago")).await.expect("take"));
    assert!(s.queue_reminder(&queue("recent", now, far)).await.expect("queue"));
    let recent = s.claim_reminders(now, lease(now), 10).await.expect("claim");
    assert_eq!(recent.iter().map(|q| q.reminder.occurrence.as_str()).collect::<Vec<_>>(), ["recent"]);
    s.settle_reminder(recent[0].id, &Settled::Sent, now).await.expect("settle");
    assert!(s.record_nudge(c, b.id, Practice::Hug, date("2025-11-01"), old).await.expect("nudge"));
    assert!(s.record_nudge(c, b.id, Practice::Hug, date("2026-01-05"), now).await.expect("nudge"));

    // Gone: the sent, the dropped, the expired and the one counted long ago (with its count),
    // and the old nudge. Kept: what is still waiting, what was sent lately, and what still
    // counts on a day that is kept.
    let (before, day_before) = (t("2025-12-06T00:00:00Z"), date("2025-12-06"));
    assert_eq!(s.prune_reminders(before, day_before).await.expect("prune"), 6);
    assert_eq!(db.scalar("select count(*) from reminders").await, 3);
    assert_eq!(db.scalar("select count(*) from reminder_slots").await, 1);
    assert_eq!(s.nudges_since(c, old).await.expect("read"), [(b.id, Practice::Hug, now)]);
    let sent: Vec<Timestamp> = s.reminders_sent(a.id, old).await.expect("read").iter().map(|r| r.sent_at).collect();
    assert_eq!(sent, [now, old]);
    assert_eq!(s.prune_reminders(before, day_before).await.expect("prune"), 0, "nothing left to prune");
    assert!(
        s.claim_reminders(t("2026-06-01T00:00:00Z"), t("2026-06-01T00:02:00Z"), 10)
            .await
            .expect("claim")
            .iter()
            .any(|q| q.reminder.occurrence == "waiting"),
        "the waiting one is still queued"
    );
    // Once its day goes, the one counted today goes with it.
    assert_eq!(s.prune_reminders(before, date("2026-01-06")).await.expect("prune"), 3);
    assert_eq!(db.scalar("select count(*) from reminders").await, 2);
}

both_backends!(
    reminder_choices_round_trip,
    push_subscriptions_follow_their_endpoint,
    calendar_tokens_open_one_feed,
    candidates_are_agreed_slots_people_chose,
    reminders_are_queued_once,
    two_nodes_claim_each_reminder_once,
    claims_are_leased_and_put_off,
    racing_takes_keep_the_daily_limit,
    nudges_are_one_a_day,
    racing_job_claims_have_one_winner,
    instance_secrets_keep_the_first,
    old_reminders_are_pruned,
);

async fn ladders_change_by_compare_and_set(db: TestDb) {
    let s = db.store.as_ref();
    let (_, _, c) = couple(s, "x").await;
    let (_, _, other) = couple(s, "y").await;
    let start = s.ladder(c).await.expect("ladder");
    assert_eq!(start, StoredLadder::default(), "every couple starts at depth 1");
    let changed = StoredLadder { completed: 7, ready: [true, false], ..start };
    assert!(s.save_ladder(c, &changed).await.expect("save"));
    let stale = StoredLadder { depth: 2, ..start };
    assert!(!s.save_ladder(c, &stale).await.expect("save"), "a stale version is refused");
    assert_eq!(s.ladder(c).await.expect("read"), StoredLadder { version: start.version + 1, ..changed });
    assert_eq!(s.ladder(other).await.expect("read").depth, 1, "couples don't share a ladder");
}

fn answer(couple: tend_domain::CoupleId, author: UserId, body: &str, passed: bool, now: Timestamp) -> NewAnswerRecord {
    NewAnswerRecord { couple, author, body: body.into(), passed, depth: 1, now }
}

async fn answers_are_final_but_a_pass_can_become_one(db: TestDb) {
    let s = db.store.as_ref();
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
    s.save_response(c, id, a.id, Some("care-1"), "Let's do that.", now).await.expect("respond");
    s.save_response(c, id, b.id, None, "Yes!", now).await.expect("respond");
    s.save_felt(c, id, a.id, tend_domain::questions::exchange::Felt::parse(6, 7, 5).expect("valid"))
        .await
        .expect("felt");
    s.save_favorite(c, id, b.id, true).await.expect("favorite");
    let e = s.exchange(c, "today-001").await.expect("read").expect("there");
    assert!(e.is_complete());
    let mine = e.answers.iter().find(|x| x.author == a.id).expect("a's part");
    assert_eq!(
        (mine.body.as_str(), mine.reply_id.as_deref(), mine.favorite),
        ("Tea on the balcony.", Some("care-1"), false)
    );
    assert_eq!(mine.felt.map(|f| f.accepted), Some(7));
    let before = s.ladder(c).await.expect("ladder");
    assert!(s.complete_exchange(c, id, 1, now).await.expect("complete"));
    assert!(!s.complete_exchange(c, id, 1, now).await.expect("complete"), "completed once");
    let after = s.ladder(c).await.expect("ladder");
    assert_eq!(
        (after.completed, after.version),
        (before.completed + 1, before.version + 1),
        "counted once, in the same step"
    );
    assert!(!s.complete_exchange(other, id, 1, now).await.expect("complete"), "not another couple's");
    let second = s.ensure_exchange(c, "love-map-040", "love-map", 2, now).await.expect("exchange");
    assert!(s.complete_exchange(c, second, 2, now).await.expect("complete"));
    assert_eq!(
        s.ladder(c).await.expect("ladder").completed,
        after.completed,
        "an exchange at another depth doesn't count"
    );
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
        [
            QuestionDraw { day, question_id: "today-002".to_owned() },
            QuestionDraw { day, question_id: "today-003".to_owned() }
        ]
    );
    assert!(s.question_draws(other).await.expect("draws").is_empty());
    let next: jiff::civil::Date = "2026-01-06".parse().expect("date");
    s.add_question_draw(c, next, "today-004", now).await.expect("draw");
    assert_eq!(s.question_draws_on(c, day).await.expect("draws").len(), 2, "one day's draws only");
    assert_eq!(
        s.question_draws_on(c, next).await.expect("draws"),
        [QuestionDraw { day: next, question_id: "today-004".to_owned() }]
    );
    assert!(s.question_draws_on(other, next).await.expect("draws").is_empty());
}

both_backends!(ladders_change_by_compare_and_set, answers_are_final_but_a_pass_can_become_one);

both_backends!(
    slots_are_proposed_then_agreed_by_the_other,
    racing_accepts_keep_one_agreed_slot,
    practices_are_marked,
    one_open_evening_joined_ended_and_noted_once,
    racing_evening_starts_make_one,
);

both_backends!(
    one_open_conversation_per_couple_and_steps_merge,
    racing_starts_make_one_conversation,
    listening_rounds_are_written_once,
);

both_backends!(
    check_ins_are_one_per_author_and_day,
    appreciations_list_search_and_react,
    a_reaction_and_words_are_both_kept,
    racing_reaction_and_words_keep_both,
    events_reach_every_node,
    a_lost_listen_connection_resyncs_pages,
    hugs_are_logged_per_couple,
    racing_hugs_count_once,
);

both_backends!(
    first_account_then_closed,
    profiles_and_passwords,
    sessions_live_expire_and_revoke,
    api_tokens,
    attempts_count_in_a_window,
    racing_attempts_are_all_counted,
    expired_sessions_are_pruned,
    invites_pair_two_people_once,
    sign_up_with_invite_is_all_or_nothing,
    racing_redemptions_make_one_couple,
);

/// A write naming another couple's exchange or listening changes nothing, however it is
/// reached: each store write takes the couple and filters by it.
/// Search ignores case in every alphabet on both databases, though the words are sealed.
async fn search_ignores_case_beyond_ascii(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let now = t("2026-01-05T20:00:00Z");
    let record = AppreciationRecord {
        couple: c,
        author: a.id,
        recipient: b.id,
        kind: Kind::Gratitude,
        body: "ÉCLAIR au café, ÇA m'a touché".into(),
        starter_id: None,
        now,
    };
    let made = s.create_appreciation(&record).await.expect("create");
    s.react_to_appreciation(c, made.id, b.id, None, "ΕΥΧΑΡΙΣΤΩ", now).await.expect("react");
    let found = |q: &'static str| async move {
        s.appreciations(c, &Filter { query: Some(q.into()), limit: 10, ..Filter::default() })
            .await
            .expect("search")
            .len()
    };
    assert_eq!(found("éclair").await, 1);
    assert_eq!(found("ça m'a").await, 1);
    assert_eq!(found("ευχαριστω").await, 1, "the reply is searched too");
    assert_eq!(db.scalar("select count(*) from appreciations where body like '%café%'").await, 0, "sealed");
}

async fn writes_are_scoped_to_the_couple(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "x").await;
    let (oa, _, other) = couple(s, "y").await;
    let now = t("2026-01-05T20:00:00Z");
    s.ladder(c).await.expect("ladder");
    s.ladder(other).await.expect("ladder");
    let id = s.ensure_exchange(c, "today-001", "today", 1, now).await.expect("exchange");
    assert!(s.save_answer(id, &answer(c, a.id, "Mine.", false, now)).await.expect("answer"));
    assert!(!s.save_answer(id, &answer(other, oa.id, "Intruder", false, now)).await.expect("refused"));
    let felt = tend_domain::questions::exchange::Felt::parse(1, 1, 1).expect("valid");
    assert_eq!(s.save_felt(other, id, a.id, felt).await, Err(StoreError::NotFound));
    assert_eq!(s.save_favorite(other, id, a.id, true).await, Err(StoreError::NotFound));
    assert_eq!(s.save_response(other, id, a.id, None, "x", now).await, Err(StoreError::NotFound));
    let e = s.exchange(c, "today-001").await.expect("read").expect("there");
    let mine = e.answers.iter().find(|x| x.author == a.id).expect("a's part");
    assert_eq!((mine.felt, mine.favorite, mine.reply_words.as_str()), (None, false, ""), "nothing changed");
    assert_eq!(e.answers.len(), 1, "the intruder's answer was not stored");

    let l = s.insert_listening(c, a.id, b.id, "Work.", now).await.expect("insert").expect("open");
    assert!(!s.reflect_listening(other, l, 1, "Not yours", "x", now).await.expect("reflect"));
    assert!(s.listening(c, l).await.expect("read").expect("there").rounds[0].reflection.is_none());
}

/// Every kind of write, on a store whose database refuses them. Each returns whether it
/// reported success; `seed` names rows that exist, so each write would change something.
struct Seed {
    a: User,
    b: User,
    couple: tend_domain::CoupleId,
    session: SessionId,
    ladder_version: i64,
    token: tend_domain::ApiTokenId,
    appreciation: tend_domain::AppreciationId,
    conversation: StoredConversation,
    listening: tend_domain::ListeningId,
    exchange: tend_domain::ExchangeId,
    /// An evening still open at the time of the writes, and one that is over.
    evening: EveningId,
    over_evening: EveningId,
    /// A second couple with nothing open, where new things can start.
    quiet: (User, User, tend_domain::CoupleId),
    /// An unpaired person with an open invite, and an unpaired person to redeem it.
    invite: Secret,
    joiner: User,
    /// Another unpaired person's open invite, to cancel.
    canceller: User,
    /// One of a's two devices, to remove (the other is forgotten by its endpoint).
    push: PushSubscriptionId,
    /// A reminder claimed for a, to settle and count; another waits in the outbox to be claimed.
    reminder: ReminderId,
    /// A memory photo of a's (shown to b), and a show-and-tell going in the quiet couple.
    memory: tend_domain::photo::PhotoId,
    show: tend_domain::ShowAndTellId,
    /// a's goals: one to change, cheer, accept help on, add to, react to and finish; one to delete.
    goals: GoalSeed,
    /// a's own idea, not shared yet; b's plans (of the match "seed-picnic") for a to accept
    /// and to call off; and one a accepted whose time has come by the writes.
    own_idea: tend_domain::ids::OwnIdeaId,
    plan_to_accept: tend_domain::ids::PlanId,
    plan_to_cancel: tend_domain::ids::PlanId,
    happened_plan: tend_domain::ids::PlanId,
}

/// a's goal (shared, not done) with b's offer of help and a's progress note, and another goal
/// of a's, with the same on it, to delete.
struct GoalSeed {
    goal: tend_domain::ids::GoalId,
    help: tend_domain::ids::CheerId,
    progress: tend_domain::ids::ProgressId,
    doomed: tend_domain::ids::GoalId,
}

fn photo_record(
    couple: tend_domain::CoupleId,
    owner: UserId,
    kind: tend_domain::store::photos::PhotoKind,
    now: Timestamp,
) -> tend_domain::store::photos::PhotoRecord {
    tend_domain::store::photos::PhotoRecord {
        id: tend_domain::photo::PhotoId::generate(),
        couple,
        owner,
        kind,
        caption: "The lake at dawn".into(),
        width: 1600,
        height: 1200,
        created_at: now,
        position: 0,
        show_and_tell: None,
        shown_at: (kind == tend_domain::store::photos::PhotoKind::Memory).then_some(now),
        reaction: None,
        reply: String::new(),
        replied_by: None,
        replied_at: None,
    }
}

async fn seed(s: &dyn Store) -> Seed {
    let (a, b, c) = couple(s, "seed").await;
    let now = t("2026-01-05T20:00:00Z");
    let new_session = || NewSession {
        user_id: a.id,
        token_hash: Secret::generate("").hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: t("2026-03-05T20:00:00Z"),
    };
    let session = s.create_session(&new_session()).await.expect("session");
    // A second one, for signing out everywhere.
    s.create_session(&new_session()).await.expect("session");
    let token = s
        .create_api_token(&NewApiToken {
            user_id: a.id,
            name: "phone".into(),
            token_hash: Secret::generate("tend_").hash(),
            hint: "tend_abc".into(),
            now,
        })
        .await
        .expect("token");
    let appreciation = s
        .create_appreciation(&AppreciationRecord {
            couple: c,
            author: a.id,
            recipient: b.id,
            kind: Kind::Gratitude,
            body: "Thank you for the tea.".into(),
            starter_id: None,
            now,
        })
        .await
        .expect("appreciation")
        .id;
    let talk = talk(a.id, b.id, now);
    let conversation = StoredConversation {
        id: s.insert_conversation(c, &talk).await.expect("insert").expect("open"),
        conversation: talk,
    };
    let listening = s.insert_listening(c, a.id, b.id, "Work.", now).await.expect("insert").expect("open");
    let ladder_version = s.ladder(c).await.expect("ladder").version;
    let exchange = s.ensure_exchange(c, "today-001", "today", 1, now).await.expect("exchange");
    s.save_answer(exchange, &answer(c, a.id, "Mine.", false, now)).await.expect("answer");
    s.save_answer(exchange, &answer(c, b.id, "Theirs.", false, now)).await.expect("answer");
    // A proposal for a to accept, and one to drop.
    let wednesdays = Slot {
        weekday: Some(jiff::civil::Weekday::Wednesday),
        nth: None,
        at: jiff::civil::time(20, 0, 0, 0),
        minutes: 30,
        zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    s.propose_slot(c, Practice::Conversation, &wednesdays, b.id, now).await.expect("propose");
    s.propose_slot(c, Practice::Listening, &wednesdays, a.id, now).await.expect("propose");
    let hours = |h: i64| SignedDuration::from_hours(h);
    let over_evening = s.start_evening(c, a.id, now, now + hours(3)).await.expect("start").expect("none open");
    assert!(s.end_evening(c, over_evening, b.id, now + hours(1)).await.expect("end"));
    // Still open when the writes run, a day later.
    let evening_at = t("2026-01-06T19:00:00Z");
    let evening = s.start_evening(c, a.id, evening_at, evening_at + hours(3)).await.expect("start").expect("free");
    let quiet = couple(s, "quiet").await;
    let outsider = register(s, "c-seed@example.org", Gate::Open).await;
    let invite = Secret::generate("inv_");
    s.create_invite(&self::invite(outsider.id, &invite, "code:seed-outsider", now)).await.expect("invite");
    let joiner = register(s, "d-seed@example.org", Gate::Open).await;
    let canceller = register(s, "e-seed@example.org", Gate::Open).await;
    s.create_invite(&self::invite(canceller.id, &Secret::generate("inv_"), "code:seed-cancel", now))
        .await
        .expect("invite");
    s.record_attempt(&["login:seed".into()], now, now).await.expect("attempt");
    // a's reminders: email among their choices, two devices, a calendar address, a claimed
    // reminder and one waiting, and b's nudge of a day old enough to prune.
    let choices = Choices {
        quiet: QuietHours::default(),
        wanted: vec![(Practice::CheckIn, Channel::Push), (Practice::CheckIn, Channel::Email)],
    };
    s.save_reminder_choices(a.id, &choices, now).await.expect("choices");
    let push = s.save_push_subscription(a.id, &push_sub("seed-1"), now).await.expect("push");
    s.save_push_subscription(a.id, &push_sub("seed-2"), now).await.expect("push");
    s.set_calendar_token(a.id, Some(&SecretHash::of("cal:seed")), now).await.expect("calendar");
    s.queue_reminder(&reminder(a.id, c, Practice::CheckIn, "seed-1", Channel::Push, now)).await.expect("queue");
    let claimed = s.claim_reminders(now, now + SignedDuration::from_mins(2), 10).await.expect("claim");
    s.queue_reminder(&reminder(a.id, c, Practice::CheckIn, "seed-2", Channel::Push, now)).await.expect("queue");
    s.record_nudge(c, b.id, Practice::Hug, date("2026-01-02"), now).await.expect("nudge");
    use tend_domain::store::photos::PhotoKind;
    let memory = photo_record(c, a.id, PhotoKind::Memory, now);
    assert!(s.add_photo(&memory, 5).await.expect("memory"));
    assert!(s.add_photo(&photo_record(c, a.id, PhotoKind::Pick, now), 5).await.expect("pick"));
    for who in [quiet.0.id, quiet.1.id] {
        assert!(s.add_photo(&photo_record(quiet.2, who, PhotoKind::Pick, now), 5).await.expect("pick"));
    }
    let show = s.start_show_and_tell(quiet.2, quiet.0.id, quiet.0.id, now).await.expect("start").expect("started");
    // Goals: two of a's, each with b's offer of help and a's progress note.
    let mut goal_ids = Vec::new();
    for title in ["Run 5k", "Learn to juggle"] {
        use tend_domain::store::goals::{NewCheer, NewGoal, NewProgress};
        let new = NewGoal {
            couple: c,
            owner: a.id,
            title: title.into(),
            why: "For me.".into(),
            next_step: "Start.".into(),
            due: None,
            private: false,
            now,
        };
        let goal = s.create_goal(&new).await.expect("goal");
        let kind = tend_domain::goals::CheerKind::Help;
        let offer = NewCheer { couple: c, goal, author: b.id, kind, words: "With you.".into(), ask_on: None, now };
        let help = s.add_cheer(&offer).await.expect("cheer").expect("cheered");
        let note = NewProgress { couple: c, goal, owner: a.id, note: "Began.".into(), now };
        let progress = s.add_progress(&note).await.expect("progress").expect("added");
        goal_ids.push((goal, help, progress));
    }
    let goals = GoalSeed { goal: goal_ids[0].0, help: goal_ids[0].1, progress: goal_ids[0].2, doomed: goal_ids[1].0 };
    // Play: a's own idea, both partners' yes to "seed-picnic", and b's plans of it.
    use tend_domain::play::{Cost, Energy, Length, Mark, Place};
    use tend_domain::store::play::{MarkRecord, NewOwnIdea, NewPlan};
    let pottery = NewOwnIdea {
        couple: c,
        author: a.id,
        title: "Pottery class".into(),
        detail: String::new(),
        place: Place::Out,
        cost: Cost::Low,
        length: Length::Evening,
        energy: Energy::Calm,
        now,
    };
    let own_idea = s.add_own_idea(&pottery).await.expect("own idea");
    for who in [a.id, b.id] {
        let yes = MarkRecord { couple: c, author: who, idea: "seed-picnic".into(), mark: Some(Mark::Yes), now };
        s.set_mark(&yes).await.expect("mark");
    }
    let plan = |at: &str| NewPlan { couple: c, idea: "seed-picnic".into(), proposed_by: b.id, at: t(at), now };
    let plan_to_accept = s.propose_plan(&plan("2026-01-10T18:00:00Z")).await.expect("propose").expect("a match");
    let plan_to_cancel = s.propose_plan(&plan("2026-01-11T18:00:00Z")).await.expect("propose").expect("a match");
    let happened_plan = s.propose_plan(&plan("2026-01-06T12:00:00Z")).await.expect("propose").expect("a match");
    assert!(s.accept_plan(c, happened_plan, a.id, now).await.expect("accept"));
    Seed {
        a,
        b,
        couple: c,
        session,
        ladder_version,
        token,
        appreciation,
        conversation,
        listening,
        exchange,
        evening,
        over_evening,
        quiet,
        invite,
        joiner,
        canceller,
        push,
        reminder: claimed[0].id,
        memory: memory.id,
        show,
        goals,
        own_idea,
        plan_to_accept,
        plan_to_cancel,
        happened_plan,
    }
}

/// `after_each` runs after every write (the full-disk test tops the disk up again there).
/// Each write says whether it wrote: `Ok(true)` when it changed something.
async fn every_write(
    s: &dyn Store,
    seed: &Seed,
    after_each: &(dyn Fn() + Sync),
) -> Vec<(&'static str, Result<bool, StoreError>)> {
    let now = t("2026-01-06T20:00:00Z");
    let (a, b, c) = (&seed.a, &seed.b, seed.couple);
    let felt = tend_domain::questions::exchange::Felt::parse(6, 6, 6).expect("valid");
    let mut joined = seed.conversation.conversation.clone();
    joined.joined_at = Some(now);
    let ladder = StoredLadder { depth: 1, completed: 3, ready: [true, false], version: seed.ladder_version };
    let new_user = new_user("new@example.org");
    let profile = ProfileChange { display_name: Some("Renamed".into()), ..Default::default() };
    let check_in = check_in(c, a.id, "2026-01-06", "A good day");
    let new_appreciation = AppreciationRecord {
        couple: c,
        author: b.id,
        recipient: a.id,
        kind: Kind::Respect,
        body: "You were brave today.".into(),
        starter_id: None,
        now,
    };
    let session = NewSession {
        user_id: b.id,
        token_hash: Secret::generate("").hash(),
        csrf_token: "csrf".into(),
        user_agent: "Safari".into(),
        ip: "127.0.0.2".into(),
        now,
        expires_at: t("2026-02-06T20:00:00Z"),
    };
    let token = NewApiToken {
        user_id: b.id,
        name: "laptop".into(),
        token_hash: Secret::generate("tend_").hash(),
        hint: "tend_def".into(),
        now,
    };
    let thursdays = Slot {
        weekday: Some(jiff::civil::Weekday::Thursday),
        nth: None,
        at: jiff::civil::time(19, 30, 0, 0),
        minutes: 180,
        zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    let choices = Choices { quiet: QuietHours::default(), wanted: vec![(Practice::Hug, Channel::Email)] };
    let new_reminder = reminder(a.id, c, Practice::Hug, "2026-01-06T20:00", Channel::Push, now);
    let hour = SignedDuration::from_hours(1);
    // Kept when "login:seed" is cleared, for pruning to find.
    let other_keys = ["login:other".to_string()];
    let (qa, qb, q) = (&seed.quiet.0, &seed.quiet.1, seed.quiet.2);
    use tend_domain::intimacy_map::{Kind as Intimacy, MapRecord, Rating as Nourished, Wish};
    use tend_domain::store::photos::PhotoKind;
    let ratings =
        Intimacy::ALL.map(|kind| Nourished { kind, nourished: 5, wish: Wish::More, words: "Long talks.".into() });
    let intimacy_map = MapRecord { couple: c, author: a.id, ratings: ratings.to_vec(), now };
    let state_of_us = tend_domain::state_of_us::StateOfUsRecord {
        couple: c,
        author: b.id,
        week: date("2026-01-05"),
        went_well: "The walk.".into(),
        need_more: "Sleep.".into(),
        need_less: String::new(),
        feeling: "hopeful".into(),
        topic: String::new(),
        stuck: false,
        now,
    };
    use tend_domain::play::{Cost, Energy, Feeling, Length, Mark, Place};
    use tend_domain::store::play::{AfterwardsRecord, MarkRecord, NewOwnIdea, NewPlan};
    let own_idea = NewOwnIdea {
        couple: c,
        author: b.id,
        title: "Night swim".into(),
        detail: "At the lake.".into(),
        place: Place::Out,
        cost: Cost::Free,
        length: Length::Short,
        energy: Energy::Lively,
        now,
    };
    let maybe = MarkRecord { couple: c, author: a.id, idea: "seed-picnic".into(), mark: Some(Mark::Maybe), now };
    let play_plan =
        NewPlan { couple: c, idea: "seed-picnic".into(), proposed_by: a.id, at: t("2026-01-12T18:00:00Z"), now };
    let afterwards = AfterwardsRecord {
        couple: c,
        plan: seed.happened_plan,
        author: a.id,
        feeling: Feeling::Loved,
        note: "We laughed.".into(),
        photo: None,
        now,
    };
    use tend_domain::goals::{CheerKind, ProgressReaction};
    use tend_domain::store::goals::{GoalChange, NewCheer, NewGoal, NewProgress};
    let new_goal = NewGoal {
        couple: c,
        owner: b.id,
        title: "Sleep by 11".into(),
        why: String::new(),
        next_step: "Phone out of the bedroom.".into(),
        due: Some(date("2026-02-01")),
        private: true,
        now,
    };
    let goal_change = GoalChange {
        title: "Run 10k".into(),
        why: "For me.".into(),
        next_step: "A longer run.".into(),
        due: Some(date("2026-03-01")),
        private: false,
    };
    let (goal, ask_on) = (seed.goals.goal, Some(date("2026-01-09")));
    let goal_ask = NewCheer { couple: c, goal, author: b.id, kind: CheerKind::Ask, words: String::new(), ask_on, now };
    let goal_note = NewProgress { couple: c, goal, owner: a.id, note: "3 km today.".into(), now };
    use tend_domain::store::bulk::{PastAppreciation, PastConversation, PastDraw, PastExchange, PastHug};
    let bulk_day = CheckInRecord { day: date("2026-01-03"), high: "Bulk day".into(), ..check_in.clone() };
    let bulk_check_ins = [bulk_day.clone(), CheckInRecord { author: b.id, ..bulk_day }];
    let bulk_appreciation = PastAppreciation {
        record: new_appreciation.clone(),
        reaction: Some(Reaction::Hug),
        reply: "Bulk reply.".into(),
        reacted_at: Some(now),
    };
    let bulk_hug = PastHug { couple: c, by: b.id, at: t("2026-01-04T08:00:00Z") };
    let bulk_talk = PastConversation { couple: c, conversation: talk(a.id, b.id, t("2026-01-02T20:00:00Z")) };
    let bulk_answer = tend_domain::questions::exchange::Answer {
        author: a.id,
        body: "Bulk answer.".into(),
        passed: false,
        answered_at: now,
        reply_id: None,
        reply_words: String::new(),
        responded_at: None,
        felt: None,
        favorite: false,
    };
    let bulk_exchange = PastExchange {
        couple: c,
        question_id: "today-009".into(),
        deck: "today".into(),
        depth: 1,
        created_at: now,
        completed_at: None,
        answers: vec![bulk_answer],
    };
    let bulk_draw = PastDraw { couple: c, day: date("2026-01-06"), question_id: "today-009".into(), at: now };
    let ok = |r: Result<bool, StoreError>| {
        after_each();
        r
    };
    vec![
        ("probe_write", ok(s.probe_write(now).await.map(done))),
        ("register", ok(s.register(&new_user, &Gate::Open, now).await.map(done))),
        ("set_password_hash", ok(s.set_password_hash(a.id, "other", now).await.map(done))),
        ("update_profile", ok(s.update_profile(a.id, &profile, now).await.map(done))),
        ("create_session", ok(s.create_session(&session).await.map(done))),
        ("touch_session", ok(s.touch_session(seed.session, now, t("2026-03-01T00:00:00Z")).await.map(done))),
        ("create_api_token", ok(s.create_api_token(&token).await.map(done))),
        ("touch_api_token", ok(s.touch_api_token(seed.token, now).await.map(done))),
        ("record_attempt", ok(s.record_attempt(&other_keys, now, t("2026-01-01T00:00:00Z")).await.map(done))),
        ("clear_failures", ok(s.clear_failures("login:seed").await.map(done))),
        ("upsert_check_in", ok(s.upsert_check_in(&check_in).await.map(done))),
        ("create_appreciation", ok(s.create_appreciation(&new_appreciation).await.map(done))),
        (
            "react_to_appreciation",
            ok(s.react_to_appreciation(c, seed.appreciation, b.id, Some(Reaction::Love), "", now).await),
        ),
        ("set_seen_at", ok(s.set_seen_at(a.id, now).await.map(done))),
        ("log_hug", ok(s.log_hug(c, a.id, now, SignedDuration::from_secs(120)).await)),
        ("update_conversation", ok(s.update_conversation(c, seed.conversation.id, &joined, true).await.map(done))),
        ("reflect_listening", ok(s.reflect_listening(c, seed.listening, 1, "Busy.", "tired", now).await)),
        ("save_ladder", ok(s.save_ladder(c, &ladder).await)),
        ("ensure_exchange", ok(s.ensure_exchange(c, "today-002", "today", 1, now).await.map(|id| id != seed.exchange))),
        ("save_response", ok(s.save_response(c, seed.exchange, a.id, None, "Yes!", now).await.map(done))),
        ("save_felt", ok(s.save_felt(c, seed.exchange, a.id, felt).await.map(done))),
        ("save_favorite", ok(s.save_favorite(c, seed.exchange, a.id, true).await.map(done))),
        ("complete_exchange", ok(s.complete_exchange(c, seed.exchange, 1, now).await)),
        (
            "add_question_draw",
            ok(s.add_question_draw(c, "2026-01-06".parse().expect("date"), "today-002", now).await.map(done)),
        ),
        ("close_listening", ok(s.close_listening(c, seed.listening, now).await.map(done))),
        ("propose_slot", ok(s.propose_slot(c, Practice::TechFreeEvening, &thursdays, a.id, now).await.map(done))),
        ("accept_slot", ok(s.accept_slot(c, Practice::Conversation, a.id, None, now).await)),
        ("drop_slot_proposal", ok(s.drop_slot_proposal(c, Practice::Listening).await)),
        ("mark_practice", ok(s.mark_practice(c, Practice::ShowAndTell, b.id, now).await.map(done))),
        ("join_evening", ok(s.join_evening(c, seed.evening, b.id, now).await)),
        ("end_evening", ok(s.end_evening(c, seed.evening, a.id, now).await)),
        ("note_evening", ok(s.note_evening(c, seed.over_evening, b.id, "Board games.", now).await)),
        (
            "start_evening",
            ok(s.start_evening(q, qa.id, now, now + SignedDuration::from_hours(3)).await.map(|id| id.is_some())),
        ),
        ("save_reminder_choices", ok(s.save_reminder_choices(a.id, &choices, now).await.map(done))),
        ("stop_email", ok(s.stop_email(a.id, now).await.map(done))),
        ("save_push_subscription", ok(s.save_push_subscription(b.id, &push_sub("new"), now).await.map(done))),
        ("delete_push_subscription", ok(s.delete_push_subscription(a.id, seed.push).await)),
        ("forget_push_endpoint", ok(s.forget_push_endpoint(&push_sub("seed-2").endpoint).await.map(done))),
        ("set_calendar_token", ok(s.set_calendar_token(b.id, Some(&SecretHash::of("cal:new")), now).await.map(done))),
        ("set_calendar_token(None)", ok(s.set_calendar_token(a.id, None, now).await.map(done))),
        ("queue_reminder", ok(s.queue_reminder(&new_reminder).await)),
        ("claim_reminders", ok(s.claim_reminders(now, now + hour, 10).await.map(|claimed| !claimed.is_empty()))),
        ("settle_reminder", ok(s.settle_reminder(seed.reminder, &Settled::Sent, now).await.map(done))),
        ("take_reminder_slot", ok(s.take_reminder_slot(a.id, date("2026-01-06"), 3, seed.reminder).await)),
        ("record_nudge", ok(s.record_nudge(c, a.id, Practice::Hug, date("2026-01-06"), now).await)),
        ("prune_reminders", ok(s.prune_reminders(t("2025-12-01T00:00:00Z"), date("2026-01-03")).await.map(|n| n > 0))),
        ("claim_job", ok(s.claim_job("seed-job", now, now + hour).await)),
        ("instance_secret", ok(s.instance_secret("seed-secret", "fresh").await.map(|v| v == "fresh"))),
        ("delete_api_token", ok(s.delete_api_token(a.id, seed.token).await)),
        ("prune_sessions", ok(s.prune_sessions(t("2026-02-10T00:00:00Z")).await.map(|n| n == 1))),
        ("delete_session", ok(s.delete_session(a.id, seed.session).await)),
        ("delete_sessions_except", ok(s.delete_sessions_except(a.id, None).await.map(|n| n == 1))),
        (
            "create_password_reset",
            ok(s.create_password_reset(a.id, &Secret::generate("").hash(), now, now).await.map(done)),
        ),
        ("prune_failures", ok(s.prune_failures(t("2030-01-01T00:00:00Z")).await.map(|n| n > 0))),
        ("redeem_invite", ok(s.redeem_invite(&seed.invite.hash(), seed.joiner.id, now).await.map(|r| r.is_ok()))),
        ("cancel_invites_of", ok(s.cancel_invites_of(seed.canceller.id).await.map(|n| n == 1))),
        (
            "create_invite",
            ok(s.create_invite(&invite(a.id, &Secret::generate("inv_"), "code:new", now)).await.map(done)),
        ),
        ("insert_listening", ok(s.insert_listening(q, qb.id, qa.id, "Me.", now).await.map(|id| id.is_some()))),
        ("insert_conversation", ok(s.insert_conversation(q, &talk(qb.id, qa.id, now)).await.map(|id| id.is_some()))),
        ("add_photo", ok(s.add_photo(&photo_record(c, b.id, PhotoKind::Pick, now), 5).await)),
        ("caption_photo", ok(s.caption_photo(c, &seed.memory, a.id, "Dawn at the lake").await)),
        ("reply_to_photo", ok(s.reply_to_photo(c, &seed.memory, b.id, Some("love"), "Take me there", now).await)),
        ("start_show_and_tell", ok(s.start_show_and_tell(c, a.id, a.id, now).await.map(|id| id.is_some()))),
        ("advance_show_and_tell", ok(s.advance_show_and_tell(q, seed.show, 0, now).await)),
        ("delete_photo", ok(s.delete_photo(c, &seed.memory, a.id).await)),
        ("save_intimacy_map", ok(s.save_intimacy_map(&intimacy_map).await.map(|round| round == 1))),
        ("save_state_of_us", ok(s.save_state_of_us(&state_of_us).await.map(done))),
        ("set_help_hint_off", ok(s.set_help_hint_off(b.id, true, now).await.map(done))),
        ("add_own_idea", ok(s.add_own_idea(&own_idea).await.map(done))),
        ("share_own_idea", ok(s.share_own_idea(c, seed.own_idea, a.id, now).await)),
        ("set_mark", ok(s.set_mark(&maybe).await.map(|change| change.is_match))),
        ("propose_plan", ok(s.propose_plan(&play_plan).await.map(|id| id.is_some()))),
        ("accept_plan", ok(s.accept_plan(c, seed.plan_to_accept, a.id, now).await)),
        ("cancel_plan", ok(s.cancel_plan(c, seed.plan_to_cancel, a.id, now).await)),
        ("save_afterwards", ok(s.save_afterwards(&afterwards).await)),
        ("create_goal", ok(s.create_goal(&new_goal).await.map(done))),
        ("update_goal", ok(s.update_goal(c, goal, a.id, &goal_change, now).await)),
        ("add_cheer", ok(s.add_cheer(&goal_ask).await.map(|id| id.is_some()))),
        ("accept_help", ok(s.accept_help(c, goal, seed.goals.help, a.id, now).await)),
        ("add_progress", ok(s.add_progress(&goal_note).await.map(|id| id.is_some()))),
        (
            "react_to_progress",
            ok(s.react_to_progress(c, goal, seed.goals.progress, b.id, Some(ProgressReaction::Hug), now).await),
        ),
        ("finish_goal", ok(s.finish_goal(c, goal, a.id, now).await)),
        ("delete_goal", ok(s.delete_goal(c, seed.goals.doomed, a.id).await)),
        ("add_check_ins_bulk", ok(s.add_check_ins_bulk(&bulk_check_ins).await.map(|n| n == 2))),
        ("add_appreciations_bulk", ok(s.add_appreciations_bulk(&[bulk_appreciation]).await.map(|n| n == 1))),
        ("add_hugs_bulk", ok(s.add_hugs_bulk(&[bulk_hug]).await.map(|n| n == 1))),
        ("add_conversations_bulk", ok(s.add_conversations_bulk(&[bulk_talk]).await.map(|n| n == 1))),
        ("add_exchanges_bulk", ok(s.add_exchanges_bulk(&[bulk_exchange]).await.map(|n| n == 2))),
        ("add_question_draws_bulk", ok(s.add_question_draws_bulk(&[bulk_draw]).await.map(|n| n == 1))),
        ("set_admin", ok(s.set_admin(b.id, true, now).await)),
        ("set_disabled", ok(s.set_disabled(seed.canceller.id, Some(now), now).await)),
        ("dissolve_couple", ok(s.dissolve_couple(c, now).await.map(done))),
        ("delete_user", ok(s.delete_user(seed.canceller.id, now).await)),
    ]
}

/// For writes that return what they made: they wrote if they returned at all.
fn done<T>(_: T) -> bool {
    true
}

/// The writes that said they stored something. (One that finds nothing to change, because an
/// earlier refused write left nothing for it, may rightly answer "done, nothing to do".)
fn claimed_success(results: Vec<(&'static str, Result<bool, StoreError>)>) -> Vec<&'static str> {
    results.into_iter().filter(|(_, r)| matches!(r, Ok(true))).map(|(name, _)| name).collect()
}

/// What a refused write must leave behind: nothing. Compares what the seed's couple can read.
async fn snapshot(s: &dyn Store, seed: &Seed) -> String {
    let c = seed.couple;
    let since = t("2025-01-01T00:00:00Z");
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.users_in_couple(c).await.expect("users"),
        s.check_ins_between(c, "2025-01-01".parse().expect("date"), "2027-01-01".parse().expect("date")).await,
        s.appreciations(c, &Filter { limit: 100, ..Default::default() }).await,
        s.hugs_since(c, since).await,
        s.conversations(c, 10).await,
        s.listenings(c, 10).await,
        s.exchanges(c).await,
        s.api_tokens_of(seed.a.id).await,
        s.sessions_of(seed.a.id, since).await,
        s.rhythm_slots(c).await,
        s.practice_marks_since(c, since).await,
        s.evenings_since(c, since).await,
        s.evenings_since(seed.quiet.2, since).await,
    ) + &format!(
        "|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.question_draws(c).await,
        s.shown_photos(c).await,
        s.waiting_picks(c, seed.a.id).await,
        s.waiting_picks(c, seed.b.id).await,
        s.show_and_tells(c).await,
        s.show_and_tell_photos(seed.quiet.2, seed.show).await,
    ) + &format!(
        "|{:?}|{:?}|{:?}|{:?}",
        s.intimacy_ratings(c).await,
        s.states_of_us(c, "2025-01-06".parse().expect("date"), "2027-01-04".parse().expect("date")).await,
        s.help_hint_off(seed.a.id).await,
        s.help_hint_off(seed.b.id).await,
    ) + &format!(
        "|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.own_ideas(c, seed.a.id).await,
        s.own_ideas(c, seed.b.id).await,
        s.marks_of(c, seed.a.id).await,
        s.marks_of(c, seed.b.id).await,
        s.matches(c).await,
        s.plans(c).await,
    ) + &format!(
        "|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        s.reminder_choices(seed.a.id).await,
        s.push_subscriptions(seed.a.id).await,
        s.push_subscriptions(seed.b.id).await,
        s.calendar_token_made(seed.a.id).await,
        s.calendar_token_made(seed.b.id).await,
        s.reminders_sent(seed.a.id, since).await,
        s.nudges_since(c, since).await,
        s.reminder_candidates().await,
    ) + &format!(
        "|{:?}|{:?}|{:?}|{:?}",
        s.goals(c, seed.a.id).await,
        s.goals(c, seed.b.id).await,
        s.goal(c, seed.goals.goal, seed.a.id).await,
        s.goal(c, seed.goals.doomed, seed.a.id).await,
    ) + &format!("|{:?}", s.account_overviews(None, 100).await)
}

/// The database refuses writes (opened read-only: SQLite's file in read-only mode, PostgreSQL
/// in read-only transactions). Every write must say it failed, and nothing may change.
async fn refused_writes_fail_loudly(db: TestDb) {
    let seed = seed(db.store.as_ref()).await;
    let before = snapshot(db.store.as_ref(), &seed).await;
    let refusing = db.read_only().await.store;
    refusing.ping().await.expect("reads still work");
    let claimed = claimed_success(every_write(refusing.as_ref(), &seed, &|| ()).await);
    assert!(claimed.is_empty(), "writes that claimed success on a read-only database: {claimed:?}");
    assert_eq!(snapshot(db.store.as_ref(), &seed).await, before, "a refused write changed something");
    // The same writes on the writable store all succeed, so each one above was a real write.
    let results = every_write(db.store.as_ref(), &seed, &|| ()).await;
    let not_written: Vec<_> = results.iter().filter(|(_, r)| !matches!(r, Ok(true))).collect();
    assert!(not_written.is_empty(), "writes that wrote nothing on a writable database: {not_written:?}");
}

both_backends!(writes_are_scoped_to_the_couple, refused_writes_fail_loudly, search_ignores_case_beyond_ascii);

/// SQLite on a filesystem with no space left, as a host's full disk: every write that would
/// store something must fail, and what was acknowledged before must still be there after.
/// `TEND_TEST_SMALL_DISK` names an empty folder on a small filesystem of its own, which this
/// test fills (scripts/test mounts a 4 MiB tmpfs when it runs as root).
#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs TEND_TEST_SMALL_DISK, a folder on a small filesystem of its own; scripts/test provides one"]
async fn full_disk_writes_fail_loudly() {
    let dir = std::env::var("TEND_TEST_SMALL_DISK").expect("TEND_TEST_SMALL_DISK names a small filesystem");
    let dir = std::path::Path::new(&dir).join(format!("full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("folder");
    // Once the disk is full, a new connection cannot be opened either: fail fast.
    let config = tend_store::StoreConfig {
        acquire_timeout: std::time::Duration::from_secs(1),
        ..tend_store::StoreConfig::sqlite_in(&dir)
    };
    let database = tend_store::Database::connect(&config).await.expect("connects");
    database.migrate().await.expect("migrates");
    let master = tend_store::MasterKey::generate();
    let (store, _) = database.sealed(master.clone()).await.expect("the vault opens");
    let seed = seed(store.as_ref()).await;
    let before = snapshot(store.as_ref(), &seed).await;
    // Empty the write-ahead log into the database file, so that the next write must grow a
    // file, then fill the filesystem to the last byte.
    let tend_store::Database::Sqlite(sqlite) = &database else { unreachable!("a SQLite URL opens SQLite") };
    sqlx::query("pragma wal_checkpoint(truncate)").execute(sqlite.pool()).await.expect("checkpoint");
    let filler = dir.join("filler");
    let fill = || {
        use std::io::Write;
        let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(&filler) else { return };
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        while f.write_all(&[0u8]).is_ok() {}
    };
    fill();
    let claimed = claimed_success(every_write(store.as_ref(), &seed, &fill).await);
    database.close().await;
    std::fs::remove_file(&filler).expect("free the disk");
    let (reopened, _) =
        tend_store::Database::connect(&config).await.expect("reopens").sealed(master).await.expect("the vault opens");
    let after = snapshot(reopened.as_ref(), &seed).await;
    std::fs::remove_dir_all(&dir).ok();
    assert!(claimed.is_empty(), "writes that claimed success on a full disk: {claimed:?}");
    assert_eq!(after, before, "a refused write changed something");
}

/// Deleting an account takes everything the person wrote and every way in, ends their couple
/// as unpairing does, and leaves the partner's own words and the facts of what they did
/// together. Their email is free again; an unknown person is `false`.
async fn deleting_an_account_keeps_the_partners_words(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "del").await;
    let now = t("2026-01-05T20:00:00Z");
    let hours = |h: i64| SignedDuration::from_hours(h);
    let session_of = |user: UserId, token: &Secret| NewSession {
        user_id: user,
        token_hash: token.hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: t("2026-03-05T20:00:00Z"),
    };
    let (a_cookie, b_cookie, a_key) = (Secret::generate(""), Secret::generate(""), Secret::generate("tend_"));
    s.create_session(&session_of(a.id, &a_cookie)).await.expect("session");
    s.create_session(&session_of(b.id, &b_cookie)).await.expect("session");
    let token =
        NewApiToken { user_id: a.id, name: "phone".into(), token_hash: a_key.hash(), hint: "tend_a".into(), now };
    s.create_api_token(&token).await.expect("token");
    s.record_attempt(&[format!("login:{}", a.email)], now, now).await.expect("attempt");

    // Each writes a check-in and an appreciation to the other, and reacts to the other's.
    s.upsert_check_in(&check_in(c, a.id, "2026-01-05", "A: my day")).await.expect("check-in");
    s.upsert_check_in(&check_in(c, b.id, "2026-01-05", "B: my day")).await.expect("check-in");
    let appreciate = |author: &User, recipient: &User, body: &str| AppreciationRecord {
        couple: c,
        author: author.id,
        recipient: recipient.id,
        kind: Kind::Gratitude,
        body: body.into(),
        starter_id: None,
        now,
    };
    let from_a = s.create_appreciation(&appreciate(&a, &b, "A: thank you")).await.expect("appreciation").id;
    let from_b = s.create_appreciation(&appreciate(&b, &a, "B: thank you")).await.expect("appreciation").id;
    assert!(s.react_to_appreciation(c, from_b, a.id, Some(Reaction::Love), "A: you too", now).await.expect("react"));
    assert!(s.react_to_appreciation(c, from_a, b.id, Some(Reaction::Hug), "B: you too", now).await.expect("react"));

    // Both answer a question and respond to the other's answer; a says how it felt.
    s.ladder(c).await.expect("ladder");
    let exchange = s.ensure_exchange(c, "today-001", "today", 1, now).await.expect("exchange");
    assert!(s.save_answer(exchange, &answer(c, a.id, "A: my answer", false, now)).await.expect("answer"));
    assert!(s.save_answer(exchange, &answer(c, b.id, "B: my answer", false, now)).await.expect("answer"));
    s.save_response(c, exchange, a.id, None, "A: my response", now).await.expect("response");
    s.save_response(c, exchange, b.id, None, "B: my response", now).await.expect("response");
    let felt = tend_domain::questions::exchange::Felt::parse(6, 6, 6).expect("valid");
    s.save_felt(c, exchange, a.id, felt).await.expect("felt");

    // A listening with a speaking, one with b speaking.
    let a_spoke = s.insert_listening(c, a.id, b.id, "A: my share", now).await.expect("insert").expect("open");
    assert!(s.reflect_listening(c, a_spoke, 1, "B: what I heard", "B: a feeling", now).await.expect("reflect"));
    assert!(s.answer_listening(c, a_spoke, 1, Verdict::GotIt, None, now).await.expect("verdict"));
    let b_spoke = s.insert_listening(c, b.id, a.id, "B: my share", now).await.expect("insert").expect("open");
    assert!(s.reflect_listening(c, b_spoke, 1, "A: what I heard", "A: a feeling", now).await.expect("reflect"));
    s.close_listening(c, b_spoke, now).await.expect("close");

    // A conversation both rated, a hug, an evening each noted, a practice marked.
    let mut talked = talk(a.id, b.id, now);
    let talk_id = s.insert_conversation(c, &talked).await.expect("insert").expect("open");
    talked.joined_at = Some(now);
    talked.first_rating = Some(Rating::parse(6, 7).expect("valid"));
    talked.second_rating = Some(Rating::parse(5, 4).expect("valid"));
    s.update_conversation(c, talk_id, &talked, false).await.expect("rate");
    assert!(s.log_hug(c, a.id, now, SignedDuration::from_secs(120)).await.expect("hug"));
    let a_noted = s.start_evening(c, a.id, now, now + hours(3)).await.expect("start").expect("free");
    assert!(s.end_evening(c, a_noted, b.id, now + hours(1)).await.expect("end"));
    assert!(s.note_evening(c, a_noted, a.id, "A: we walked", now + hours(2)).await.expect("note"));
    let later = now + hours(24);
    let b_noted = s.start_evening(c, b.id, later, later + hours(3)).await.expect("start").expect("free");
    assert!(s.end_evening(c, b_noted, a.id, later + hours(1)).await.expect("end"));
    assert!(s.note_evening(c, b_noted, b.id, "B: we cooked", later + hours(2)).await.expect("note"));
    s.mark_practice(c, Practice::ShowAndTell, a.id, now).await.expect("mark");

    // a's reminders, devices, calendar address, nudge and invite.
    let choices = Choices { quiet: QuietHours::default(), wanted: vec![(Practice::CheckIn, Channel::Push)] };
    s.save_reminder_choices(a.id, &choices, now).await.expect("choices");
    s.save_push_subscription(a.id, &push_sub("del-a"), now).await.expect("push");
    s.save_push_subscription(b.id, &push_sub("del-b"), now).await.expect("push");
    s.set_calendar_token(a.id, Some(&SecretHash::of("cal:del-a")), now).await.expect("calendar");
    s.queue_reminder(&reminder(a.id, c, Practice::CheckIn, "del-1", Channel::Push, now)).await.expect("queue");
    let claimed = s.claim_reminders(now, now + SignedDuration::from_mins(2), 10).await.expect("claim");
    assert!(s.take_reminder_slot(a.id, date("2026-01-05"), 3, claimed[0].id).await.expect("slot"));
    s.queue_reminder(&reminder(b.id, c, Practice::Hug, "del-2", Channel::Push, now)).await.expect("queue");
    s.record_nudge(c, a.id, Practice::Hug, date("2026-01-05"), now).await.expect("nudge");
    s.create_invite(&invite(a.id, &Secret::generate("inv_"), "code:del-again", now)).await.expect("invite");

    let at = t("2026-01-10T09:00:00Z");
    assert_eq!(s.delete_user(a.id, at).await, Ok(true));
    assert_eq!(s.delete_user(a.id, at).await, Ok(false), "deleted once");
    assert_eq!(s.delete_user(UserId(987_654), at).await, Ok(false), "nobody to delete");

    // The couple ended, as unpairing ends it; b is on their own, their session still works.
    assert_eq!(s.couple_members(c).await.map(|m| m.map(|(_, since)| since)).expect("read"), None);
    assert_eq!(s.user(b.id).await.expect("read").and_then(|u| u.couple_id), None);
    assert_eq!(s.users_in_couple(c).await.expect("read"), Vec::<User>::new());
    assert!(s.session_by_token(&b_cookie.hash(), at).await.expect("read").is_some());
    // No way in for a: no session, token, email, password, calendar address or device.
    assert_eq!(s.session_by_token(&a_cookie.hash(), at).await.expect("read"), None);
    assert_eq!(s.api_token_by_hash(&a_key.hash()).await.expect("read"), None);
    assert_eq!(s.user_by_email(&a.email).await.expect("read"), None);
    assert_eq!(s.calendar_owner(&SecretHash::of("cal:del-a")).await.expect("read"), None);
    assert_eq!(s.push_subscriptions(a.id).await.expect("read"), Vec::new());
    assert_eq!(s.push_subscriptions(b.id).await.expect("read").len(), 1, "b's device stays");
    let tombstone = s.user(a.id).await.expect("read").expect("the row stays, emptied");
    assert_ne!(tombstone.email, a.email);
    assert_ne!(tombstone.display_name, a.display_name);
    assert_ne!(s.password_hash(a.id).await.expect("read").as_deref(), Some("hash"));
    let id = a.id.0;
    for (what, sql) in [
        ("sessions", format!("select count(*) from sessions where user_id = {id}")),
        ("api tokens", format!("select count(*) from api_tokens where user_id = {id}")),
        ("invites", format!("select count(*) from invites where inviter_id = {id}")),
        ("attempts", format!("select count(*) from login_failures where key like '%{}%'", a.email)),
        ("check-ins", format!("select count(*) from check_ins where author_id = {id}")),
        ("appreciations", format!("select count(*) from appreciations where author_id = {id}")),
        ("answers", format!("select count(*) from answers where author_id = {id}")),
        ("notes", format!("select count(*) from evenings where noted_by = {id}")),
        ("reminder choices", format!("select count(*) from reminder_choices where user_id = {id}")),
        ("quiet hours", format!("select count(*) from reminder_settings where user_id = {id}")),
        ("devices", format!("select count(*) from push_subscriptions where user_id = {id}")),
        ("calendar", format!("select count(*) from calendar_feeds where user_id = {id}")),
        ("reminders", format!("select count(*) from reminders where user_id = {id}")),
        ("reminder slots", format!("select count(*) from reminder_slots where user_id = {id}")),
        ("nudges", format!("select count(*) from nudges where from_user = {id}")),
        ("data key", format!("select count(*) from data_keys where user_id = {id}")),
        ("not marked deleted", format!("select count(*) from users where id = {id} and deleted_at is null")),
    ] {
        assert_eq!(db.scalar(&sql).await, 0, "{what} of the deleted person are left");
    }

    // b's words are all there, and everything of the couple still reads: nothing left is
    // sealed with a key that is gone.
    let days = ("2026-01-01".parse().expect("date"), "2026-01-31".parse().expect("date"));
    let check_ins = s.check_ins_between(c, days.0, days.1).await.expect("read");
    assert_eq!(check_ins.iter().map(|ci| ci.high.as_str()).collect::<Vec<_>>(), ["B: my day"]);
    let appreciations = s.appreciations(c, &Filter { limit: 10, ..Default::default() }).await.expect("read");
    assert_eq!(appreciations.len(), 1, "a's appreciation went, with b's reaction to it");
    let kept = &appreciations[0];
    assert_eq!((kept.id, kept.body.as_str()), (from_b, "B: thank you"));
    assert_eq!((kept.reaction, kept.reply.as_str()), (None, ""), "a's reaction and reply went");
    let exchange = s.exchanges(c).await.expect("read").into_iter().next().expect("the exchange stays");
    assert_eq!(exchange.answers.len(), 1);
    let theirs = &exchange.answers[0];
    assert_eq!((theirs.author, theirs.body.as_str()), (b.id, "B: my answer"));
    assert_eq!(theirs.reply_words, "B: my response", "b's response to a's answer is b's");
    let listenings = s.listenings(c, 10).await.expect("read");
    let round = |id| listenings.iter().find(|l| l.id == id).map(|l| l.rounds[0].clone()).expect("the listening stays");
    let spoke = round(a_spoke);
    assert_eq!(spoke.share, "");
    assert_eq!(
        (spoke.reflection.as_deref(), spoke.feeling.as_deref()),
        (Some("B: what I heard"), Some("B: a feeling"))
    );
    assert_eq!(spoke.verdict, None, "a's verdict went");
    let listened = round(b_spoke);
    assert_eq!(listened.share, "B: my share");
    assert_eq!((listened.reflection.as_deref(), listened.feeling.as_deref()), (Some(""), Some("")));
    let talked = s.conversations(c, 10).await.expect("read").into_iter().next().expect("the conversation stays");
    assert_eq!(talked.conversation.first_rating, None, "a's rating went");
    assert_eq!(talked.conversation.second_rating, Some(Rating::parse(5, 4).expect("valid")));
    let evenings = s.evenings_since(c, now - hours(1)).await.expect("read");
    let note = |id| evenings.iter().find(|e| e.id == id).map(|e| (e.note.clone(), e.noted_by)).expect("stays");
    assert_eq!(note(a_noted), (None, None));
    assert_eq!(note(b_noted), (Some("B: we cooked".into()), Some(b.id)));
    assert_eq!(s.hugs_since(c, now - hours(1)).await.expect("read").len(), 1, "the hug stays");
    assert_eq!(s.practice_marks_since(c, now - hours(1)).await.expect("read").len(), 1, "the mark stays");
    assert_eq!(db.scalar(&format!("select count(*) from reminders where user_id = {}", b.id.0)).await, 1);

    // The address is free for a new account, which starts with nothing.
    let again = register(s, &a.email, Gate::Open).await;
    assert_ne!(again.id, a.id);
    assert_eq!(s.user_by_email(&a.email).await.expect("read").map(|u| u.id), Some(again.id));
    assert_eq!(s.sessions_of(again.id, at).await.expect("read"), Vec::new());
}

both_backends!(deleting_an_account_keeps_the_partners_words, password_resets_work_once_and_only_the_newest);

/// Every couple a person was in, ended ones too, oldest first; never another person's couple.
async fn couples_of_lists_every_couple_a_person_was_in(db: TestDb) {
    let s = db.store.as_ref();
    let (t1, t2, t3) = (t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z"), t("2026-03-01T00:00:00Z"));
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let c = register(s, "c@example.org", Gate::Open).await;
    let d = register(s, "d@example.org", Gate::Open).await;
    assert_eq!(s.couples_of(a.id).await.expect("read"), Vec::new());
    s.create_invite(&invite(a.id, &Secret::generate("inv_"), "code:AB", t1)).await.expect("invite");
    let first = s.redeem_invite(&SecretHash::of("code:AB"), b.id, t1).await.expect("redeem").expect("paired");
    assert_eq!(s.couples_of(a.id).await.expect("read"), vec![PastCouple { id: first, since: t1, ended: None }]);
    s.upsert_check_in(&check_in(first, b.id, "2026-01-05", "b's words")).await.expect("check in");
    s.dissolve_couple(first, t2).await.expect("unpair");
    let ended = PastCouple { id: first, since: t1, ended: Some(t2) };
    assert_eq!(s.couples_of(a.id).await.expect("read"), vec![ended], "an ended couple stays listed");
    assert_eq!(s.couples_of(b.id).await.expect("read"), vec![ended]);

    s.create_invite(&invite(c.id, &Secret::generate("inv_"), "code:CA", t3)).await.expect("invite");
    let second = s.redeem_invite(&SecretHash::of("code:CA"), a.id, t3).await.expect("redeem").expect("paired");
    let now = PastCouple { id: second, since: t3, ended: None };
    assert_eq!(s.couples_of(a.id).await.expect("read"), vec![ended, now], "oldest first");
    assert_eq!(s.couples_of(b.id).await.expect("read"), vec![ended], "b was never in a's new couple");
    assert_eq!(s.couples_of(c.id).await.expect("read"), vec![now]);
    assert_eq!(s.couples_of(d.id).await.expect("read"), Vec::new());
    assert_eq!(s.couples_of(UserId(999_999)).await.expect("read"), Vec::new());
}

both_backends!(couples_of_lists_every_couple_a_person_was_in);
