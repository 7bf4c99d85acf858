//! Tend's courier: carries reminders out of Tend by Web Push and by email. The domain decides
//! what to send and when ([`tend_domain::reminder`]); [`Channels`] only delivers.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use tend_courier::{Channels, CourierConfig, SmtpConfig, VapidKeys};
//! use tend_domain::reminder::EndpointPolicy;
//!
//! let vapid = VapidKeys::from_private("…the stored private key…")?;
//! let courier = Channels::new(CourierConfig {
//!     base_url: "https://tend.example".into(),
//!     vapid,
//!     vapid_subject: "mailto:admin@tend.example".into(),
//!     smtp: Some(SmtpConfig {
//!         url: "smtp://tend:secret@mail.example:587?tls=required".into(),
//!         from: "Tend <tend@tend.example>".into(),
//!     }),
//!     endpoint_policy: EndpointPolicy::default(),
//! })?;
//! # let _: &dyn tend_domain::reminder::Courier = &courier;
//! # Ok(()) }
//! ```

mod email;
mod push;
mod vapid;

pub use vapid::VapidKeys;

use anyhow::{Context, bail};
use async_trait::async_trait;
use tend_domain::reminder::{Courier, Delivery, EndpointPolicy, Message};
use tend_domain::store::User;
use tend_domain::store::reminders::PushSubscription;

/// Everything the courier needs to know about this instance.
#[derive(Clone, Debug)]
pub struct CourierConfig {
    /// Where people reach Tend (`https://tend.example`): links in emails are made absolute with it.
    pub base_url: String,
    /// The key pair every push is signed with; browsers subscribe with its public key.
    pub vapid: VapidKeys,
    /// Who push services may contact about our pushes: `mailto:admin@example.org` or an
    /// `https://` URL (RFC 8292 section 2.1).
    pub vapid_subject: String,
    /// Email, if this instance has an SMTP server; without it only Web Push is offered.
    pub smtp: Option<SmtpConfig>,
    /// Where push endpoints may point; the default allows only public https hosts.
    pub endpoint_policy: EndpointPolicy,
}

/// How to reach the SMTP server, and whom reminders come from.
#[derive(Clone)]
pub struct SmtpConfig {
    /// `smtps://user:pass@host` (TLS from the start, port 465 by default),
    /// `smtp://user:pass@host?tls=required` (STARTTLS, 587 by default),
    /// `smtp://user:pass@host?tls=opportunistic` (STARTTLS if offered), or
    /// `smtp://host:port` without `tls`: plain, unencrypted, for a relay on this machine or a
    /// private network (a warning is logged if it carries a password). A user or password with
    /// reserved characters is percent-encoded. A path (`smtp://host/tend.example`) sets the
    /// name said in EHLO, which is otherwise this machine's host name.
    pub url: String,
    /// `Tend <tend@example.org>` or a bare address.
    pub from: String,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry the password.
        f.debug_struct("SmtpConfig").field("from", &self.from).finish_non_exhaustive()
    }
}

/// The real [`Courier`]: Web Push always, email when SMTP is configured.
#[derive(Debug)]
pub struct Channels {
    base_url: String,
    pusher: push::Pusher,
    mailer: Option<email::Mailer>,
}

impl Channels {
    /// Checks the configuration (base URL, VAPID subject, SMTP URL and From address). Nothing
    /// is contacted yet: an SMTP server that is down shows up as failed deliveries, retried.
    pub fn new(config: CourierConfig) -> anyhow::Result<Self> {
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://"))
            || base_url.chars().any(|c| !c.is_ascii_graphic())
        {
            bail!("The base URL {:?} must be a plain http(s):// address.", config.base_url);
        }
        let subject = config.vapid_subject.trim().to_owned();
        let plausible = subject.strip_prefix("mailto:").is_some_and(|a| a.contains('@'))
            || subject.strip_prefix("https://").is_some_and(|h| !h.is_empty());
        if !plausible || subject.chars().any(|c| c.is_whitespace() || c.is_control()) {
            bail!("The VAPID subject {subject:?} must be a mailto: address or an https:// URL.");
        }
        let mailer = config.smtp.as_ref().map(email::Mailer::new).transpose().context("Email can't be set up")?;
        Ok(Self {
            base_url,
            pusher: push::Pusher { keys: config.vapid, subject, policy: config.endpoint_policy },
            mailer,
        })
    }
}

#[async_trait]
impl Courier for Channels {
    fn email_ready(&self) -> bool {
        self.mailer.is_some()
    }

    fn push_public_key(&self) -> Option<String> {
        Some(self.pusher.keys.public_key())
    }

    async fn push(&self, to: &PushSubscription, message: &Message) -> Delivery {
        let delivery = self.pusher.send(to, message).await;
        // The push service's host says enough to find the trouble; the rest of the address
        // identifies one person's device.
        let host = to.endpoint.split("://").nth(1).and_then(|rest| rest.split(['/', '?']).next()).unwrap_or("");
        log_outcome("push", to.user_id.0, host, &delivery);
        delivery
    }

    async fn email(&self, to: &User, message: &Message, stop_path: &str) -> Delivery {
        let delivery = match &self.mailer {
            Some(mailer) => mailer.send(&self.base_url, to, message, stop_path).await,
            None => Delivery::Refused("Email is not set up here.".into()),
        };
        log_outcome("email", to.id.0, "smtp", &delivery);
        delivery
    }

    async fn account_email(&self, to: &User, message: &Message) -> Delivery {
        let delivery = match &self.mailer {
            Some(mailer) => mailer.send_account(&self.base_url, to, message).await,
            None => Delivery::Refused("Email is not set up here.".into()),
        };
        log_outcome("account email", to.id.0, "smtp", &delivery);
        delivery
    }
}

/// A delivery that did not go through, in the log: a channel that is down shows here, and
/// the scheduler tries again with backoff.
fn log_outcome(channel: &str, user: i64, via: &str, delivery: &Delivery) {
    match delivery {
        Delivery::Delivered => tracing::debug!(channel, user, via, "delivered"),
        Delivery::Gone => tracing::info!(channel, user, via, "the device is gone; forgetting it"),
        Delivery::Refused(error) => tracing::warn!(channel, user, via, %error, "refused"),
        Delivery::Failed(error) => tracing::warn!(channel, user, via, %error, "failed; will try again"),
    }
}
