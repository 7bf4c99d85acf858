//! Reminders that respect people: each person chooses, per practice, whether to be reminded by
//! Web Push or email, within their quiet hours, at most three a day, never about something
//! already done and never during a tech-free evening. A partner may send one gentle nudge a day.
//!
//! # Derived, not stored
//! What is due comes from the couple's agreed rhythm, each person's zone and choices, and what
//! is already done. Every node plans every minute; the outbox's unique key (person, practice,
//! occurrence, channel) keeps each reminder to one row however many nodes plan it, and a node
//! sends only what it has claimed (see [`crate::store::Reminders::claim_reminders`]).
//!
//! # Lock-screen safe
//! A reminder says which practice it is about and, for a nudge, who sent it: never anything
//! anyone wrote. Its words come from `content/reminders/messages.toml`.

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::ids::{PushSubscriptionId, UserId};
use crate::rhythm::{self, Cadence, DayMark, Practice, Slot};
use crate::secret::{self, Secret};
use crate::store::User;
use crate::store::reminders::{
    NewPushSubscription, NewReminder, PushSubscription, QueuedReminder, SentReminder, Settled,
};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jiff::civil::Time;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;
use std::sync::OnceLock;

/// At most this many reminders reach one person in a day, over all channels together.
pub const DAILY_MAX: u32 = 3;
/// How many reminders one node claims at a time.
const BATCH: u32 = 50;
/// How long a node holds a claimed reminder before another may take it over.
const LEASE: SignedDuration = SignedDuration::from_mins(2);
/// A failed channel is tried again after 1, 2, 4 … minutes, at most this far apart.
const BACKOFF_MAX: SignedDuration = SignedDuration::from_mins(30);
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

const MESSAGES: &str = include_str!("../../../content/reminders/messages.toml");

pub fn words() -> &'static [Words] {
    static LIST: OnceLock<Vec<Words>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<WordsFile>(MESSAGES).map(|f| f.reminders).unwrap_or_default())
}

fn words_for(practice: Practice) -> Result<&'static Words> {
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
    /// Practices with an agreed time: only those are reminded of.
    pub agreed: Vec<Practice>,
}

pub async fn overview(ctx: &Ctx, me: &User) -> Result<Overview> {
    let now = ctx.now();
    let agreed = match me.couple_id {
        Some(couple) => ctx
            .store
            .rhythm_slots(couple)
            .await?
            .into_iter()
            .filter(|s| s.agreed_at.is_some())
            .map(|s| s.practice)
            .collect(),
        None => Vec::new(),
    };
    Ok(Overview {
        choices: ctx.store.reminder_choices(me.id).await?,
        devices: ctx.store.push_subscriptions(me.id).await?,
        calendar_since: ctx.store.calendar_token_made(me.id).await?,
        recent: ctx
            .store
            .reminders_sent(me.id, now.checked_sub(SignedDuration::from_hours(24 * 7)).unwrap_or(now))
            .await?,
        agreed,
    })
}

pub async fn save_choices(ctx: &Ctx, me: &User, form: &NewChoices) -> Result<Choices> {
    let choices = Choices::parse(form)?;
    ctx.store.save_reminder_choices(me.id, &choices, ctx.now()).await?;
    Ok(choices)
}

/// A push subscription as the browser's `PushSubscription.toJSON()` gives it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewDevice {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub keys: DeviceKeys,
    /// "Chrome on Android"; made from the browser's name when empty.
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DeviceKeys {
    #[serde(default)]
    pub p256dh: String,
    #[serde(default)]
    pub auth: String,
}

/// Where push endpoints may point. Off by default: only public https hosts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Allows http and private or loopback addresses: for a test push service only.
    pub allow_private: bool,
}

