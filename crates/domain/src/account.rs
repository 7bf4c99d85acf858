//! Accounts: signing up, profiles and passwords.

use crate::auth::{self, password};
use crate::error::{Error, FieldErrors, Result};
use crate::store::{Gate, NewUserRecord, ProfileChange, RegisterOutcome, User};
use crate::time::TimeZoneName;
use crate::{CoupleId, Ctx, Registration, secret, throttle};

pub const NAME_MAX: usize = 40;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

pub fn parse_display_name(s: &str) -> Result<String, String> {
    let name = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("Please tell us what to call you.".into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("Please keep your name to {NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("Your name contains characters we can’t show.".into());
    }
    Ok(name)
}

/// A plausible email address, lower-cased. We never send mail to check it, so this only
/// catches typing mistakes.
pub fn parse_email(s: &str) -> Result<String, String> {
    let email = s.trim().to_lowercase();
    if email.is_empty() {
        return Err("Please enter your email address.".into());
    }
    if email.len() > EMAIL_MAX {
        return Err("That email address is too long.".into());
    }
    let valid = match email.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
                && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
                && local.len() <= 64
        }
        None => false,
    };
    if valid { Ok(email) } else { Err("That doesn’t look like an email address, like name@example.org.".into()) }
}

pub fn parse_new_password(s: &str) -> Result<String, String> {
    let count = s.chars().count();
    if count < PASSWORD_MIN {
        return Err(format!("Please use at least {PASSWORD_MIN} characters; a few words strung together work well."));
    }
    if count > PASSWORD_MAX {
        return Err(format!("Please keep your password under {PASSWORD_MAX} characters."));
    }
    Ok(s.to_owned())
}

/// A sign-up as typed into the form or the API.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SignUp {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub time_zone: String,
    /// An invite link token or the short code, when joining a partner.
    #[serde(default)]
    pub invite: Option<String>,
}

#[derive(Debug)]
pub struct SignedUp {
    pub user: User,
    pub couple: Option<CoupleId>,
}

/// Creates an account, and pairs it at once when it came with an invite. Nothing is written
/// unless everything succeeds. Nothing is throttled here, for want of a client address: the
/// host's tools and tests may call this; requests should go through [`sign_up_from`].
pub async fn sign_up(ctx: &Ctx, form: SignUp) -> Result<SignedUp> {
    sign_up_from(ctx, form, &auth::Client::default()).await
}

/// The answer to an email that already has an account. With open registration anyone can
/// learn this way whether an email has an account here (a sign-up has to be refused, and Tend
/// sends no mail to say so privately), so [`sign_up_from`] counts these answers against the
/// client's address like wrong passwords.
pub const EMAIL_TAKEN: &str = "There is already an account with this email. Log in instead?";

const CLOSED: &str = "This Tend is private: new accounts join through a partner’s invite. Ask your partner for their invite link or code.";

