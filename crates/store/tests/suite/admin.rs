//! The admin page's contract, on SQLite and PostgreSQL: who is an admin (the founding
//! account, or one named admin; never one promoted by age), the accounts with their last-seen
//! times and flags, the instance's counts, and switching an account off, which ends every way
//! in at once (sessions, tokens, reset links, invites) and keeps them closed until it is
//! switched back on.

use jiff::{SignedDuration, Timestamp};
use tend_domain::secret::{Secret, SecretHash};
use tend_domain::store::admin::InstanceCounts;
use tend_domain::store::*;
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, Store};
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn t0() -> Timestamp {
    "2026-03-02T18:00:00Z".parse().expect("time")
}

fn at(mins: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(mins)).expect("in range")
}

async fn person(s: &dyn Store, email: &str, now: Timestamp) -> User {
    let new = NewUserRecord {
        email: email.into(),
        display_name: email.split('@').next().unwrap_or("x").into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    match s.register(&new, &Gate::Open, now).await.expect("register") {
        RegisterOutcome::Created { user, .. } => user,
        other => panic!("{email}: {other:?}"),
    }
}

async fn pair(s: &dyn Store, a: &User, b: &User) -> CoupleId {
    let token = Secret::generate("inv_");
    let invite = NewInvite {
        inviter: a.id,
        token_hash: token.hash(),
        code_hash: SecretHash::of(&format!("code:{}", a.id)),
        now: t0(),
        expires_at: at(60),
    };
    s.create_invite(&invite).await.expect("invite");
    s.redeem_invite(&token.hash(), b.id, t0()).await.expect("redeem").expect("paired")
}

async fn session(s: &dyn Store, user: &User, now: Timestamp) -> Secret {
    let token = Secret::generate("s_");
    let new = NewSession {
        user_id: user.id,
        token_hash: token.hash(),
        csrf_token: "csrf".into(),
        user_agent: "Firefox".into(),
        ip: "127.0.0.1".into(),
        now,
        expires_at: at(60 * 24 * 30),
    };
    s.create_session(&new).await.expect("session");
    token
}

async fn api_token(s: &dyn Store, user: &User, now: Timestamp) -> Secret {
    let token = Secret::generate("tend_");
    let new =
        NewApiToken { user_id: user.id, name: "script".into(), token_hash: token.hash(), hint: "tend_x".into(), now };
    s.create_api_token(&new).await.expect("token");
    token
}

async fn admins_are_the_founder_and_those_named(db: TestDb) {
    let s = db.store.as_ref();
    let first = person(s, "first@example.org", t0()).await;
    let second = person(s, "second@example.org", at(1)).await;
    let third = person(s, "third@example.org", at(2)).await;
    assert!(s.is_admin(first.id).await.expect("read"), "the account that founded the instance");
    assert!(!s.is_admin(second.id).await.expect("read"));

    assert!(s.set_admin(second.id, true, at(3)).await.expect("name"));
    assert!(s.is_admin(second.id).await.expect("read"), "named admin");
    assert!(s.set_admin(second.id, false, at(4)).await.expect("unname"));
    assert!(!s.is_admin(second.id).await.expect("read"), "the name taken back");
    assert!(!s.set_admin(tend_domain::UserId(999_999), true, at(4)).await.expect("nobody"), "no such account");

    // The founder's role is the host's to take back, too.
    assert!(s.set_admin(first.id, false, at(5)).await.expect("unname"));
    assert!(!s.is_admin(first.id).await.expect("read"));
    assert!(s.set_admin(first.id, true, at(5)).await.expect("name again"));

    // Deleting the founder passes the role to no one: not to whoever happened to come next.
    assert!(s.delete_user(first.id, at(6)).await.expect("delete"));
    assert!(!s.is_admin(first.id).await.expect("read"));
    assert!(!s.is_admin(second.id).await.expect("read"), "no one is promoted by age");
    assert!(!s.is_admin(third.id).await.expect("read"));
    assert!(!s.set_admin(first.id, true, at(7)).await.expect("deleted"), "a deleted account cannot be named");
    // Only one account founds an instance: a later one (even the first after a deletion) does not.
    let later = person(s, "later@example.org", at(8)).await;
    assert!(!s.is_admin(later.id).await.expect("read"));
}

async fn accounts_are_listed_without_content_with_last_seen(db: TestDb) {
    let s = db.store.as_ref();
    let a = person(s, "a@example.org", t0()).await;
    let b = person(s, "b@example.org", at(1)).await;
    let loner = person(s, "loner@example.org", at(2)).await;
    let gone = person(s, "gone@example.org", at(3)).await;
    pair(s, &a, &b).await;
    s.set_admin(b.id, true, at(4)).await.expect("name");
    assert!(s.delete_user(gone.id, at(5)).await.expect("delete"));

    // Last seen: the latest of a session's use, a token's use and a Today visit.
    let session_token = session(s, &a, at(10)).await;
    let live = s.session_by_token(&session_token.hash(), at(11)).await.expect("read").expect("live");
    s.touch_session(live.session.id, at(20), at(60 * 24)).await.expect("touch");
    let b_token = api_token(s, &b, at(5)).await;
    let owner = s.api_token_by_hash(&b_token.hash()).await.expect("read").expect("owner");
    s.touch_api_token(owner.token.id, at(30)).await.expect("touch");
    s.set_seen_at(b.id, at(25)).await.expect("seen");

    let all = s.account_overviews(None, 100).await.expect("list");
    let emails: Vec<&str> = all.iter().map(|o| o.email.as_str()).collect();
    assert_eq!(emails, ["a@example.org", "b@example.org", "loner@example.org"], "oldest first, deleted left out");
    let (oa, ob, ol) = (&all[0], &all[1], &all[2]);
    assert_eq!((oa.id, oa.display_name.as_str(), oa.created_at), (a.id, "a", t0()));
    assert_eq!(oa.last_seen, Some(at(20)), "the session's last use");
    assert_eq!(ob.last_seen, Some(at(30)), "the token's use, later than the Today visit");
    assert_eq!(ol.last_seen, None, "never seen");
    assert_eq!((oa.paired, ob.paired, ol.paired), (true, true, false));
    assert!(oa.admin, "the founder");
    assert!(ob.admin, "named");
    assert!(!ol.admin);
    assert!(all.iter().all(|o| o.disabled_at.is_none()));

    // Pages by id, and one account alone.
    let first_page = s.account_overviews(None, 2).await.expect("page");
    assert_eq!(first_page.len(), 2);
    let rest = s.account_overviews(Some(first_page[1].id), 2).await.expect("page");
    assert_eq!(rest.iter().map(|o| o.id).collect::<Vec<_>>(), [loner.id]);
    assert_eq!(s.account_overview(b.id).await.expect("one").as_ref(), Some(ob));
    assert_eq!(s.account_overview(gone.id).await.expect("one"), None, "deleted");

    // Counts: three accounts, one couple; seen this week and this month by the times above.
    let counts = s.instance_counts(at(15), at(-60)).await.expect("counts");
    assert_eq!(
        counts,
        InstanceCounts { accounts: 3, disabled: 0, couples: 1, seen_since_week: 2, seen_since_month: 2 },
        "since {}: a (20) and b (30)",
        at(15)
    );
    let counts = s.instance_counts(at(21), at(-60)).await.expect("counts");
    assert_eq!((counts.seen_since_week, counts.seen_since_month), (1, 2), "only b since minute 21");
    s.set_disabled(loner.id, Some(at(40)), at(40)).await.expect("off");
    assert_eq!(s.instance_counts(at(15), at(-60)).await.expect("counts").disabled, 1);
}

async fn an_account_switched_off_has_no_way_in(db: TestDb) {
    let s = db.store.as_ref();
    let admin = person(s, "admin@example.org", t0()).await;
    let a = person(s, "a@example.org", at(1)).await;
    let b = person(s, "b@example.org", at(2)).await;
    let couple = pair(s, &a, &b).await;
    let a_session = session(s, &a, at(5)).await;
    let b_session = session(s, &b, at(5)).await;
    let a_token = api_token(s, &a, at(5)).await;
    let reset = Secret::generate("");
    s.create_password_reset(a.id, &reset.hash(), at(5), at(120)).await.expect("reset");

    assert!(s.set_disabled(a.id, Some(at(10)), at(10)).await.expect("off"));
    assert_eq!(s.disabled_at(a.id).await.expect("read"), Some(at(10)));
    assert_eq!(s.account_overview(a.id).await.expect("read").and_then(|o| o.disabled_at), Some(at(10)));
    // Every way in ends at once: sessions, tokens and the unused reset link.
    assert!(s.session_by_token(&a_session.hash(), at(11)).await.expect("read").is_none());
    assert!(s.sessions_of(a.id, at(11)).await.expect("read").is_empty(), "sessions deleted");
    assert!(s.api_token_by_hash(&a_token.hash()).await.expect("read").is_none());
    assert!(s.api_tokens_of(a.id).await.expect("read").is_empty(), "tokens deleted");
    assert_eq!(s.password_reset_user(&reset.hash(), at(11)).await.expect("read"), None);
    assert_eq!(s.redeem_password_reset(&reset.hash(), "new-hash", at(11)).await.expect("redeem"), None);
    assert_eq!(s.password_hash(a.id).await.expect("read").as_deref(), Some("hash"), "the password is unchanged");

    // And stays closed while it is off: a session, token, reset or invite that a race let in
    // (checked just before the switch) does not work.
    let late_session = session(s, &a, at(12)).await;
    let late_token = api_token(s, &a, at(12)).await;
    let late_reset = Secret::generate("");
    s.create_password_reset(a.id, &late_reset.hash(), at(12), at(120)).await.expect("reset");
    assert!(s.session_by_token(&late_session.hash(), at(13)).await.expect("read").is_none());
    assert!(s.api_token_by_hash(&late_token.hash()).await.expect("read").is_none());
    assert_eq!(s.password_reset_user(&late_reset.hash(), at(13)).await.expect("read"), None);
    assert_eq!(s.redeem_password_reset(&late_reset.hash(), "new-hash", at(13)).await.expect("redeem"), None);
    assert!(!s.is_admin(a.id).await.expect("read"));
    // Nor does an invite of theirs: it cannot make a new account paired with them.
    let loner = person(s, "loner@example.org", at(3)).await;
    let invite = Secret::generate("inv_");
    let new_invite = |now| NewInvite {
        inviter: loner.id,
        token_hash: invite.hash(),
        code_hash: SecretHash::of("code:loner"),
        now,
        expires_at: at(600),
    };
    s.create_invite(&new_invite(at(3))).await.expect("invite");
    assert!(s.set_disabled(loner.id, Some(at(4)), at(4)).await.expect("off"));
    assert!(s.invite_by_hash(&invite.hash()).await.expect("read").is_none(), "the invite went with the switch");
    s.create_invite(&new_invite(at(5))).await.expect("a late invite");
    assert!(s.invite_by_hash(&invite.hash()).await.expect("read").is_none(), "not shown while off");
    let joiner = NewUserRecord {
        email: "joiner@example.org".into(),
        display_name: "joiner".into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    let outcome = s.register(&joiner, &Gate::Invite(invite.hash()), at(6)).await.expect("register");
    assert!(matches!(outcome, RegisterOutcome::Invite(_)), "refused: {outcome:?}");
    assert!(s.user_by_email("joiner@example.org").await.expect("read").is_none(), "no account was made");

    // Nothing else changes: the partner stays paired and signed in; nothing is deleted.
    assert!(s.session_by_token(&b_session.hash(), at(13)).await.expect("read").is_some());
    assert_eq!(s.users_in_couple(couple).await.expect("read").len(), 2);
    assert_eq!(s.user(a.id).await.expect("read").map(|u| u.couple_id), Some(Some(couple)));

    // Switched back on, the person can come in again, afresh: nothing from before or from
    // while it was off comes back to life.
    assert!(s.set_disabled(a.id, None, at(20)).await.expect("on"));
    assert_eq!(s.disabled_at(a.id).await.expect("read"), None);
    for (name, token) in [("session", &a_session), ("late session", &late_session)] {
        assert!(s.session_by_token(&token.hash(), at(21)).await.expect("read").is_none(), "{name}");
    }
    assert!(s.api_token_by_hash(&late_token.hash()).await.expect("read").is_none());
    assert_eq!(s.redeem_password_reset(&late_reset.hash(), "new-hash", at(21)).await.expect("redeem"), None);
    let fresh = session(s, &a, at(22)).await;
    assert!(s.session_by_token(&fresh.hash(), at(22)).await.expect("read").is_some(), "a new log-in works");

    // Unknown and deleted accounts are not found.
    assert!(!s.set_disabled(tend_domain::UserId(999_999), Some(at(22)), at(22)).await.expect("nobody"));
    assert!(s.delete_user(b.id, at(23)).await.expect("delete"));
    assert!(!s.set_disabled(b.id, Some(at(24)), at(24)).await.expect("deleted"));
    assert!(s.is_admin(admin.id).await.expect("read"));
}

both_backends!(
    admins_are_the_founder_and_those_named,
    accounts_are_listed_without_content_with_last_seen,
    an_account_switched_off_has_no_way_in
);
