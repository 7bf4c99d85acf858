//! Email against an SMTP server started here that speaks just enough SMTP to take a message.
#![allow(clippy::unwrap_used)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tend_courier::{Channels, CourierConfig, SmtpConfig, VapidKeys};
use tend_domain::ids::UserId;
use tend_domain::reminder::{Courier, Delivery, EndpointPolicy, Message};
use tend_domain::store::User;
use tend_domain::time::TimeZoneName;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One message as the server took it.
#[derive(Clone, Debug)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

type Inbox = Arc<Mutex<Vec<Mail>>>;

/// An SMTP server on a port of its own. Recipients starting with `nobody` are refused for
/// good (550), those starting with `busy` for now (451).
async fn smtp_server() -> (u16, Inbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let shared = inbox.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            tokio::spawn(session(socket, shared.clone()));
        }
    });
    (port, inbox)
}

async fn session(socket: tokio::net::TcpStream, inbox: Inbox) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let mut say = async |text: &str| write.write_all(format!("{text}\r\n").as_bytes()).await.unwrap();
    say("220 mail.test ESMTP ready").await;
    let mut mail = Mail { from: String::new(), to: Vec::new(), data: String::new() };
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line).await.unwrap() == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let verb = command.split([' ', ':']).next().unwrap_or_default().to_ascii_uppercase();
        let address = || command.split_once('<').and_then(|(_, r)| r.split_once('>')).map(|(a, _)| a.to_owned());
        match verb.as_str() {
            "EHLO" => say("250 mail.test").await,
            "HELO" | "NOOP" => say("250 OK").await,
            "RSET" => {
                mail = Mail { from: String::new(), to: Vec::new(), data: String::new() };
                say("250 OK").await;
            }
            "MAIL" => {
                mail.from = address().unwrap_or_default();
                say("250 OK").await;
            }
            "RCPT" => {
                let to = address().unwrap_or_default();
                if to.starts_with("nobody") {
                    say("550 5.1.1 No such user here").await;
                } else if to.starts_with("busy") {
                    say("451 4.3.0 Try again later").await;
                } else {
                    mail.to.push(to);
                    say("250 OK").await;
                }
            }
            "DATA" => {
                say("354 End data with <CR><LF>.<CR><LF>").await;
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line).await.unwrap() == 0 {
                        return;
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    // Undo dot-stuffing (RFC 5321 section 4.5.2).
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mail.data = data;
                inbox.lock().unwrap().push(mail.clone());
                say("250 OK queued").await;
            }
            "QUIT" => {
                say("221 Bye").await;
                return;
            }
            _ => say("500 Unknown command").await,
        }
    }
}

fn courier(smtp: Option<SmtpConfig>) -> Channels {
    Channels::new(CourierConfig {
        base_url: "https://tend.example/".into(),
        vapid: VapidKeys::generate(),
        vapid_subject: "https://tend.example".into(),
        smtp,
        endpoint_policy: EndpointPolicy::default(),
    })
    .unwrap()
}

fn local(port: u16) -> Option<SmtpConfig> {
    Some(SmtpConfig { url: format!("smtp://127.0.0.1:{port}"), from: "Tend <tend@tend.example>".into() })
}

fn person(email: &str, name: &str) -> User {
    User {
        id: UserId(7),
        email: email.into(),
        display_name: name.into(),
        time_zone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        couple_id: None,
        created_at: jiff::Timestamp::UNIX_EPOCH,
        hide_counts: false,
    }
}

fn reminder() -> Message {
    Message {
        title: "Time for your check-in".into(),
        body: "A few quiet minutes, together.".into(),
        path: "/today#check-in".into(),
        tag: "check-in".into(),
    }
}

const STOP: &str = "/reminders/stop/7.abcDEF123";

/// A message split into unfolded headers and body.
struct Parsed {
    headers: Vec<(String, String)>,
    body: String,
}

impl Parsed {
    fn new(raw: &str) -> Self {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().unwrap().1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').unwrap();
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
        }
        Self { headers, body: body.to_owned() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> usize {
        self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).count()
    }