/// [`sign_up`] for a request from `client`. Everything that can refuse the sign-up is checked
/// before the costly password hash: who may register, the invite, and (with a client address)
/// whether the email is free. Unknown invites and taken emails count against the client's
/// address, as wrong passwords do. The store checks the gate and the email again in its
/// transaction.
pub async fn sign_up_from(ctx: &Ctx, form: SignUp, client: &auth::Client) -> Result<SignedUp> {
    let mut errors = FieldErrors::default();
    let display_name = errors.take("display_name", parse_display_name(&form.display_name));
    let email = errors.take("email", parse_email(&form.email));
    let password = errors.take("password", parse_new_password(&form.password));
    let time_zone = errors.take("time_zone", TimeZoneName::parse(&form.time_zone));
    let invite = form.invite.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let invite_hash = match invite {
        Some(presented) => errors.take(
            "invite",
            crate::couple::invite_hash(presented).ok_or_else(|| crate::couple::INVITE_UNKNOWN.to_owned()),
        ),
        None => None,
    };
    errors.into_result()?;
    let (Some(display_name), Some(email), Some(password), Some(time_zone)) = (display_name, email, password, time_zone)
    else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    // Without an address (the host's tools) there is nobody to throttle.
    let keys = (!client.ip.is_empty())
        .then(|| throttle::Keys { account: format!("signup:{email}"), address: format!("addr:{}", client.ip) });
    // Recorded before it is decided (a burst cannot slip past the count) and taken back once
    // the invite is known and the email free, so only those two answers keep counting.
    let attempt = match &keys {
        Some(keys) => Some(throttle::attempt(ctx, keys).await?),
        None => None,
    };
    let gate = match (invite_hash, ctx.policy.registration) {
        (Some(hash), _) => Gate::Invite(hash),
        (None, Registration::Open) => Gate::Open,
        (None, Registration::InviteOnly) => Gate::FirstAccount,
    };
    match (&gate, invite) {
        (Gate::FirstAccount, _) if ctx.store.is_founded().await? => return Err(Error::rejected(CLOSED)),
        (Gate::Invite(_), Some(presented)) => match crate::couple::preview_invite(ctx, presented, None).await {
            Ok(preview) => {
                if let Some(problem) = preview.problem {
                    return Err(Error::field("invite", problem));
                }
            }
            Err(Error::NotFound) => return Err(Error::field("invite", crate::couple::INVITE_UNKNOWN)),
            Err(other) => return Err(other),
        },
        _ => {}
    }
    // Asked early only where the answers are throttled: elsewhere a taken email is found by
    // the store after the hash, so that asking about one costs what a sign-up costs.
    if let Some(attempt) = attempt {
        if ctx.store.user_by_email(&email).await?.is_some() {
            return Err(Error::field("email", EMAIL_TAKEN));
        }
        throttle::succeeded(ctx, attempt).await?;
    }
    let password_hash = password::hash(password).await?;
    let record = NewUserRecord { email, display_name, password_hash, time_zone };
    match ctx.store.register(&record, &gate, ctx.now()).await? {
        RegisterOutcome::Created { user, couple } => {
            if couple.is_some() {
                crate::couple::joined(ctx, &crate::couple::us(ctx, &user).await?).await;
            }
            Ok(SignedUp { user, couple })
        }
        // Taken in the moment since the check above: a race, not a probe, so not counted.
        RegisterOutcome::EmailTaken => Err(Error::field("email", EMAIL_TAKEN)),
        RegisterOutcome::Closed => Err(Error::rejected(CLOSED)),
        RegisterOutcome::Invite(failure) => Err(Error::field("invite", crate::couple::redeem_message(failure))),
    }
}

/// Who may sign up right now, for the sign-up page to explain itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpMode {
    /// Nobody has an account yet: the first person sets Tend up.
    FirstAccount,
    Open,
    /// Only with a partner's invite.
    InviteOnly,
}

pub async fn sign_up_mode(ctx: &Ctx) -> Result<SignUpMode> {
    if !ctx.store.is_founded().await? {
        Ok(SignUpMode::FirstAccount)
    } else if ctx.policy.registration == Registration::Open {
        Ok(SignUpMode::Open)
    } else {
        Ok(SignUpMode::InviteOnly)
    }
}

/// A change to one's own profile; absent fields stay as they are.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ProfileUpdate {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub time_zone: Option<String>,
    pub hide_counts: Option<bool>,
}

/// How a change of one's own email is throttled: keyed by the account (it is signed in, so
/// the address adds nothing), under the log-in limit of [`throttle::ACCOUNT_LIMIT`] a window.
fn email_change_keys(me: &User) -> throttle::Keys {
    throttle::Keys { account: format!("email-change:{}", me.id), address: format!("email-change-of:{}", me.id) }
}

