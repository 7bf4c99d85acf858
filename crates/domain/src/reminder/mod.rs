//! Reminders that respect people: each person chooses, per practice, whether to be reminded by
//! Web Push or email, within their quiet hours, at most three a day, never about something
//! already done and never during a tech-free evening. A partner may send one gentle nudge a day.
//!
//! # Derived, not stored
//! What is due comes from the couple's agreed rhythm, each person's zone and choices, and what
//! is already done. Every node plans every half minute; the outbox's unique key (person, practice,
//! occurrence, channel) keeps each reminder to one row however many nodes plan it, and a node
//! sends only what it has claimed (see [`crate::store::Reminders::claim_reminders`]).
//!
//! # Lock-screen safe
//! A reminder says which practice it is about and, for a nudge, who sent it: never anything
//! anyone wrote. Its words come from `content/reminders/messages.toml`.

mod devices;
mod feed;
mod nudge;
mod scheduler;
mod unsubscribe;

pub use devices::{
    DeviceKeys, EndpointPolicy, NewDevice, add_device, endpoint_refusal, is_public, remove_device, send_test,
};
pub use feed::{Feed, calendar, new_calendar_token, revoke_calendar};
pub use nudge::{Nudge, nudge, nudges_today};
pub use scheduler::{Round, backoff, dispatch, done_already, due_occurrence, lead, plan};
pub use unsubscribe::{stop_email, stop_path};

use crate::Ctx;
use crate::error::{Error, FieldErrors, Result};
use crate::rhythm::{self, Practice};
use crate::store::User;
use crate::store::reminders::{PushSubscription, SentReminder};
use async_trait::async_trait;
use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use std::sync::OnceLock;

/// At most this many reminders reach one person in a day, over all channels together.
pub const DAILY_MAX: u32 = 3;
/// Sent and dropped reminders are kept this long (for Settings' "last reminders"), then pruned.
pub const KEEP: SignedDuration = SignedDuration::from_hours(24 * 30);

/// How a reminder reaches a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Push,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Push, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Push => "Notification",
            Self::Email => "Email",
        }
    }
}

/// The hours in which a person wants no reminders, in their own zone; `from` after `until`
/// spans midnight (22:00 to 08:00). Equal times mean no quiet hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub from: Time,
    pub until: Time,
}

impl Default for QuietHours {
    fn default() -> Self {
        Self { from: Time::constant(22, 0, 0, 0), until: Time::constant(8, 0, 0, 0) }
    }
}

impl QuietHours {
    pub fn contains(&self, at: Time) -> bool {
        match self.from.cmp(&self.until) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => self.from <= at && at < self.until,
            std::cmp::Ordering::Greater => at >= self.from || at < self.until,
        }
    }

    /// When the quiet hours holding `now` end, in `zone`.
    pub fn end_after(&self, now: Timestamp, zone: &jiff::tz::TimeZone) -> Option<Timestamp> {
        let local = now.to_zoned(zone.clone());
        let today = local.date().to_datetime(self.until).to_zoned(zone.clone()).ok()?;
        if today.timestamp() > now {
            return Some(today.timestamp());
        }
        let tomorrow = local.date().tomorrow().ok()?.to_datetime(self.until).to_zoned(zone.clone()).ok()?;
        Some(tomorrow.timestamp())
    }

    pub fn describe(&self) -> String {
        if self.from == self.until {
            "None".into()
        } else {
            format!("{} to {}", self.from.strftime("%H:%M"), self.until.strftime("%H:%M"))
        }
    }
}

/// A person's reminder choices: which practices on which channels, and their quiet hours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Choices {
    pub quiet: QuietHours,
    /// Sorted, without repeats.
    pub wanted: Vec<(Practice, Channel)>,
}

impl Choices {
    pub fn wants(&self, practice: Practice, channel: Channel) -> bool {
        self.wanted.contains(&(practice, channel))
    }

    pub fn channels(&self) -> impl Iterator<Item = Channel> + '_ {
        Channel::ALL.into_iter().filter(|c| self.wanted.iter().any(|(_, w)| w == c))
    }
}

/// Choices as a form or the API sends them.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewChoices {
    /// `22:00`; with `quiet_until` equal, no quiet hours.
    #[serde(default)]
    pub quiet_from: String,
    #[serde(default)]
    pub quiet_until: String,
    /// `check-in:push`, `tech-free-evening:email` …
    #[serde(default)]
    pub wanted: Vec<String>,
}

