//! The errors a use case can return. The web layer maps each to a status and a friendly page
//! or `application/problem+json`; none of them is a 500 except `Internal`.

use crate::store::StoreError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Some fields were not acceptable; each carries its own message.
    #[error("Please check the highlighted fields.")]
    Invalid(FieldErrors),
    /// The request was well formed but a rule of Tend says no; the message says why.
    #[error("{0}")]
    Rejected(String),
    /// Email and password did not match an account (deliberately vague).
    #[error("That email and password don’t match an account here.")]
    BadCredentials,
    #[error("Too many attempts. Please wait {} and try again.", minutes(*retry_after_secs))]
    Throttled { retry_after_secs: u64 },
    #[error("Please log in first.")]
    Unauthenticated,
    /// Not there, or not yours: the two are never told apart.
    #[error("We couldn’t find that.")]
    NotFound,
    /// Too many log-ins or sign-ups at this moment to take one more in time; nothing was done.
    #[error("Tend is busy right now. Nothing was changed; please try again in a few seconds.")]
    Busy { retry_after_secs: u64 },
    /// A service outside Tend (a push service, a mail server) did not take the message.
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on our side. Nothing was changed; please try again.")]
    Internal(String),
}

/// "a minute", "15 minutes": a wait in whole minutes, rounded up.
fn minutes(secs: u64) -> String {
    match secs.div_ceil(60) {
        1 => "a minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

impl Error {
    pub fn rejected(msg: impl Into<String>) -> Self {
        Self::Rejected(msg.into())
    }

    pub fn field(field: &'static str, msg: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, msg);
        Self::Invalid(errors)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(what) => Error::Rejected(what),
            StoreError::Backend(msg) => Error::Internal(msg),
        }
    }
}

/// Messages keyed by form field, in the order the problems were found.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, message: message.into() });
    }

    /// The first message for `field`, for showing beside it.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// Collects the result of parsing one field, remembering its error.
    pub fn take<T>(&mut self, field: &'static str, parsed: std::result::Result<T, String>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(msg) => {
                self.add(field, msg);
                None
            }
        }
    }

    /// `Ok(())` when nothing was wrong.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() { Ok(()) } else { Err(Error::Invalid(self)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttled_wait_reads_as_plain_words() {
        let wait = |secs| Error::Throttled { retry_after_secs: secs }.to_string();
        assert_eq!(wait(1), "Too many attempts. Please wait a minute and try again.");
        assert_eq!(wait(60), "Too many attempts. Please wait a minute and try again.");
        assert_eq!(wait(61), "Too many attempts. Please wait 2 minutes and try again.");
        assert_eq!(wait(900), "Too many attempts. Please wait 15 minutes and try again.");
    }
}