/// Changes one's own profile. A change of email says plainly when another account has that
/// address, which tells a signed-in person whether an account exists; so every change to a new
/// address counts against a limit, taken or not, and more than a few in a window wait.
pub async fn update_profile(ctx: &Ctx, me: &User, form: ProfileUpdate) -> Result<User> {
    let mut errors = FieldErrors::default();
    let change = ProfileChange {
        display_name: form.display_name.as_deref().and_then(|s| errors.take("display_name", parse_display_name(s))),
        email: form.email.as_deref().and_then(|s| errors.take("email", parse_email(s))),
        time_zone: form.time_zone.as_deref().and_then(|s| errors.take("time_zone", TimeZoneName::parse(s))),
        hide_counts: form.hide_counts,
    };
    errors.into_result()?;
    let new_email = change.email.as_ref().is_some_and(|e| *e != me.email);
    if new_email {
        // Recorded before it is decided, so a burst of changes cannot slip past the limit.
        let _attempt = throttle::attempt(ctx, &email_change_keys(me)).await?;
    }
    ctx.store.update_profile(me.id, &change, ctx.now()).await.map_err(|e| match e {
        crate::StoreError::Conflict(_) => Error::field("email", "Another account already uses this email."),
        other => other.into(),
    })
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct PasswordChange {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// Changes the password after checking the current one, and signs out every other session
/// and nothing else: API tokens are revoked separately, on purpose.
pub async fn change_password(
    ctx: &Ctx,
    me: &User,
    keep_session: Option<crate::SessionId>,
    form: PasswordChange,
) -> Result<()> {
    let new = parse_new_password(&form.new_password).map_err(|m| Error::field("new_password", m))?;
    // Guessing the current password from a session left open is throttled like log-in.
    let keys = throttle::Keys { account: format!("password-change:{}", me.id), address: format!("addr-of:{}", me.id) };
    let turn = password::turn().await?;
    let attempt = throttle::attempt(ctx, &keys).await?;
    let stored = ctx.store.password_hash(me.id).await?.ok_or(Error::NotFound)?;
    if !turn.verify(form.current_password, stored).await? {
        return Err(Error::field("current_password", "That isn’t your current password."));
    }
    throttle::succeeded(ctx, attempt).await?;
    let hash = password::hash(new).await?;
    ctx.store.set_password_hash(me.id, &hash, ctx.now()).await?;
    ctx.store.delete_sessions_except(me.id, keep_session).await?;
    ctx.access_changed(me).await;
    Ok(())
}

/// For the host: sets a new random password, signs the person out everywhere and returns
/// the password to hand over.
pub async fn reset_password(ctx: &Ctx, email: &str) -> Result<String> {
    let email = parse_email(email).map_err(|m| Error::field("email", m))?;
    let user = ctx.store.user_by_email(&email).await?.ok_or(Error::NotFound)?;
    let password = secret::Secret::generate("").expose()[..16].to_owned();
    let hash = password::hash(password.clone()).await?;
    ctx.store.set_password_hash(user.id, &hash, ctx.now()).await?;
    ctx.store.delete_sessions_except(user.id, None).await?;
    auth::revoke_all_api_tokens(ctx, &user).await?;
    Ok(password)
}

/// How long a "forgot password" link works.
pub const RESET_LINK_VALID: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// "Forgot password", first half: checks the email as typed and counts the request against
/// the same throttle as log-in (per email and per address), so the form cannot flood an inbox.
/// The same for every email, whether or not an account has it; returns the email to send to.
pub async fn forgot_password(ctx: &Ctx, email: &str, client: &auth::Client) -> Result<String> {
    let email = parse_email(email).map_err(|m| Error::field("email", m))?;
    let keys = throttle::Keys { account: format!("reset:{email}"), address: format!("addr:{}", client.ip) };
    // Counted and kept, as a failure is: each request is one more try.
    let _ = throttle::attempt(ctx, &keys).await?;
    Ok(email)
}

/// "Forgot password", second half, to run apart from the request so that how long the answer
/// takes says nothing about whether the account exists: when an account has this email and
/// email is set up, sends it a link to set a new password (single use, for an hour; a newer
/// link replaces it). Sent or not, nothing is reported; the courier logs a failure for the host.
pub async fn send_reset_link(ctx: &Ctx, courier: &dyn crate::reminder::Courier, email: &str) -> Result<()> {
    let Some(user) = ctx.store.user_by_email(email).await? else { return Ok(()) };
    if !courier.email_ready() || ctx.store.disabled_at(user.id).await?.is_some() {
        return Ok(());
    }
    let token = new_reset_link(ctx, user.id, RESET_LINK_VALID).await?;
    let message = crate::reminder::Message {
        title: "Set a new password".into(),
        body: "Someone asked to set a new password for your Tend account. The link below works \
               once, for the next hour."
            .into(),
        path: format!("/reset/{}", token.expose()),
        tag: "password-reset".into(),
    };
    let _delivery = courier.account_email(&user, &message).await;
    Ok(())
}

/// A new single-use link for `user` to set a new password, working for `valid`; it replaces
/// any unused one. Only its hash is kept.
pub(crate) async fn new_reset_link(
    ctx: &Ctx,
    user: crate::UserId,
    valid: jiff::SignedDuration,
) -> Result<secret::Secret> {
    let token = secret::Secret::generate("");
    let now = ctx.now();
    let expires = now.checked_add(valid).map_err(|e| Error::Internal(e.to_string()))?;
    ctx.store.create_password_reset(user, &token.hash(), now, expires).await?;
    Ok(token)
}

/// Whether a "forgot password" link still works (unused, unexpired), to show its form.
pub async fn reset_link_works(ctx: &Ctx, token: &str) -> Result<bool> {
    Ok(ctx.store.password_reset_user(&secret::SecretHash::of(token.trim()), ctx.now()).await?.is_some())
}

/// Sets a new password through a "forgot password" link, which is used up: the person is
/// signed out everywhere (sessions and API tokens, and their open streams close).
pub async fn reset_password_with_link(ctx: &Ctx, token: &str, new_password: &str) -> Result<()> {
    let new = parse_new_password(new_password).map_err(|m| Error::field("new_password", m))?;
    // A made-up link costs one read, not a password hash.
    if !reset_link_works(ctx, token).await? {
        return Err(Error::rejected("This link has expired or was used already. Ask for a new one."));
    }
    let hash = password::hash(new).await?;
    let used = ctx.store.redeem_password_reset(&secret::SecretHash::of(token.trim()), &hash, ctx.now()).await?;
    let Some(id) = used else {
        return Err(Error::rejected("This link has expired or was used already. Ask for a new one."));
    };
    if let Some(user) = ctx.store.user(id).await? {
        ctx.access_changed(&user).await;
    }
    Ok(())
}

/// The name a deleted account's row keeps, so nothing that still points at it (an
/// appreciation the partner wrote to them, a hug they logged together) shows an empty name.
pub const DELETED_NAME: &str = "A deleted account";

/// What deleting one's account takes away. Shown before confirming, in the API, and carried
/// out by `Accounts::delete_user` exactly.
pub const DELETE_GOES: [&str; 5] = [
    "Everything you wrote: check-ins, appreciations (with the reactions and replies they received), answers to questions, your replies and reactions, notes on tech-free evenings, what you shared or reflected back in listening, your intimacy maps and States of Us, your goals (with the cheers and progress on them), the cheers you sent, your own ideas and how you found the things you tried together.",
    "Your ratings and marks: how understood, accepted and cared for you felt after answers and conversations, whether your partner got what you shared, and your yes, maybe or not-for-me on ideas.",
    "Your account: your name, email address and password, and every device and API token signed in with it.",
    "Your reminders, notification devices, calendar address, any invite you sent, and the key your words were sealed with.",
    "Your couple’s photos, yours and your partner’s, with their captions and replies: photos are kept only while you are a couple, so unpairing removes them too. Download your data first to keep yours.",
];

/// What stays after one's account is deleted.
pub const DELETE_STAYS: [&str; 3] = [
    "Your partner keeps their own words: the appreciations they wrote to you, their answers and responses to questions, and their side of any listening.",
    "What you did together stays with your partner as plain facts, without your words: hugs, practices marked as done, your agreed rhythm, the questions you drew, the plans you made together, and that a conversation took place.",
    "If you’re paired, your couple ends first, just as unpairing does, and your partner can pair again with a new invite. Your email address is free to use again.",
];

const WRONG_PASSWORD: &str = "That isn’t your password, so nothing was deleted.";

/// How guessing the password through the delete form is throttled: as a change of password.
fn delete_keys(me: &User) -> throttle::Keys {
    throttle::Keys { account: format!("account-delete:{}", me.id), address: format!("addr-of:{}", me.id) }
}

/// Deletes one's own account after checking the password, as `DELETE_GOES` and
/// `DELETE_STAYS` say. A wrong password changes nothing and counts like a wrong log-in.
pub async fn delete_account(ctx: &Ctx, me: &User, password: &str) -> Result<()> {
    if password.is_empty() {
        return Err(Error::field("password", "Please type your password to confirm."));
    }
    if password.chars().count() > PASSWORD_MAX {
        return Err(Error::field("password", WRONG_PASSWORD));
    }
    let turn = password::turn().await?;
    let attempt = throttle::attempt(ctx, &delete_keys(me)).await?;
    let stored = ctx.store.password_hash(me.id).await?.ok_or(Error::NotFound)?;
    if !turn.verify(password.to_owned(), stored).await? {
        return Err(Error::field("password", WRONG_PASSWORD));
    }
    throttle::succeeded(ctx, attempt).await?;
    remove(ctx, me.id).await
}

/// For the host: deletes the account with this email, as `delete_account` does, without a
/// password.
pub async fn delete_by_email(ctx: &Ctx, email: &str) -> Result<User> {
    let user = find_by_email(ctx, email).await?;
    remove(ctx, user.id).await?;
    Ok(user)
}

/// For the host: the account with this email, if there is one.
pub async fn find_by_email(ctx: &Ctx, email: &str) -> Result<User> {
    let email = parse_email(email).map_err(|m| Error::field("email", m))?;
    ctx.store.user_by_email(&email).await?.ok_or(Error::NotFound)
}

/// Deletes the person and tells the partner's open pages, which then find themselves unpaired.
async fn remove(ctx: &Ctx, id: crate::UserId) -> Result<()> {
    // Read afresh: the couple may have changed since the caller was signed in.
    let couple = ctx.store.user(id).await?.ok_or(Error::NotFound)?.couple_id;
    let partners = match couple {
        Some(couple) => ctx.store.users_in_couple(couple).await?.into_iter().filter(|u| u.id != id).collect(),
        None => Vec::new(),
    };
    // The couple ends with the account, and its photos with it (see `couple::unpair`).
    let photos = match couple {
        Some(couple) => ctx.store.photo_ids(couple).await?,
        None => Vec::new(),
    };
    if !ctx.store.delete_user(id, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    crate::photo::forget(ctx, &photos).await;
    if let Some(couple) = couple {
        ctx.notify(couple, crate::events::EventKind::Couple).await;
    }
    for partner in partners {
        let event = crate::events::PersonEvent { person: partner.id, kind: crate::events::EventKind::Couple };
        ctx.events.publish_to(event).await;
    }
    Ok(())
}

/// Whether the person put the first-week guide away.
pub async fn guide_hidden(ctx: &Ctx, me: &User) -> Result<bool> {
    Ok(ctx.store.guide_hidden(me.id).await?)
}

/// Puts the first-week guide away for this person, on every device.
pub async fn hide_guide(ctx: &Ctx, me: &User) -> Result<()> {
    ctx.store.hide_guide(me.id, ctx.now()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_display_name("  Sam   Lee "), Ok("Sam Lee".into()));
        assert!(parse_display_name("   ").is_err());
        assert!(parse_display_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert_eq!(parse_display_name(&"é".repeat(NAME_MAX)).map(|n| n.chars().count()), Ok(NAME_MAX));
        assert!(parse_display_name("a\u{7}b").is_err());
    }

    #[test]
    fn emails_are_checked_for_typos_only() {
        assert_eq!(parse_email(" Sam@Example.ORG "), Ok("sam@example.org".into()));
        for bad in [
            "",
            "sam",
            "sam@",
            "@example.org",
            "sam@example",
            "sam@.org",
            "sam@example..org",
            "s am@example.org",
            "<a>@b.co",
        ] {
            assert!(parse_email(bad).is_err(), "{bad:?} accepted");
        }
        assert!(parse_email(&format!("{}@example.org", "a".repeat(300))).is_err());
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(parse_new_password("123456789").is_err());
        assert!(parse_new_password("1234567890").is_ok());
        assert!(parse_new_password("ééééééééé").is_err(), "characters, not bytes");
        assert!(parse_new_password(&"x".repeat(PASSWORD_MAX + 1)).is_err());
    }
}
