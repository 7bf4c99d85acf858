//! One-click unsubscribe from reminder emails (RFC 8058): a link that carries its own proof.

use crate::Ctx;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::secret::{self, Secret};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

async fn email_key(ctx: &Ctx) -> Result<Vec<u8>> {
    let fresh = Secret::generate("");
    let key = ctx.store.instance_secret("email-unsubscribe-key", fresh.expose()).await?;
    Ok(key.into_bytes())
}

fn stop_mac(key: &[u8], user: UserId) -> Result<String> {
    // A MAC over the person's id: a link that turns off one person's email and nothing else,
    // and needs no row of its own.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| Error::Internal(e.to_string()))?;
    mac.update(format!("stop-email:{user}").as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..18]))
}

/// The one-click unsubscribe path for the person's emails.
pub async fn stop_path(ctx: &Ctx, user: UserId) -> Result<String> {
    let key = email_key(ctx).await?;
    Ok(format!("/reminders/stop/{user}.{}", stop_mac(&key, user)?))
}

/// Turns off email reminders for whoever the link was made for.
pub async fn stop_email(ctx: &Ctx, token: &str) -> Result<()> {
    let (id, mac) = token.split_once('.').ok_or(Error::NotFound)?;
    let user = id.parse::<UserId>().map_err(|_| Error::NotFound)?;
    let key = email_key(ctx).await?;
    if !secret::same(&stop_mac(&key, user)?, mac) {
        return Err(Error::NotFound);
    }
    ctx.store.stop_email(user, ctx.now()).await?;
    Ok(())
}
