//! Server-rendered pages, one module per feature, one typed struct per page.

pub mod accounts;
pub mod admin;
pub mod appreciations;
pub mod check_ins;
pub mod conversation;
pub mod goals;
pub mod history;
pub mod hugs;
pub mod insights;
pub mod intimacy_map;
pub mod learn;
pub mod listening;
pub mod pairing;
pub mod past_words;
pub mod play;
pub mod practices;
pub mod questions;
pub mod reminders;
pub mod rhythm;
pub mod settings;
pub mod show_and_tell;
pub mod state_of_us;
pub mod support;
pub mod tech_free;
pub mod today;
pub mod views;
pub mod welcome;

use crate::assets;
use crate::auth::{CsrfToken, MaybeUser};
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::AppendHeaders;
use tend_domain::FieldErrors;
use tend_domain::auth::Authenticated;

/// What every page's frame needs: who is signed in, the CSRF token for its forms, the
/// current section for the navigation, and the asset URLs.
#[derive(Clone, Debug)]
pub struct Layout {
    pub user_name: Option<String>,
    pub paired: bool,
    pub csrf: String,
    pub active: &'static str,
    pub css: String,
    pub js: String,
    pub icon: String,
}

impl Layout {
    pub fn new(user: Option<&Authenticated>, csrf: &CsrfToken, active: &'static str) -> Self {
        Self {
            user_name: user.map(|u| u.user.display_name.clone()),
            paired: user.is_some_and(|u| u.user.couple_id.is_some()),
            csrf: csrf.0.clone(),
            active,
            ..Self::bare()
        }
    }

    pub fn of(user: &MaybeUser, csrf: &CsrfToken, active: &'static str) -> Self {
        Self::new(user.0.as_ref(), csrf, active)
    }

    /// A frame with no one signed in, for error pages that know nothing of the request.
    pub fn bare() -> Self {
        Self {
            user_name: None,
            paired: false,
            csrf: String::new(),
            active: "",
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            icon: assets::url("icon.svg"),
        }
    }
}

/// What a form shows beside its fields: the message for each, and one for the whole form.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    pub fields: FieldErrors,
    pub general: Option<String>,
    /// The status of the page that shows the form again.
    pub status: axum::http::StatusCode,
    /// Seconds until a throttled form may be sent again, for the `Retry-After` header.
    pub retry_after: Option<u64>,
}

/// A `Retry-After` header and its value in seconds.
type RetryAfter = (HeaderName, HeaderValue);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.get(field).is_some()
    }

    pub fn any(&self) -> bool {
        self.general.is_some() || !self.fields.is_empty()
    }

    /// The status of a page showing these forms (the first form's error status, else 200),
    /// and a `Retry-After` header when that error asks to wait (too many tries, or busy).
    pub fn page_status(forms: &[&FormErrors]) -> (axum::http::StatusCode, AppendHeaders<Option<RetryAfter>>) {
        let failed = forms.iter().find(|e| e.any());
        let wait = failed.and_then(|e| e.retry_after).map(|secs| (header::RETRY_AFTER, HeaderValue::from(secs)));
        (failed.map_or(axum::http::StatusCode::OK, |e| e.status), AppendHeaders(wait))
    }

    /// Splits a domain error into field messages and a general one; `None` for errors that
    /// deserve their own page instead of the form again.
    pub fn from_error(e: tend_domain::Error) -> Result<Self, tend_domain::Error> {
        use tend_domain::Error;
        let status = crate::error::status_of(&e);
        match e {
            Error::Invalid(fields) => Ok(Self { fields, general: None, status, retry_after: None }),
            e @ (Error::Rejected(_) | Error::BadCredentials | Error::Throttled { .. } | Error::Busy { .. }) => {
                let retry_after = match e {
                    Error::Throttled { retry_after_secs } | Error::Busy { retry_after_secs } => Some(retry_after_secs),
                    _ => None,
                };
                Ok(Self { fields: FieldErrors::default(), general: Some(e.to_string()), status, retry_after })
            }
            other => Err(other),
        }
    }
}

