//! What the store's tests share: a moment to start from, and people and couples made
//! through the store itself.

use jiff::{SignedDuration, Timestamp};
use tend_domain::secret::{Secret, SecretHash};
use tend_domain::store::{Gate, NewInvite, NewUserRecord, RegisterOutcome, User};
use tend_domain::time::TimeZoneName;
use tend_domain::{CoupleId, Store};

/// The moment the tests start from.
pub fn t0() -> Timestamp {
    "2026-03-02T18:00:00Z".parse().expect("time")
}

/// `mins` minutes after [`t0`].
pub fn at(mins: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(mins)).expect("in range")
}

/// A person signed up at [`t0`], named after their email, in Berlin's time zone.
pub async fn person(s: &dyn Store, email: &str) -> User {
    let new = NewUserRecord {
        email: email.into(),
        display_name: email.split('@').next().unwrap_or("x").into(),
        password_hash: "hash".into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
    };
    match s.register(&new, &Gate::Open, t0()).await.expect("register") {
        RegisterOutcome::Created { user, .. } => user,
        other => panic!("{email}: {other:?}"),
    }
}

/// `a-{tag}@example.org` and `b-{tag}@example.org`, paired by an invite at [`t0`].
pub async fn couple(s: &dyn Store, tag: &str) -> (User, User, CoupleId) {
    let a = person(s, &format!("a-{tag}@example.org")).await;
    let b = person(s, &format!("b-{tag}@example.org")).await;
    let token = Secret::generate("inv_");
    let invite = NewInvite {
        inviter: a.id,
        token_hash: token.hash(),
        code_hash: SecretHash::of(&format!("code:{tag}")),
        now: t0(),
        expires_at: at(60),
    };
    s.create_invite(&invite).await.expect("invite");
    let c = s.redeem_invite(&token.hash(), b.id, t0()).await.expect("redeem").expect("paired");
    (a, b, c)
}