/// Why an address may not receive pushes, if it may not: the check made when a device
/// subscribes and again, on the addresses a name resolves to, before each send.
pub fn endpoint_refusal(endpoint: &str, policy: EndpointPolicy) -> Option<String> {
    let bad = |why: &str| Some(format!("That push address can't be used: {why}"));
    if endpoint.len() > 2048 {
        return bad("it is too long.");
    }
    let Some((scheme, rest)) = endpoint.split_once("://") else { return bad("it is not a web address.") };
    match (scheme, policy.allow_private) {
        ("https", _) | ("http", true) => {}
        _ => return bad("it must start with https://."),
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return bad("it has no plain host name.");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it has no plain host name.");
    }
    if policy.allow_private {
        return None;
    }
    let lower = host.to_ascii_lowercase();
    if lower == "localhost"
        || lower.ends_with(".localhost")
        || lower.ends_with(".local")
        || lower.ends_with(".internal")
    {
        return bad("it points to this machine or a private network.");
    }
    if let Ok(ip) = lower.parse::<std::net::IpAddr>()
        && !is_public(ip)
    {
        return bad("it points to this machine or a private network.");
    }
    if !lower.contains('.') && lower.parse::<std::net::IpAddr>().is_err() {
        return bad("it has no public host name.");
    }
    None
}

/// Whether an address is on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified), for IPv4 and IPv6 alike.
pub fn is_public(ip: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x64 && v6.segments()[1] == 0xff9b)
        }
    }
}

fn decoded_len(raw: &str) -> Option<usize> {
    URL_SAFE_NO_PAD.decode(raw.trim().trim_end_matches('=')).ok().map(|b| b.len())
}

impl NewDevice {
    pub fn parse(&self, user_agent: &str, policy: EndpointPolicy) -> Result<NewPushSubscription> {
        let mut errors = FieldErrors::default();
        let endpoint = self.endpoint.trim().to_owned();
        if let Some(why) = endpoint_refusal(&endpoint, policy) {
            errors.add("endpoint", why);
        }
        // An uncompressed P-256 point is 65 bytes; the authentication secret 16.
        if decoded_len(&self.keys.p256dh) != Some(65) || !self.keys.p256dh.trim().starts_with('B') {
            errors.add("keys.p256dh", "The device's public key is missing or malformed.");
        }
        if decoded_len(&self.keys.auth) != Some(16) {
            errors.add("keys.auth", "The device's authentication secret is missing or malformed.");
        }
        let label = self.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
        let label = match label {
            Some(l) if l.chars().count() > 80 => {
                errors.add("label", "Please keep the device's name under 80 characters.");
                String::new()
            }
            Some(l) => l.to_owned(),
            None => crate::auth::device_name(user_agent),
        };
        errors.into_result()?;
        Ok(NewPushSubscription {
            endpoint,
            p256dh: self.keys.p256dh.trim().trim_end_matches('=').to_owned(),
            auth: self.keys.auth.trim().trim_end_matches('=').to_owned(),
            label,
        })
    }
}

pub async fn add_device(
    ctx: &Ctx,
    me: &User,
    form: &NewDevice,
    user_agent: &str,
    policy: EndpointPolicy,
) -> Result<PushSubscription> {
    let sub = form.parse(user_agent, policy)?;
    let id = ctx.store.save_push_subscription(me.id, &sub, ctx.now()).await?;
    ctx.store.push_subscriptions(me.id).await?.into_iter().find(|d| d.id == id).ok_or(Error::NotFound)
}

pub async fn remove_device(ctx: &Ctx, me: &User, id: PushSubscriptionId) -> Result<()> {
    if ctx.store.delete_push_subscription(me.id, id).await? { Ok(()) } else { Err(Error::NotFound) }
}

/// Sends a test notification to each of the person's devices, or a test email; how many went.
pub async fn send_test(ctx: &Ctx, courier: &dyn Courier, me: &User, channel: Channel) -> Result<usize> {
    let message = Message::test();
    match channel {
        Channel::Push => {
            let devices = ctx.store.push_subscriptions(me.id).await?;
            if devices.is_empty() {
                return Err(Error::rejected(
                    "This account has no device for notifications yet: turn them on on this phone first.",
                ));
            }
            let mut sent = 0;
            let mut last_error = None;
            for device in &devices {
                match courier.push(device, &message).await {
                    Delivery::Delivered => sent += 1,
                    Delivery::Gone => ctx.store.forget_push_endpoint(&device.endpoint).await?,
                    Delivery::Refused(e) | Delivery::Failed(e) => last_error = Some(e),
                }
            }
            match (sent, last_error) {
                (0, Some(e)) => Err(Error::Unavailable(format!("The test notification could not be sent: {e}"))),
                (0, None) => {
                    Err(Error::rejected("That device is no longer subscribed. Turn notifications on again on it."))
                }
                (n, _) => Ok(n),
            }
        }
        Channel::Email => {
            if !courier.email_ready() {
                return Err(Error::rejected(
                    "Email is not set up on this Tend. The person who hosts it can set TEND_SMTP_URL.",
                ));
            }
            let stop = stop_path(ctx, me.id).await?;
            match courier.email(me, &message, &stop).await {
                Delivery::Delivered => Ok(1),
                Delivery::Gone | Delivery::Refused(_) | Delivery::Failed(_) => {
                    Err(Error::Unavailable("The test email could not be sent just now. Please try again later.".into()))
                }
            }
        }
    }
}

