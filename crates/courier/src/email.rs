//! Email: writes a reminder as plain text and HTML, with a one-click unsubscribe (RFC 8058),
//! and hands it to the configured SMTP server.

use crate::SmtpConfig;
use anyhow::Context;
use askama::Template;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;
use tend_domain::reminder::{Delivery, Message};
use tend_domain::store::User;

/// For connecting (lettre's async transport applies its timeout only there).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// For the whole conversation with the server, greeting to QUIT.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(20);

/// The email half of the courier.
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the SMTP password.
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// The HTML part; askama escapes every value.
#[derive(Template)]
#[template(path = "email/reminder.html")]
struct ReminderHtml<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    open_url: &'a str,
    stop_url: &'a str,
}

/// The plain-text part, with the same words.
#[derive(Template)]
#[template(path = "email/reminder.txt")]
struct ReminderText<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    open_url: &'a str,
    stop_url: &'a str,
}

/// An account email's HTML part.
#[derive(Template)]
#[template(path = "email/account.html")]
struct AccountHtml<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    open_url: &'a str,
    base_url: &'a str,
}

/// An account email's plain-text part.
#[derive(Template)]
#[template(path = "email/account.txt")]
struct AccountText<'a> {
    name: &'a str,
    title: &'a str,
    body: &'a str,
    open_url: &'a str,
    base_url: &'a str,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> anyhow::Result<Self> {
        let from: Mailbox = config
            .from
            .trim()
            .parse()
            .with_context(|| format!("The email From address {:?} is not valid.", config.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(config.url.trim())
            .context("The SMTP URL is not valid (smtp://, smtps:// or smtp://…?tls=required).")?
            .timeout(Some(CONNECT_TIMEOUT))
            .build();
        if plain_with_password(config.url.trim()) {
            tracing::warn!("The SMTP URL sends its password without TLS; add ?tls=required or use smtps://.");
        }
        Ok(Self { transport, from })
    }

    pub async fn send(&self, base_url: &str, to: &User, message: &Message, stop_path: &str) -> Delivery {
        match self.write(base_url, to, message, stop_path) {
            Ok(email) => self.deliver(email).await,
            Err(refused) => refused,
        }
    }

    /// An email about the account that the person asked for: the link, and a line saying
    /// that nothing changes if it was not them. No unsubscribe: it is not a reminder.
    pub async fn send_account(&self, base_url: &str, to: &User, message: &Message) -> Delivery {
        let written = (|| {
            let open_url = format!("{base_url}{}", message.path);
            if !plain_url(&open_url) {
                return Err(Delivery::Refused("The link for this email is not a plain web address.".into()));
            }
            let failed = |e: askama::Error| Delivery::Failed(format!("The email could not be written: {e}"));
            let (name, title, body) = (to.display_name.as_str(), message.title.as_str(), message.body.as_str());
            let html = AccountHtml { name, title, body, open_url: &open_url, base_url }.render().map_err(failed)?;
            let text = AccountText { name, title, body, open_url: &open_url, base_url }.render().map_err(failed)?;
            self.envelope(to, &message.title)?
                .multipart(MultiPart::alternative_plain_html(text, html))
                .map_err(|e| Delivery::Refused(format!("The email could not be put together: {e}")))
        })();
        match written {
            Ok(email) => self.deliver(email).await,
            Err(refused) => refused,
        }
    }

    async fn deliver(&self, email: lettre::Message) -> Delivery {
        match tokio::time::timeout(TOTAL_TIMEOUT, self.transport.send(email)).await {
            Ok(Ok(_)) => Delivery::Delivered,
            Ok(Err(e)) => outcome(&e),
            Err(_) => Delivery::Failed("The mail server did not finish in time.".into()),
        }
    }

    /// From, To (with the person's name), subject and a Message-ID, for either kind of email.
    fn envelope(&self, to: &User, subject: &str) -> Result<lettre::message::MessageBuilder, Delivery> {
        let address = to
            .email
            .trim()
            .parse()
            .map_err(|_| Delivery::Refused(format!("{:?} is not an email address.", to.email)))?;
        let name = one_line(&to.display_name);
        let recipient = Mailbox::new((!name.is_empty()).then_some(name), address);
        // Made here rather than by lettre, whose Message-ID names this machine's host.
        let message_id = format!("<{:032x}@{}>", rand::random::<u128>(), self.from.email.domain());
        Ok(lettre::Message::builder()
            .message_id(Some(message_id))
            .from(self.from.clone())
            .to(recipient)
            .subject(one_line(subject)))
    }

    fn write(
        &self,
        base_url: &str,
        to: &User,
        message: &Message,
        stop_path: &str,
    ) -> Result<lettre::Message, Delivery> {
        let open_url = format!("{base_url}{}", message.path);
        let stop_url = format!("{base_url}{stop_path}");
        if !plain_url(&open_url) || !plain_url(&stop_url) {
            return Err(Delivery::Refused("The links for this email are not plain web addresses.".into()));
        }
        let failed = |e: askama::Error| Delivery::Failed(format!("The email could not be written: {e}"));
        let (name, title, body) = (to.display_name.as_str(), message.title.as_str(), message.body.as_str());
        let html =
            ReminderHtml { name, title, body, open_url: &open_url, stop_url: &stop_url }.render().map_err(failed)?;
        let text =
            ReminderText { name, title, body, open_url: &open_url, stop_url: &stop_url }.render().map_err(failed)?;
        self.envelope(to, &message.title)?
            .header(ListUnsubscribe(format!("<{stop_url}>")))
            .header(ListUnsubscribePost)
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| Delivery::Refused(format!("The email could not be put together: {e}")))
    }
}

/// How a failed send counts: a permanent (5xx) answer about this email is final; anything
/// else, a login refused included (the instance's settings, not the recipient), is retried.
fn outcome(e: &SmtpError) -> Delivery {
    let why = format!("The mail server said: {e}");
    match e.status().map(u16::from) {
        Some(530 | 534 | 535 | 538) => Delivery::Failed(why),
        Some(_) if e.is_permanent() => Delivery::Refused(why),
        _ => Delivery::Failed(why),
    }
}

/// A header value on one line; the email's words come from people and content files.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A web address that can stand in `<…>` in a header and in an `href` as it is.
fn plain_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"'))
}

fn plain_with_password(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("smtp://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    authority.contains('@') && !rest.contains("tls=")
}

/// `List-Unsubscribe` (RFC 2369): where a mail client's "unsubscribe" button goes.
#[derive(Clone, Debug)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post` (RFC 8058): the button unsubscribes with one POST, no page to confirm.
#[derive(Clone, Debug)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_stay_on_one_line() {
        assert_eq!(one_line("Sam\r\nBcc: x@example.org"), "Sam Bcc: x@example.org");
        assert_eq!(one_line("Time for your check-in"), "Time for your check-in");
    }

    #[test]
    fn only_plain_urls_go_into_links() {
        assert!(plain_url("https://tend.example/reminders/stop/1.abc"));
        assert!(!plain_url("https://tend.example/a b"));
        assert!(!plain_url("https://tend.example/>x"));
        assert!(!plain_url("javascript:alert(1)"));
    }

    #[test]
    fn a_password_without_tls_is_noticed() {
        assert!(plain_with_password("smtp://user:pw@mail.example:25"));
        assert!(!plain_with_password("smtp://user:pw@mail.example:587?tls=required"));
        assert!(!plain_with_password("smtps://user:pw@mail.example"));
        assert!(!plain_with_password("smtp://127.0.0.1:2525"));
    }
}
