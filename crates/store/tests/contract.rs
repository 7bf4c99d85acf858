//! The store contract: the same behaviour on SQLite and on PostgreSQL.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
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
    match store
        .register(&new_user(email), &gate, t("2026-01-01T00:00:00Z"))
        .await
        .expect("register")
    {
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
        expires_at: now
            .checked_add(SignedDuration::from_hours(24 * 7))
            .expect("in range"),
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
    let second = s
        .register(
            &new_user("b@example.org"),
            &Gate::FirstAccount,
            t("2026-01-01T00:00:00Z"),
        )
        .await
        .expect("ok");
    assert_eq!(second, RegisterOutcome::Closed);
    assert_eq!(
        s.user_by_email("b@example.org").await.expect("read"),
        None,
        "a refused sign-up writes nothing"
    );
    register(s, "b@example.org", Gate::Open).await;
    let dup = s
        .register(
            &new_user("b@example.org"),
            &Gate::Open,
            t("2026-01-01T00:00:00Z"),
        )
        .await
        .expect("ok");
    assert_eq!(dup, RegisterOutcome::EmailTaken);
}

async fn profiles_and_passwords(db: TestDb) {
    let s = &db.store;
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    assert_eq!(s.user(a.id).await.expect("read").as_ref(), Some(&a));
    assert_eq!(s.user(UserId(9_999)).await.expect("read"), None);
    assert_eq!(
        s.password_hash(a.id).await.expect("read").as_deref(),
        Some("hash")
    );
    s.set_password_hash(a.id, "new", t("2026-01-02T00:00:00Z"))
        .await
        .expect("set");
    assert_eq!(
        s.password_hash(a.id).await.expect("read").as_deref(),
        Some("new")
    );
    assert_eq!(
        s.set_password_hash(UserId(9_999), "x", t("2026-01-02T00:00:00Z"))
            .await,
        Err(StoreError::NotFound)
    );

    let change = ProfileChange {
        display_name: Some("Alex".into()),
        time_zone: Some(TimeZoneName::parse("Asia/Tokyo").expect("zone")),
        email: None,
    };
    let updated = s
        .update_profile(a.id, &change, t("2026-01-02T00:00:00Z"))
        .await
        .expect("update");
    assert_eq!(
        (
            updated.display_name.as_str(),
            updated.time_zone.as_str(),
            updated.email.as_str()
        ),
        ("Alex", "Asia/Tokyo", "a@example.org")
    );
    let taken = ProfileChange {
        email: Some(b.email.clone()),
        ..Default::default()
    };
    assert!(matches!(
        s.update_profile(a.id, &taken, t("2026-01-02T00:00:00Z"))
            .await,
        Err(StoreError::Conflict(_))
    ));
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
    let (summary, csrf, user) = s
        .session_by_token(&token.hash(), now)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (
            summary.id,
            csrf.as_str(),
            user.id,
            summary.user_agent.as_str()
        ),
        (id, "csrf", a.id, "Firefox")
    );
    assert_eq!(
        s.session_by_token(&Secret::generate("").hash(), now)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        s.session_by_token(&token.hash(), t("2026-02-01T00:00:00Z"))
            .await
            .expect("read"),
        None,
        "expired"
    );

    s.touch_session(id, t("2026-01-20T00:00:00Z"), t("2026-02-20T00:00:00Z"))
        .await
        .expect("touch");
    assert!(
        s.session_by_token(&token.hash(), t("2026-02-01T00:00:00Z"))
            .await
            .expect("read")
            .is_some(),
        "touching extends"
    );

    let second = s
        .create_session(&NewSession {
            token_hash: Secret::generate("").hash(),
            ..new.clone()
        })
        .await
        .expect("create");
    assert_eq!(s.sessions_of(a.id, now).await.expect("list").len(), 2);
    assert!(
        !s.delete_session(b.id, id).await.expect("delete"),
        "not someone else's"
    );
    assert!(s.delete_session(a.id, id).await.expect("delete"));
    assert_eq!(
        s.sessions_of(a.id, now)
            .await
            .expect("list")
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        vec![second]
    );
    s.create_session(&NewSession {
        token_hash: Secret::generate("").hash(),
        ..new
    })
    .await
    .expect("create");
    assert_eq!(
        s.delete_sessions_except(a.id, Some(second))
            .await
            .expect("delete"),
        1
    );
    assert_eq!(s.sessions_of(a.id, now).await.expect("list").len(), 1);
    assert_eq!(
        s.delete_sessions_except(a.id, None::<SessionId>)
            .await
            .expect("delete"),
        1
    );
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
    let (summary, user) = s
        .api_token_by_hash(&token.hash())
        .await
        .expect("read")
        .expect("found");
    assert_eq!(
        (
            summary.id,
            summary.name.as_str(),
            summary.last_used_at,
            user.id
        ),
        (id, "script", None, a.id)
    );
    s.touch_api_token(id, t("2026-01-02T00:00:00Z"))
        .await
        .expect("touch");
    assert_eq!(
        s.api_tokens_of(a.id).await.expect("list")[0].last_used_at,
        Some(t("2026-01-02T00:00:00Z"))
    );
    assert!(s.api_tokens_of(b.id).await.expect("list").is_empty());
    assert!(
        !s.delete_api_token(b.id, id).await.expect("delete"),
        "not someone else's"
    );
    assert!(s.delete_api_token(a.id, id).await.expect("delete"));
    assert_eq!(
        s.api_token_by_hash(&token.hash()).await.expect("read"),
        None
    );
}