    /// The decoded text of each part of a multipart body, by content type.
    fn parts(&self) -> Vec<(String, String)> {
        let content_type = self.header("Content-Type").unwrap();
        let boundary = content_type.split("boundary=").nth(1).unwrap().trim_matches('"').to_owned();
        let mut parts = Vec::new();
        for chunk in self.body.split(&format!("--{boundary}")).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let part = Parsed::new(chunk.trim_start_matches("\r\n"));
            let kind = part.header("Content-Type").unwrap().split(';').next().unwrap().to_owned();
            let text = match part.header("Content-Transfer-Encoding").unwrap_or("7bit") {
                "base64" => String::from_utf8(STANDARD.decode(part.body.replace("\r\n", "")).unwrap()).unwrap(),
                "quoted-printable" => quoted_printable(&part.body),
                _ => part.body.clone(),
            };
            parts.push((kind, text));
        }
        parts
    }
}

fn quoted_printable(text: &str) -> String {
    let text = text.replace("=\r\n", "");
    let mut bytes = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'=' && tail.len() >= 2 {
            bytes.push(u8::from_str_radix(std::str::from_utf8(&tail[..2]).unwrap(), 16).unwrap());
            rest = &tail[2..];
        } else {
            bytes.push(b);
            rest = tail;
        }
    }
    String::from_utf8(bytes).unwrap()
}