impl Choices {
    pub fn parse(form: &NewChoices) -> Result<Choices> {
        let mut errors = FieldErrors::default();
        let mut time = |field: &'static str, raw: &str| match rhythm::parse_time(raw) {
            Some(t) => t,
            None => {
                errors.add(field, "Please give a time like 22:00.");
                Time::midnight()
            }
        };
        let quiet =
            QuietHours { from: time("quiet_from", &form.quiet_from), until: time("quiet_until", &form.quiet_until) };
        let mut wanted = Vec::new();
        for raw in &form.wanted {
            let parsed = raw.split_once(':').and_then(|(p, c)| Some((Practice::parse(p)?, Channel::parse(c)?)));
            match parsed {
                Some(pair) => wanted.push(pair),
                None => errors.add("wanted", format!("{raw:?} is not a practice and channel, such as check-in:push.")),
            }
        }
        if wanted.len() > Practice::ALL.len() * Channel::ALL.len() * 4 {
            errors.add("wanted", "That is more choices than there are practices and channels.");
        }
        errors.into_result()?;
        wanted.sort();
        wanted.dedup();
        Ok(Choices { quiet, wanted })
    }
}

/// The words of each reminder, written for Tend.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub practice: Practice,
    /// The notification's title and the email's subject: "Time for your check-in".
    pub title: String,
    /// One calm line about the practice, never about anything anyone wrote.
    pub body: String,
    /// Finishes "Sam would love …": "a check-in with you today".
    pub nudge: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    reminders: Vec<Words>,
}

const MESSAGES: &str = include_str!("../../../../content/reminders/messages.toml");

pub fn words() -> &'static [Words] {
    static LIST: OnceLock<Vec<Words>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<WordsFile>(MESSAGES).map(|f| f.reminders).unwrap_or_default())
}

/// How a nudge ends: "a check-in with you today" (after "Sam would love").
pub fn nudge_words(practice: Practice) -> String {
    words_for(practice).map(|w| w.nudge.clone()).unwrap_or_else(|_| practice.info().name.to_lowercase())
}

pub(crate) fn words_for(practice: Practice) -> Result<&'static Words> {
    words().iter().find(|w| w.practice == practice).ok_or_else(|| Error::Internal(format!("no words for {practice:?}")))
}

/// One reminder as it goes out: the same on every channel, and safe on a lock screen.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Message {
    pub title: String,
    pub body: String,
    /// Where tapping it leads, a path in Tend: `/today#check-in`.
    pub path: String,
    /// Notifications with the same tag replace one another.
    pub tag: String,
}

impl Message {
    pub fn reminder(practice: Practice) -> Result<Self> {
        let w = words_for(practice)?;
        Ok(Self {
            title: w.title.clone(),
            body: w.body.clone(),
            path: practice.href().into(),
            tag: practice.as_str().into(),
        })
    }

    pub fn nudge(practice: Practice, from: &str) -> Result<Self> {
        let w = words_for(practice)?;
        Ok(Self {
            title: format!("{from} would love {}", w.nudge),
            body: w.body.clone(),
            path: practice.href().into(),
            tag: format!("nudge-{}", practice.as_str()),
        })
    }

    pub fn test() -> Self {
        Self {
            title: "Reminders from Tend work".into(),
            body: "This is how a reminder will look on this device.".into(),
            path: "/settings#reminders".into(),
            tag: "test".into(),
        }
    }
}

/// How one delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    /// The device unsubscribed or the push service forgot it (404, 410): forget it too.
    Gone,
    /// Refused for good (a malformed subscription, an address that is not allowed).
    Refused(String),
    /// Worth trying again later (unreachable, 5xx, 429).
    Failed(String),
}

/// The channels that carry reminders out of Tend. The domain decides what to send and when;
/// a courier only delivers.
#[async_trait]
pub trait Courier: Send + Sync {
    /// Whether email is set up on this instance.
    fn email_ready(&self) -> bool;
    /// The VAPID public key browsers subscribe with (base64url, uncompressed P-256).
    fn push_public_key(&self) -> Option<String>;
    async fn push(&self, to: &PushSubscription, message: &Message) -> Delivery;
    /// `stop_path` is the one-click unsubscribe path, to be made absolute.
    async fn email(&self, to: &User, message: &Message, stop_path: &str) -> Delivery;
    /// An email about the account itself that the person asked for (a link to set a new
    /// password): no reminder footer and no unsubscribe. `message.path` is made absolute.
    async fn account_email(&self, _to: &User, _message: &Message) -> Delivery {
        Delivery::Refused("Email is not set up here.".into())
    }
}

/// A courier with no channels, for tests and for an instance that sends nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCourier;

#[async_trait]
impl Courier for NoCourier {
    fn email_ready(&self) -> bool {
        false
    }
    fn push_public_key(&self) -> Option<String> {
        None
    }
    async fn push(&self, _: &PushSubscription, _: &Message) -> Delivery {
        Delivery::Refused("Web Push is not set up here.".into())
    }
    async fn email(&self, _: &User, _: &Message, _: &str) -> Delivery {
        Delivery::Refused("Email is not set up here.".into())
    }
}