/// Makes a new secret calendar address for the person, revoking the old one.
pub async fn new_calendar_token(ctx: &Ctx, me: &User) -> Result<Secret> {
    let token = Secret::generate("cal_");
    ctx.store.set_calendar_token(me.id, Some(&token.hash()), ctx.now()).await?;
    Ok(token)
}

pub async fn revoke_calendar(ctx: &Ctx, me: &User) -> Result<()> {
    ctx.store.set_calendar_token(me.id, None, ctx.now()).await?;
    Ok(())
}

/// What a calendar feed holds: the couple's agreed rhythm, for the person whose token it is.
#[derive(Clone, Debug)]
pub struct Feed {
    pub owner: User,
    pub partner_name: String,
    /// Each agreed slot with when it was agreed.
    pub slots: Vec<(Practice, Slot, Timestamp)>,
}

pub async fn calendar(ctx: &Ctx, presented: &str) -> Result<Feed> {
    if presented.len() > 100 {
        return Err(Error::NotFound);
    }
    let owner = ctx.store.calendar_owner(&Secret::from_presented(presented).hash()).await?.ok_or(Error::NotFound)?;
    let Some(couple) = owner.couple_id else {
        return Ok(Feed { owner, partner_name: String::new(), slots: Vec::new() });
    };
    let us = couple::us(ctx, &owner).await?;
    let slots = ctx
        .store
        .rhythm_slots(couple)
        .await?
        .into_iter()
        .filter_map(|s| Some((s.practice, s.slot, s.agreed_at?)))
        .collect();
    Ok(Feed { partner_name: us.partner.display_name.clone(), owner: us.me, slots })
}

/// The instance-wide secret called `name`, made from `fresh` by the first node to ask: the
/// VAPID key pair every node signs pushes with, for one.
pub async fn instance_secret(ctx: &Ctx, name: &str, fresh: &str) -> Result<String> {
    Ok(ctx.store.instance_secret(name, fresh).await?)
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe from email.

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

// ---------------------------------------------------------------------------------------------
// The nudge.

/// Sends the partner one gentle nudge about a practice: at most one a day from each person.
pub async fn nudge(ctx: &Ctx, me: &User, practice: Practice) -> Result<()> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let day = us.me.time_zone.today(now);
    if !ctx.store.record_nudge(us.couple_id, us.me.id, practice, day, now).await? {
        return Err(Error::rejected(format!(
            "You have nudged {} today already. One a day keeps it gentle.",
            us.partner.display_name
        )));
    }
    let theirs = ctx.store.reminder_choices(us.partner.id).await?;
    let zone = us.partner.time_zone.zone();
    let their_day = us.partner.time_zone.today(now);
    let end_of_day = their_day.tomorrow().ok().and_then(|d| d.to_zoned(zone).ok()).map_or(now, |z| z.timestamp());
    for channel in theirs.channels() {
        ctx.store
            .queue_reminder(&NewReminder {
                user_id: us.partner.id,
                couple_id: us.couple_id,
                practice,
                occurrence: format!("nudge-{their_day}"),
                channel,
                nudged_by: Some(us.me.id),
                due_at: now,
                expires_at: end_of_day.max(now.saturating_add(SignedDuration::from_hours(1)).unwrap_or(now)),
            })
            .await?;
    }
    ctx.notify(us.couple_id, crate::events::EventKind::Rhythm).await;
    Ok(())
}