#[tokio::test]
async fn a_reminder_email_has_both_parts_and_a_one_click_unsubscribe() {
    let (port, inbox) = smtp_server().await;
    let courier = courier(local(port));
    assert!(courier.email_ready());

    let outcome = courier.email(&person("sam@example.org", "<Sam & \"Jo\">"), &reminder(), STOP).await;
    assert_eq!(outcome, Delivery::Delivered);

    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "tend@tend.example");
    assert_eq!(mail.to, ["sam@example.org"]);

    let parsed = Parsed::new(&mail.data);
    assert_eq!(parsed.header("Subject"), Some("Time for your check-in"));
    assert_eq!(parsed.header("From"), Some("Tend <tend@tend.example>"));
    let to = parsed.header("To").unwrap();
    assert!(to.ends_with("<sam@example.org>"), "{to}");
    assert_eq!(parsed.all("To"), 1);
    assert_eq!(parsed.header("List-Unsubscribe"), Some("<https://tend.example/reminders/stop/7.abcDEF123>"));
    assert_eq!(parsed.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    assert!(parsed.header("Content-Type").unwrap().starts_with("multipart/alternative"));
    assert!(parsed.header("Date").is_some());
    let id = parsed.header("Message-ID").unwrap();
    assert!(id.starts_with('<') && id.ends_with("@tend.example>"), "{id}");

    let parts = parsed.parts();
    let kinds: Vec<&str> = parts.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["text/plain", "text/html"]);
    let (text, html) = (&parts[0].1, &parts[1].1);

    assert!(text.contains("Time for your check-in"));
    assert!(text.contains("A few quiet minutes, together."));
    assert!(text.contains("https://tend.example/today#check-in"));
    assert!(text.contains("https://tend.example/reminders/stop/7.abcDEF123"));

    assert!(html.contains("A few quiet minutes, together."));
    assert!(html.contains(r#"href="https://tend.example/today#check-in""#), "{html}");
    assert!(html.contains(r#"href="https://tend.example/reminders/stop/7.abcDEF123""#), "{html}");
    assert!(html.contains("Hi &#60;Sam &#38; &#34;Jo&#34;&#62;,"), "{html}");
    assert!(!html.contains("<Sam"), "{html}");
    assert!(!html.contains("\"Jo\""), "{html}");
}

#[tokio::test]
async fn an_account_email_has_its_link_and_no_unsubscribe() {
    let (port, inbox) = smtp_server().await;
    let courier = courier(local(port));
    let link = Message {
        title: "Set a new password".into(),
        body: "Someone asked to set a new password for your Tend account.".into(),
        path: "/reset/abcDEF123".into(),
        tag: "password-reset".into(),
    };
    assert_eq!(courier.account_email(&person("sam@example.org", "Sam"), &link).await, Delivery::Delivered);
    let mails = inbox.lock().unwrap().clone();
    assert_eq!((mails.len(), mails[0].to.as_slice()), (1, &["sam@example.org".to_owned()][..]));
    let parsed = Parsed::new(&mails[0].data);
    assert_eq!(parsed.header("Subject"), Some("Set a new password"));
    assert_eq!(parsed.header("List-Unsubscribe"), None, "it is not a reminder");
    let parts = parsed.parts();
    let (text, html) = (&parts[0].1, &parts[1].1);
    assert!(text.contains("https://tend.example/reset/abcDEF123") && text.contains("If it wasn't you"), "{text}");
    assert!(html.contains(r#"href="https://tend.example/reset/abcDEF123""#), "{html}");
    assert!(!text.contains("reminders"), "no reminder footer: {text}");
}

#[tokio::test]
async fn words_from_people_cannot_add_headers() {
    let (port, inbox) = smtp_server().await;
    let courier = courier(local(port));
    let nudge = Message { title: "Sam\r\nBcc: eve@example.org would love a hug".into(), ..reminder() };
    let outcome = courier.email(&person("jo@example.org", "Jo\r\nBcc: eve@example.org"), &nudge, STOP).await;
    assert_eq!(outcome, Delivery::Delivered);
    let mail = inbox.lock().unwrap()[0].clone();
    assert_eq!(mail.to, ["jo@example.org"]);
    let parsed = Parsed::new(&mail.data);
    assert_eq!(parsed.all("Bcc"), 0);
    assert_eq!(parsed.header("Subject"), Some("Sam Bcc: eve@example.org would love a hug"));
}

#[tokio::test]
async fn a_recipient_refused_for_good_is_refused_and_for_now_failed() {
    let (port, inbox) = smtp_server().await;
    let courier = courier(local(port));
    let refused = courier.email(&person("nobody@example.org", "Nobody"), &reminder(), STOP).await;
    assert!(matches!(&refused, Delivery::Refused(why) if why.contains("550")), "{refused:?}");
    let busy = courier.email(&person("busy@example.org", "Busy"), &reminder(), STOP).await;
    assert!(matches!(&busy, Delivery::Failed(why) if why.contains("451")), "{busy:?}");
    let not_an_address = courier.email(&person("not an address", "X"), &reminder(), STOP).await;
    assert!(matches!(not_an_address, Delivery::Refused(_)), "{not_an_address:?}");
    assert!(inbox.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_is_not_listening_fails_quickly() {
    // Bound and dropped: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let courier = courier(local(port));
    let started = Instant::now();
    let outcome = courier.email(&person("sam@example.org", "Sam"), &reminder(), STOP).await;
    assert!(matches!(outcome, Delivery::Failed(_)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_that_never_greets_fails_in_time() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            held.push(socket);
        }
    });
    let courier = courier(local(port));
    let started = Instant::now();
    let outcome = courier.email(&person("sam@example.org", "Sam"), &reminder(), STOP).await;
    assert!(matches!(outcome, Delivery::Failed(_)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(25));
}

#[test]
fn without_smtp_there_is_no_email() {
    let courier = courier(None);
    assert!(!courier.email_ready());
    let outcome = tokio::runtime::Runtime::new().unwrap().block_on(courier.email(
        &person("sam@example.org", "Sam"),
        &reminder(),
        STOP,
    ));
    assert!(matches!(outcome, Delivery::Refused(_)));
}

#[test]
fn bad_settings_are_caught_at_start() {
    let config = |url: &str, from: &str| CourierConfig {
        base_url: "https://tend.example".into(),
        vapid: VapidKeys::generate(),
        vapid_subject: "mailto:admin@tend.example".into(),
        smtp: Some(SmtpConfig { url: url.into(), from: from.into() }),
        endpoint_policy: EndpointPolicy::default(),
    };
    assert!(Channels::new(config("smtp://127.0.0.1:2525", "tend@tend.example")).is_ok());
    assert!(Channels::new(config("smtps://u:p@mail.example", "Tend <tend@tend.example>")).is_ok());
    assert!(Channels::new(config("smtp://u:p@mail.example?tls=required", "tend@tend.example")).is_ok());
    assert!(Channels::new(config("http://mail.example", "tend@tend.example")).is_err());
    assert!(Channels::new(config("smtp://mail.example?tls=sometimes", "tend@tend.example")).is_err());
    assert!(Channels::new(config("smtp://127.0.0.1:2525", "not an address")).is_err());

    let mut bad_subject = config("smtp://127.0.0.1:2525", "tend@tend.example");
    bad_subject.vapid_subject = "admin".into();
    assert!(Channels::new(bad_subject).is_err());
    let mut bad_base = config("smtp://127.0.0.1:2525", "tend@tend.example");
    bad_base.base_url = "tend.example".into();
    assert!(Channels::new(bad_base).is_err());
}