/// A short confirmation shown after a redirect, chosen by a fixed key so no text from the
/// URL is ever echoed.
pub fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "profile" => "Your profile is saved.",
        "password" => "Your password is changed. Your other sessions were signed out.",
        "session" => "That session is signed out.",
        "token" => "That token is revoked.",
        "token-created" => "Your new token is ready below, under “API tokens”.",
        "invite-cancelled" => "Your invite is cancelled; its link and code no longer work.",
        "invite-made" => {
            "Your invite is ready. Send the link, or read out the code; it stays here until your partner joins."
        }
        "invite-replaced" => "Here is your new invite. The old link and code no longer work.",
        "paired" => "You’re paired. Welcome to your shared space.",
        "unpaired" => "You are unpaired. Your own words stay with you.",
        "welcome" => "Welcome to Tend. Your account is ready.",
        "logged-out" => "You are logged out.",
        "password-set" => "Your new password is set, and you were signed out everywhere. Log in with it now.",
        "account-deleted" => {
            "Your account is deleted, with everything you wrote. Thank you for the time you spent here; take good care."
        }
        "checked-in" => "Your check-in is saved.",
        "picked" => "Picked. It stays yours alone until your show-and-tell.",
        "memory-kept" => "Kept in Our memories. Your partner can see it now.",
        "replied" => "Your answer is with your partner.",
        "captioned" => "The caption is saved.",
        "photo-removed" => "The photo is removed, with every copy Tend kept of it.",
        "appreciated" => "Sent. Your partner can see it now.",
        "reacted" => "Your answer is on its way.",
        "hugged" => "Logged for both of you.",
        "talk-started" => "Started. Your partner sees “Join” on Today now.",
        "talk-joined-partners" => "Your partner had just started one, so you’ve joined theirs.",
        "talk-running" => "Your conversation is already under way; here it is.",
        "shared" => "Shared. Your partner sees it now.",
        "reflected" => "Sent. Your partner sees what you heard.",
        "answered" => "Your answer is on its way.",
        "passed" => "Passed. No reason needed.",
        "responded" => "Sent. Your partner sees it now.",
        "felt" => "Saved, just for you.",
        "kept" => "Kept among your favourites.",
        "unkept" => "Removed from your favourites.",
        "ready" => "Noted, privately. The next level opens when you’re both ready.",
        "not-yet" => "Noted, privately. Nothing changes.",
        "stepped-back" => "You’ve stepped back a level. Your partner sees only the level.",
        "proposed" => "Proposed. It takes effect when your partner says yes.",
        "reminders-saved" => "Your reminder choices are saved.",
        "device-added" => "Notifications are on for this device.",
        "device-removed" => "That device gets no more notifications.",
        "test-push" => "A test notification is on its way to your devices.",
        "test-email" => "A test email is on its way.",
        "calendar-made" => "Your calendar address is ready, below under “Your rhythm in your calendar”.",
        "calendar-revoked" => "Your calendar address is turned off. Calendars that used it stop updating.",
        "guide-hidden" => "The first-week guide is put away. Everything it showed is under Practices.",
        "nudged" => "Nudge sent. It arrives gently, outside their quiet hours.",
        "nudged-already" => "You’ve sent a nudge today already. One a day keeps it gentle.",
        "agreed" => "Agreed. It’s on your rhythm now.",
        "withdrawn" => "Taken back. Nothing changes.",
        "declined" => "Declined. You can propose another time.",
        "marked" => "Counted for this month. Lovely.",
        "phones-away" => "Phones away. Your partner’s phone asks them to join.",
        "back" => "Welcome back.",
        "noted" => "Noted, for both of you.",
        "map-saved" => "Your map is saved.",
        "state-saved" => "Your answers are saved.",
        "hint-off" => "That hint is off. It stays between you and Tend; turn it on again here whenever you like.",
        "hint-on" => "The hint is on again. It shows only to you.",
        _ => return None,
    })
}

/// A moment as the viewer reads it in their own zone: "Tuesday 2 December, 21:15".
pub fn when(at: jiff::Timestamp, tz: &tend_domain::time::TimeZoneName) -> String {
    at.to_zoned(tz.zone()).strftime("%A %-d %B %Y, %H:%M").to_string()
}

/// A calendar day as people say it: "Tuesday 2 December".
pub fn day(date: jiff::civil::Date) -> String {
    date.strftime("%A %-d %B").to_string()
}

/// Ids in paths: anything that is not one is simply not found.
pub fn parse_id<Id: std::str::FromStr>(raw: &str) -> Result<Id, crate::error::PageError> {
    raw.parse().map_err(|_| crate::error::PageError::not_found())
}

/// A path on this site to go back to after a form, never `//elsewhere` or a full URL.
pub fn safe_return(target: Option<&str>, fallback: &str) -> String {
    match target {
        Some(t) if t.starts_with('/') && !t.starts_with("//") && !t.starts_with("/\\") && t.len() < 500 => t.to_owned(),
        _ => fallback.to_owned(),
    }
}
