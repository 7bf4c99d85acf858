//! Fixture builders: a couple with weeks of history, for `tend demo`, tests and benchmarks.
//! They go through the same use cases as people do, on a clock set back in time.

use crate::account::{self, SignUp};
use crate::couple::{self, Join, Us};
use crate::error::{Error, Result};
use crate::store::User;
use crate::{Ctx, ManualClock, Policy, Registration};
use jiff::SignedDuration;
use std::sync::Arc;

/// One partner to create.
#[derive(Clone, Debug)]
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub time_zone: &'a str,
}

/// Creates two accounts and pairs them as they would pair themselves, `weeks` weeks ago.
/// Registration rules are bypassed: this is the host's tool, not a sign-up.
pub async fn paired_couple(ctx: &Ctx, a: &Person<'_>, b: &Person<'_>, weeks: i64) -> Result<Us> {
    let then = ctx
        .now()
        .checked_sub(SignedDuration::from_hours(24 * 7 * weeks))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let past = Ctx {
        clock: Arc::new(ManualClock::new(then)),
        policy: Policy { registration: Registration::Open },
        ..ctx.clone()
    };
    let first = sign_up(&past, a).await?;
    let invite = couple::create_invite(&past, &first).await?;
    let second = sign_up(&past, b).await?;
    couple::join(&past, &second, Join { invite: invite.token.expose().to_owned() }, "fixture").await?;
    let first = ctx.store.user(first.id).await?.ok_or(Error::NotFound)?;
    couple::us(ctx, &first).await
}

async fn sign_up(ctx: &Ctx, p: &Person<'_>) -> Result<User> {
    let form = SignUp {
        display_name: p.name.into(),
        email: p.email.into(),
        password: p.password.into(),
        time_zone: p.time_zone.into(),
        invite: None,
    };
    Ok(account::sign_up(ctx, form).await?.user)
}

/// Sets a fixture person's password back to the known one.
pub async fn set_password(ctx: &Ctx, p: &Person<'_>) -> Result<()> {
    let user = ctx.store.user_by_email(p.email).await?.ok_or(Error::NotFound)?;
    let hash = crate::auth::password::hash(p.password.into()).await?;
    ctx.store.set_password_hash(user.id, &hash, ctx.now()).await?;
    Ok(())
}
