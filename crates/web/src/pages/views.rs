//! Page-ready shapes of the daily practices, shared by Today, the appreciation list and
//! history. Times are shown in the viewer's own zone.

use super::when;
use tend_domain::appreciation::{self, Appreciation, Reaction};
use tend_domain::check_in::{CLOSENESS_LABELS, CheckIn, DayView, PartnerCheckIn};
use tend_domain::couple::Us;
use tend_domain::time::TimeZoneName;

pub struct CheckInView {
    pub high: String,
    pub low: String,
    pub closeness: u8,
    pub closeness_label: &'static str,
    pub need: String,
    pub updated: String,
    pub is_new: bool,
    pub left: u8,
    pub right: u8,
}

impl CheckInView {
    pub fn of(c: &CheckIn, tz: &TimeZoneName, is_new: bool) -> Self {
        Self {
            high: c.high.clone(),
            low: c.low.clone(),
            closeness: c.closeness,
            closeness_label: CLOSENESS_LABELS.get(usize::from(c.closeness).saturating_sub(1)).copied().unwrap_or(""),
            need: c.need.clone(),
            updated: c.updated_at.to_zoned(tz.zone()).strftime("%H:%M").to_string(),
            is_new,
            left: circles(c.closeness).0,
            right: circles(c.closeness).1,
        }
    }
}

/// The partner's side of a date.
pub enum PartnerSide {
    NotYet,
    WaitingForYou,
    Revealed(CheckInView),
}

pub struct DayCheckIns {
    pub mine: Option<CheckInView>,
    pub partner: PartnerSide,
}

impl DayCheckIns {
    pub fn of(day: &DayView, tz: &TimeZoneName, partner_is_new: bool) -> Self {
        Self {
            mine: day.mine.as_ref().map(|c| CheckInView::of(c, tz, false)),
            partner: match &day.partner {
                PartnerCheckIn::NotYet => PartnerSide::NotYet,
                PartnerCheckIn::WaitingForYou => PartnerSide::WaitingForYou,
                PartnerCheckIn::Revealed { check_in } => {
                    PartnerSide::Revealed(CheckInView::of(check_in, tz, partner_is_new))
                }
            },
        }
    }

    pub fn waiting(&self) -> bool {
        matches!(self.partner, PartnerSide::WaitingForYou)
    }

    pub fn not_yet(&self) -> bool {
        matches!(self.partner, PartnerSide::NotYet)
    }

    pub fn revealed(&self) -> Option<&CheckInView> {
        match &self.partner {
            PartnerSide::Revealed(v) => Some(v),
            _ => None,
        }
    }
}

pub struct AppreciationView {
    pub id: i64,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub body: String,
    pub when: String,
    pub from_me: bool,
    pub author: String,
    pub recipient: String,
    pub reaction: Option<(&'static str, &'static str)>,
    pub reply: String,
    pub is_new: bool,
}

impl AppreciationView {
    pub fn of(a: &Appreciation, us: &Us, is_new: bool) -> Self {
        let from_me = a.author == us.me.id;
        let (author, recipient) = if from_me {
            (us.me.display_name.clone(), us.partner.display_name.clone())
        } else {
            (us.partner.display_name.clone(), us.me.display_name.clone())
        };
        Self {
            id: a.id.0,
            kind: a.kind.as_str(),
            kind_label: a.kind.label(),
            body: a.body.clone(),
            when: when(a.created_at, &us.me.time_zone),
            from_me,
            author,
            recipient,
            reaction: a.reaction.map(|r| (r.symbol(), r.label())),
            reply: a.reply.clone(),
            is_new,
        }
    }

    pub fn can_react(&self) -> bool {
        !self.from_me
    }

    pub fn answered(&self) -> bool {
        self.reaction.is_some() || !self.reply.is_empty()
    }
}

/// One of the seven closeness choices, drawn as two circles that overlap more as the
/// value grows.
pub struct ClosenessChoice {
    pub value: u8,
    pub label: &'static str,
    pub left: u8,
    pub right: u8,
}

/// The centres of the two circles for a closeness value, in a 60-wide box: from apart (1)
/// to nearly one (7).
pub fn circles(value: u8) -> (u8, u8) {
    const GAPS: [u8; 7] = [30, 24, 19, 14, 10, 6, 2];
    let gap = GAPS[usize::from(value.clamp(1, 7)) - 1];
    (30 - gap / 2, 30 + gap / 2)
}

pub fn closeness_choices() -> Vec<ClosenessChoice> {
    (1u8..=7)
        .zip(CLOSENESS_LABELS)
        .map(|(value, label)| {
            let (left, right) = circles(value);
            ClosenessChoice { value, label, left, right }
        })
        .collect()
}

pub struct ReactionChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub symbol: &'static str,
}

pub fn reaction_choices() -> Vec<ReactionChoice> {
    Reaction::ALL.iter().map(|r| ReactionChoice { value: r.as_str(), label: r.label(), symbol: r.symbol() }).collect()
}

pub struct KindChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

pub fn kind_choices() -> Vec<KindChoice> {
    appreciation::Kind::ALL.iter().map(|k| KindChoice { value: k.as_str(), label: k.label(), hint: k.hint() }).collect()
}