// ---------------------------------------------------------------------------------------------
// Choices, devices and the calendar feed: what a person manages in Settings.

/// What Settings shows about reminders.
#[derive(Clone, Debug)]
pub struct Overview {
    pub choices: Choices,
    pub devices: Vec<PushSubscription>,
    pub calendar_since: Option<Timestamp>,
    pub recent: Vec<SentReminder>,
}

pub async fn overview(ctx: &Ctx, me: &User) -> Result<Overview> {
    let now = ctx.now();
    Ok(Overview {
        choices: ctx.store.reminder_choices(me.id).await?,
        devices: ctx.store.push_subscriptions(me.id).await?,
        calendar_since: ctx.store.calendar_token_made(me.id).await?,
        recent: ctx
            .store
            .reminders_sent(me.id, now.checked_sub(SignedDuration::from_hours(24 * 7)).unwrap_or(now))
            .await?,
    })
}

/// The person's devices that get notifications, oldest first.
pub async fn devices(ctx: &Ctx, me: &User) -> Result<Vec<PushSubscription>> {
    Ok(ctx.store.push_subscriptions(me.id).await?)
}

pub async fn save_choices(ctx: &Ctx, me: &User, form: &NewChoices) -> Result<Choices> {
    let choices = Choices::parse(form)?;
    ctx.store.save_reminder_choices(me.id, &choices, ctx.now()).await?;
    Ok(choices)
}

/// The instance-wide secret called `name`, made from `fresh` by the first node to ask: the
/// VAPID key pair every node signs pushes with, for one.
pub async fn instance_secret(ctx: &Ctx, name: &str, fresh: &str) -> Result<String> {
    Ok(ctx.store.instance_secret(name, fresh).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeZoneName;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn every_practice_has_words_and_none_promise_more_than_a_practice() {
        for practice in Practice::ALL {
            let w = words_for(practice).expect("words");
            assert!(!w.title.is_empty() && !w.body.is_empty() && !w.nudge.is_empty(), "{practice:?}");
            assert!(w.title.chars().count() <= 60, "a title fits a lock screen: {}", w.title);
            for text in [&w.title, &w.body, &w.nudge] {
                assert!(!text.to_lowercase().contains("streak") && !text.to_lowercase().contains("missed"), "{text}");
            }
        }
        assert_eq!(words().len(), Practice::ALL.len());
        assert_eq!(
            Message::nudge(Practice::CheckIn, "Sam").expect("nudge").title,
            "Sam would love a check-in with you today"
        );
    }

    #[test]
    fn quiet_hours_span_midnight_or_not() {
        let q = QuietHours::default();
        let at = |h, m| Time::constant(h, m, 0, 0);
        assert!(q.contains(at(22, 0)) && q.contains(at(3, 0)) && q.contains(at(7, 59)));
        assert!(!q.contains(at(8, 0)) && !q.contains(at(21, 59)));
        let day = QuietHours { from: at(13, 0), until: at(14, 0) };
        assert!(day.contains(at(13, 30)) && !day.contains(at(14, 0)) && !day.contains(at(12, 59)));
        assert!(!QuietHours { from: at(9, 0), until: at(9, 0) }.contains(at(9, 0)));
        // The end in the person's zone, the same evening or the next morning.
        let berlin = TimeZoneName::parse("Europe/Berlin").expect("zone").zone();
        assert_eq!(q.end_after(t("2026-03-10T22:30:00Z"), &berlin), Some(t("2026-03-11T07:00:00Z")));
        assert_eq!(q.end_after(t("2026-03-11T05:00:00Z"), &berlin), Some(t("2026-03-11T07:00:00Z")));
    }

    #[test]
    fn choices_parse_and_refuse() {
        let form = NewChoices {
            quiet_from: "21:30".into(),
            quiet_until: "7.00".into(),
            wanted: vec!["check-in:push".into(), "check-in:push".into(), "hug:email".into()],
        };
        let c = Choices::parse(&form).expect("parses");
        assert_eq!(c.wanted, vec![(Practice::Hug, Channel::Email), (Practice::CheckIn, Channel::Push)]);
        assert_eq!(c.quiet.until, Time::constant(7, 0, 0, 0));
        let bad = NewChoices { quiet_from: "late".into(), quiet_until: "".into(), wanted: vec!["naps:push".into()] };
        let Err(Error::Invalid(fields)) = Choices::parse(&bad) else { panic!("refused") };
        assert!(
            fields.get("quiet_from").is_some() && fields.get("quiet_until").is_some() && fields.get("wanted").is_some()
        );
    }
}