async fn failures_count_in_a_window(db: TestDb) {
    let s = &db.store;
    let keys = ["login:a".to_string(), "addr:1".to_string()];
    for minute in 0..3 {
        s.record_failure(
            &keys,
            t("2026-01-01T00:00:00Z") + SignedDuration::from_mins(minute),
        )
        .await
        .expect("record");
    }
    assert_eq!(
        s.failures_since("login:a", t("2025-12-31T00:00:00Z"))
            .await
            .expect("count"),
        (3, Some(t("2026-01-01T00:00:00Z")))
    );
    assert_eq!(
        s.failures_since("login:a", t("2026-01-01T00:00:30Z"))
            .await
            .expect("count"),
        (2, Some(t("2026-01-01T00:01:00Z")))
    );
    assert_eq!(
        s.failures_since("login:b", t("2025-12-31T00:00:00Z"))
            .await
            .expect("count"),
        (0, None)
    );
    s.clear_failures("login:a").await.expect("clear");
    assert_eq!(
        s.failures_since("login:a", t("2025-12-31T00:00:00Z"))
            .await
            .expect("count")
            .0,
        0
    );
    assert_eq!(
        s.failures_since("addr:1", t("2025-12-31T00:00:00Z"))
            .await
            .expect("count")
            .0,
        3,
        "other keys stay"
    );
    assert_eq!(
        s.prune_failures(t("2026-01-01T00:01:00Z"))
            .await
            .expect("prune"),
        2
    );
}

