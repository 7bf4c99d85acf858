//! Play and new things together: a deck of ideas (and the couple's own), private marks that
//! show only as mutual matches, plans both agree to, and "how was it?" afterwards.
//!
//! # Mutual-match privacy
//! Each partner marks an idea "yes", "maybe" or "not for me", privately. An idea shows as a
//! match only when both said yes or maybe. A person's marks are read only by that person
//! ([`crate::store::Play::marks_of`] is only ever asked for the caller's own); matches are
//! computed by the store and carry no mark at all. A mark that makes no match sends no event,
//! so an unmatched idea looks exactly the same whether the partner said "not for me", cleared
//! their mark, or has not looked yet.
//!
//! Why: shared novel and playful activities are linked with higher relationship satisfaction
//! (Aron et al., 2000), see the Learn page "play-and-new-things".

mod ideas;
mod plans;

pub use ideas::{
    Cost, DETAIL_MAX, Energy, Filter, Idea, IdeaView, Length, OwnIdeaForm, Place, Season, TITLE_MAX, add_own_idea,
    deck, deck_idea, ideas, mark, marks_of, share_own_idea,
};
pub use plans::{
    AHEAD_DAYS, AfterwardsForm, Feeling, MonthCount, NOTE_MAX, PlanForm, PlanStage, PlanView, accept, afterwards,
    cancel, check_afterwards, matches, plan, plans, plans_in, propose, tried_by_month, tried_this_month,
};

use crate::ids::{OwnIdeaId, PlanId, UserId};
use crate::photo::PhotoId;
use jiff::Timestamp;

/// One person's private mark on an idea.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Yes,
    Maybe,
    /// "Not for me": never shown, counted or sent to the partner.
    NotForMe,
}

impl Mark {
    pub const ALL: [Mark; 3] = [Mark::Yes, Mark::Maybe, Mark::NotForMe];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::Maybe => "maybe",
            Self::NotForMe => "not-for-me",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::Maybe => "Maybe",
            Self::NotForMe => "Not for me",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// Whether this mark, met by the partner's yes or maybe, makes a match.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Yes | Self::Maybe)
    }
}

/// One of the caller's own marks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MyMark {
    pub idea: String,
    pub mark: Mark,
    pub at: Timestamp,
}

/// An idea both partners said yes or maybe to: which idea, and since when. It holds no mark.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Match {
    pub idea: String,
    pub since: Timestamp,
}

/// An idea a couple added itself: private to the one who added it until they share it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnIdea {
    pub id: OwnIdeaId,
    pub author: UserId,
    pub title: String,
    pub detail: String,
    pub place: Place,
    pub cost: Cost,
    pub length: Length,
    pub energy: Energy,
    pub created_at: Timestamp,
    /// When its author shared it with the partner; `None` while it is theirs alone.
    pub shared_at: Option<Timestamp>,
}

impl OwnIdea {
    /// The key marks and plans use for it.
    pub fn key(&self) -> String {
        own_key(self.id)
    }
}

/// "own-12": the idea key of a couple's own idea.
pub fn own_key(id: OwnIdeaId) -> String {
    format!("own-{id}")
}

/// How one partner felt about a plan once it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Afterwards {
    pub author: UserId,
    pub feeling: Feeling,
    pub note: String,
    pub photo: Option<PhotoId>,
    pub at: Timestamp,
}

/// A plan to do an idea together, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub idea: String,
    pub proposed_by: UserId,
    pub at: Timestamp,
    pub proposed_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub cancelled_at: Option<Timestamp>,
    pub afterwards: Vec<Afterwards>,
}

#[cfg(test)]
mod content_tests;

#[cfg(test)]
mod tests;