/// A nudge the person received today, as their Today shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nudge {
    pub text: String,
    pub practice: Practice,
    pub href: &'static str,
    pub from_me: bool,
}

/// Today's nudges between the couple, in the person's local day.
pub async fn nudges_today(ctx: &Ctx, us: &Us) -> Result<Vec<Nudge>> {
    let now = ctx.now();
    let zone = us.me.time_zone.zone();
    let start = us.me.time_zone.today(now).to_zoned(zone).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let mut out = Vec::new();
    for (from, practice, _) in ctx.store.nudges_since(us.couple_id, start).await? {
        let w = words_for(practice)?;
        let from_me = from == us.me.id;
        let text = if from_me {
            format!("You nudged {}: you would love {}.", us.partner.display_name, w.nudge)
        } else {
            format!("{} would love {}.", us.partner.display_name, w.nudge)
        };
        out.push(Nudge { text, practice, href: practice.href(), from_me });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The scheduler.

/// How long before its time a practice is reminded of: an evening needs a little warning.
pub fn lead(practice: Practice) -> SignedDuration {
    match practice {
        Practice::TechFreeEvening | Practice::ShowAndTell => SignedDuration::from_mins(60),
        Practice::Conversation | Practice::Listening => SignedDuration::from_mins(15),
        Practice::Hug | Practice::CheckIn | Practice::Appreciation => SignedDuration::ZERO,
    }
}

/// The occurrence of `slot` whose reminder is due at or before `now` and still useful then:
/// (its start, when the reminder is due, when it stops being useful).
pub fn due_occurrence(practice: Practice, slot: &Slot, now: Timestamp) -> Option<(jiff::Zoned, Timestamp, Timestamp)> {
    let zone = slot.zone.zone();
    let today = now.to_zoned(zone.clone()).date();
    // Yesterday's evening may still be useful after midnight; tomorrow's early slot may be
    // due (its lead) before midnight.
    let dates = [today.yesterday().ok(), Some(today), today.tomorrow().ok()];
    dates.into_iter().flatten().filter(|d| slot.falls_on(*d)).filter_map(|d| slot.start_on(d)).find_map(|start| {
        let due = start.timestamp().checked_sub(lead(practice)).ok()?;
        let expires = expiry(practice, slot, &start)?;
        (due <= now && now < expires).then_some((start, due, expires))
    })
}

/// A practice's reminder is useful until the practice's time is over; a daily one until the
/// end of that day.
fn expiry(practice: Practice, slot: &Slot, start: &jiff::Zoned) -> Option<Timestamp> {
    let end = start.timestamp().checked_add(SignedDuration::from_mins(i64::from(slot.minutes))).ok()?;
    if practice.cadence() == Cadence::Daily {
        let midnight = start.date().tomorrow().ok()?.to_zoned(start.time_zone().clone()).ok()?.timestamp();
        Some(end.max(midnight))
    } else {
        Some(end)
    }
}

/// Queues every reminder due now. Any node may plan at any time: the outbox keeps each
/// reminder once. Returns how many were new.
pub async fn plan(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let mut queued = 0;
    for c in ctx.store.reminder_candidates().await? {
        let Some((start, due_at, expires_at)) = due_occurrence(c.practice, &c.slot, now) else { continue };
        let occurrence = start.datetime().strftime("%Y-%m-%dT%H:%M").to_string();
        let new = NewReminder {
            user_id: c.user_id,
            couple_id: c.couple_id,
            practice: c.practice,
            occurrence,
            channel: c.channel,
            nudged_by: None,
            due_at,
            expires_at,
        };
        if ctx.store.queue_reminder(&new).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What one round of sending did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub dropped: usize,
    pub later: usize,
}

/// Claims the reminders due now and sends each one, or drops it, or puts it off.
pub async fn dispatch(ctx: &Ctx, courier: &dyn Courier) -> Result<Round> {
    let now = ctx.now();
    let lease_until = now.checked_add(LEASE).unwrap_or(now);
    let mut round = Round::default();
    for queued in ctx.store.claim_reminders(now, lease_until, BATCH).await? {
        let settled = match deliver(ctx, courier, &queued).await {
            Ok(s) => s,
            Err(e) => Settled::Later {
                at: now.checked_add(backoff(queued.attempts)).unwrap_or(now),
                error: Some(e.to_string()),
            },
        };
        let settled = match settled {
            Settled::Later { at, .. } if at >= queued.reminder.expires_at => {
                Settled::Dropped("no longer useful by the time it could be sent".into())
            }
            other => other,
        };
        match &settled {
            Settled::Sent => round.sent += 1,
            Settled::Dropped(_) => round.dropped += 1,
            Settled::Later { .. } => round.later += 1,
        }
        ctx.store.settle_reminder(queued.id, &settled, now).await?;
    }
    Ok(round)
}

/// 1, 2, 4 … minutes after the attempt that failed, at most [`BACKOFF_MAX`].
pub fn backoff(attempts: u32) -> SignedDuration {
    let minutes = 1_i64 << attempts.saturating_sub(1).min(10);
    SignedDuration::from_mins(minutes).min(BACKOFF_MAX)
}

async fn deliver(ctx: &Ctx, courier: &dyn Courier, queued: &QueuedReminder) -> Result<Settled> {
    let r = &queued.reminder;
    let now = ctx.now();
    let drop = |why: &str| Ok(Settled::Dropped(why.to_owned()));
    if now >= r.expires_at {
        return drop("too late to be useful");
    }
    let Some(me) = ctx.store.user(r.user_id).await? else { return drop("the account is gone") };
    if me.couple_id != Some(r.couple_id) {
        return drop("no longer in this couple");
    }
    let us = couple::us(ctx, &me).await?;
    if done_already(ctx, &us, r.practice).await? {
        return drop("done already");
    }
    // Nothing during a tech-free evening: try again when it ends.
    if let Some(evening) = ctx.store.open_evening(r.couple_id, now).await? {
        // Looked at again every few minutes: "We're back" may come before the end time.
        let soon = now.checked_add(SignedDuration::from_mins(5)).unwrap_or(now);
        return Ok(Settled::Later { at: evening.ends_at.min(soon), error: None });
    }
    let choices = ctx.store.reminder_choices(me.id).await?;
    let local = now.to_zoned(me.time_zone.zone());
    if choices.quiet.contains(local.time()) {
        let at = choices.quiet.end_after(now, &me.time_zone.zone()).unwrap_or(r.expires_at);
        return Ok(Settled::Later { at, error: None });
    }
    let wanted = match r.nudged_by {
        Some(_) => choices.channels().any(|c| c == r.channel),
        None => choices.wants(r.practice, r.channel),
    };
    if !wanted {
        return drop("turned off since");
    }
    let message = match r.nudged_by {
        Some(_) => Message::nudge(r.practice, &us.partner.display_name)?,
        None => Message::reminder(r.practice)?,
    };
    let devices = match r.channel {
        Channel::Push => {
            let devices = ctx.store.push_subscriptions(me.id).await?;
            if devices.is_empty() {
                return drop("no device for notifications");
            }
            devices
        }
        Channel::Email if !courier.email_ready() => return drop("email is not set up"),
        Channel::Email => Vec::new(),
    };
    if !ctx.store.take_reminder_slot(me.id, local.date(), DAILY_MAX, queued.id).await? {
        return drop("three reminders today already");
    }
    let outcomes = match r.channel {
        Channel::Push => {
            let mut outcomes = Vec::new();
            for device in &devices {
                let outcome = courier.push(device, &message).await;
                if outcome == Delivery::Gone {
                    ctx.store.forget_push_endpoint(&device.endpoint).await?;
                }
                outcomes.push(outcome);
            }
            outcomes
        }
        Channel::Email => vec![courier.email(&me, &message, &stop_path(ctx, me.id).await?).await],
    };
    if outcomes.contains(&Delivery::Delivered) {
        return Ok(Settled::Sent);
    }
    let failure = outcomes.iter().find_map(|o| match o {
        Delivery::Failed(e) => Some(e.clone()),
        _ => None,
    });
    match failure {
        Some(error) => {
            Ok(Settled::Later { at: now.checked_add(backoff(queued.attempts)).unwrap_or(now), error: Some(error) })
        }
        None => drop("every device refused or is gone"),
    }
}

/// Whether the practice the reminder is about is done for this person in its period: today
/// for a daily practice, this week or month for the others.
pub async fn done_already(ctx: &Ctx, us: &Us, practice: Practice) -> Result<bool> {
    let week = rhythm::week_for_practices(ctx, us, &[practice]).await?;
    let Some(item) = week.first() else { return Ok(false) };
    let today = us.me.time_zone.today(ctx.now());
    let index = usize::try_from(today.weekday().to_monday_zero_offset()).unwrap_or(0);
    Ok(match practice.cadence() {
        Cadence::Daily | Cadence::MostDays => {
            let mine = item.days.get(index).is_some_and(|d| matches!(d, DayMark::Both | DayMark::Me));
            let together = matches!(practice, Practice::Hug | Practice::Conversation)
                && item.days.get(index).is_some_and(|d| *d == DayMark::Both);
            mine || together
        }
        Cadence::Weekly | Cadence::Monthly => item.done_at.is_some(),
    })
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

    #[test]
    fn push_endpoints_must_be_public_https() {
        let strict = EndpointPolicy::default();
        assert_eq!(endpoint_refusal("https://fcm.googleapis.com/fcm/send/x", strict), None);
        assert_eq!(endpoint_refusal("https://updates.push.services.mozilla.com/wpush/v2/x", strict), None);
        assert_eq!(endpoint_refusal("https://8.8.8.8/x", strict), None);
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://127.0.0.1/x",
            "https://127.1.2.3:443/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://172.16.5.4/x",
            "https://100.64.0.1/x",
            "https://localhost:8080/x",
            "https://tend.localhost/x",
            "https://router.local/x",
            "https://metadata.google.internal/x",
            "https://u:p@fcm.googleapis.com/x",
            "https:///x",
            "javascript:alert(1)",
        ] {
            assert!(endpoint_refusal(bad, strict).is_some(), "{bad} was allowed");
        }
        let local = EndpointPolicy { allow_private: true };
        assert_eq!(endpoint_refusal("http://127.0.0.1:4000/push", local), None);
        assert!(endpoint_refusal("ftp://127.0.0.1/push", local).is_some());
    }

    #[test]
    fn backoff_doubles_up_to_half_an_hour() {
        let mins: Vec<i64> = (1..=8).map(|a| backoff(a).as_mins()).collect();
        assert_eq!(mins, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    fn slot(weekday: Option<jiff::civil::Weekday>, at: &str, minutes: u16) -> Slot {
        Slot {
            weekday,
            nth: None,
            at: at.parse().expect("time"),
            minutes,
            zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
        }
    }

    #[test]
    fn the_due_occurrence_keeps_local_time_across_daylight_saving() {
        let evening = slot(Some(jiff::civil::Weekday::Thursday), "19:30", 180);
        // Before the change (UTC+1): due 18:30 local = 17:30Z; after it (UTC+2): 16:30Z.
        let (_, due, expires) =
            due_occurrence(Practice::TechFreeEvening, &evening, t("2026-03-26T17:30:00Z")).expect("due");
        assert_eq!((due, expires), (t("2026-03-26T17:30:00Z"), t("2026-03-26T21:30:00Z")));
        assert!(due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T16:29:00Z")).is_none());
        let (start, due, _) =
            due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T16:30:00Z")).expect("due");
        assert_eq!(due, t("2026-04-02T16:30:00Z"));
        assert_eq!(start.strftime("%H:%M").to_string(), "19:30");
        // Not useful any more once the evening is over.
        assert!(due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T20:30:00Z")).is_none());
        // A daily check-in at 21:00 stays useful until midnight, local time.
        let check_in = slot(None, "21:00", 10);
        let (_, due, expires) = due_occurrence(Practice::CheckIn, &check_in, t("2026-03-29T21:59:00Z")).expect("due");
        assert_eq!((due, expires), (t("2026-03-29T19:00:00Z"), t("2026-03-29T22:00:00Z")));
        assert!(due_occurrence(Practice::CheckIn, &check_in, t("2026-03-29T22:00:00Z")).is_none());
    }
}