async fn invites_pair_two_people_once(db: TestDb) {
    let s = &db.store;
    let now = t("2026-01-01T00:00:00Z");
    let a = register(s, "a@example.org", Gate::Open).await;
    let b = register(s, "b@example.org", Gate::Open).await;
    let c = register(s, "c@example.org", Gate::Open).await;

    let old = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &old, "code:OLD", now))
        .await
        .expect("invite");
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:NEW", now))
        .await
        .expect("invite");
    assert_eq!(
        s.invite_by_hash(&old.hash()).await.expect("read"),
        None,
        "a new invite replaces the old one"
    );
    let open = s
        .open_invite_of(a.id, now)
        .await
        .expect("read")
        .expect("open");
    assert_eq!(open.inviter.id, a.id);
    assert_eq!(
        s.invite_by_hash(&SecretHash::of("code:NEW"))
            .await
            .expect("read")
            .map(|i| i.id),
        Some(open.id)
    );
    assert_eq!(
        s.open_invite_of(a.id, t("2026-01-09T00:00:00Z"))
            .await
            .expect("read"),
        None,
        "expired"
    );

    assert_eq!(
        s.redeem_invite(&token.hash(), a.id, now)
            .await
            .expect("redeem"),
        Err(RedeemFailure::OwnInvite)
    );
    assert_eq!(
        s.redeem_invite(&token.hash(), b.id, t("2026-01-09T00:00:00Z"))
            .await
            .expect("redeem"),
        Err(RedeemFailure::Expired)
    );
    assert_eq!(
        s.redeem_invite(&Secret::generate("inv_").hash(), b.id, now)
            .await
            .expect("redeem"),
        Err(RedeemFailure::Unknown)
    );
    let couple = s
        .redeem_invite(&SecretHash::of("code:NEW"), b.id, now)
        .await
        .expect("redeem")
        .expect("paired");
    assert_eq!(
        s.redeem_invite(&token.hash(), c.id, now)
            .await
            .expect("redeem"),
        Err(RedeemFailure::Used)
    );
    let members: Vec<UserId> = s
        .users_in_couple(couple)
        .await
        .expect("members")
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(members, vec![a.id, b.id]);
    assert_eq!(s.couple_since(couple).await.expect("since"), Some(now));

    // A third person cannot squeeze in, even with an invite made before the pairing.
    let c_invite = Secret::generate("inv_");
    s.create_invite(&invite(c.id, &c_invite, "code:C", now))
        .await
        .expect("invite");
    assert_eq!(
        s.redeem_invite(&c_invite.hash(), a.id, now)
            .await
            .expect("redeem"),
        Err(RedeemFailure::JoinerPaired)
    );
    assert!(
        s.invite_by_hash(&c_invite.hash())
            .await
            .expect("read")
            .is_some_and(|i| i.used_at.is_none()),
        "nothing half-done"
    );

    s.dissolve_couple(couple, t("2026-02-01T00:00:00Z"))
        .await
        .expect("dissolve");
    assert!(s.users_in_couple(couple).await.expect("members").is_empty());
    assert_eq!(s.couple_since(couple).await.expect("since"), None);
    assert_eq!(
        s.dissolve_couple(couple, t("2026-02-01T00:00:00Z")).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        s.user(a.id).await.expect("read").and_then(|u| u.couple_id),
        None
    );
    assert_eq!(s.cancel_invites_of(c.id).await.expect("cancel"), 1);
}

async fn sign_up_with_invite_is_all_or_nothing(db: TestDb) {
    let s = &db.store;
    let now = t("2026-01-01T00:00:00Z");
    let a = register(s, "a@example.org", Gate::FirstAccount).await;
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:A", now))
        .await
        .expect("invite");

    let bad = s
        .register(
            &new_user("b@example.org"),
            &Gate::Invite(Secret::generate("inv_").hash()),
            now,
        )
        .await
        .expect("ok");
    assert_eq!(bad, RegisterOutcome::Invite(RedeemFailure::Unknown));
    assert_eq!(
        s.user_by_email("b@example.org").await.expect("read"),
        None,
        "no account without a pairing"
    );

    match s
        .register(&new_user("b@example.org"), &Gate::Invite(token.hash()), now)
        .await
        .expect("ok")
    {
        RegisterOutcome::Created {
            user,
            couple: Some(couple),
        } => assert_eq!(user.couple_id, Some(couple)),
        other => panic!("{other:?}"),
    }
    let again = s
        .register(&new_user("c@example.org"), &Gate::Invite(token.hash()), now)
        .await
        .expect("ok");
    assert_eq!(again, RegisterOutcome::Invite(RedeemFailure::Used));
    assert_eq!(s.user_by_email("c@example.org").await.expect("read"), None);
}

async fn racing_redemptions_make_one_couple(db: TestDb) {
    let s: Arc<dyn Store> = Arc::new(db.store.clone());
    let now = t("2026-01-01T00:00:00Z");
    let a = register(&*s, "a@example.org", Gate::Open).await;
    let token = Secret::generate("inv_");
    s.create_invite(&invite(a.id, &token, "code:A", now))
        .await
        .expect("invite");
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
    let couple = s
        .user(a.id)
        .await
        .expect("read")
        .and_then(|u| u.couple_id)
        .expect("paired");
    assert_eq!(s.users_in_couple(couple).await.expect("members").len(), 2);
}

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
