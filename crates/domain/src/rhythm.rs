//! Our rhythm: each practice at the rhythm Tend suggests (daily, most days, weekly, monthly),
//! and the couple's own time for it ("Tech-free evening: Thursdays from 19:30"), proposed by
//! one partner and agreed when the other accepts.
//!
//! # Time zones
//! A slot's time belongs to the zone it was agreed in (the proposer's zone, unless they chose
//! another), so "Thursdays at 19:30" stays 19:30 there across a daylight-saving change. Each
//! partner sees it in their own zone as well when the two differ.
//!
//! # No streaks
//! A week shows what is planned, what is done and what is "not yet"; nothing is ever "missed".

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::store::{StoredSlot, User};
use crate::time::TimeZoneName;
use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, ToSpan, Zoned};
use serde::Deserialize;
use std::sync::OnceLock;

/// The practices that have a rhythm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Practice {
    Hug,
    CheckIn,
    Appreciation,
    Conversation,
    TechFreeEvening,
    Listening,
    ShowAndTell,
    StateOfUs,
    IntimacyMap,
}

impl Practice {
    pub const ALL: [Practice; 9] = [
        Self::Hug,
        Self::CheckIn,
        Self::Appreciation,
        Self::Conversation,
        Self::TechFreeEvening,
        Self::Listening,
        Self::ShowAndTell,
        Self::StateOfUs,
        Self::IntimacyMap,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hug => "hug",
            Self::CheckIn => "check-in",
            Self::Appreciation => "appreciation",
            Self::Conversation => "conversation",
            Self::TechFreeEvening => "tech-free-evening",
            Self::Listening => "listening",
            Self::ShowAndTell => "show-and-tell",
            Self::StateOfUs => "state-of-us",
            Self::IntimacyMap => "intimacy-map",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }

    /// Its name, rhythm and why, from `content/rhythm/practices.toml`.
    pub fn info(self) -> &'static PracticeInfo {
        practices().iter().find(|p| p.id == self).unwrap_or(&FALLBACK)
    }

    pub fn cadence(self) -> Cadence {
        self.info().rhythm
    }

    /// Where the practice lives in Tend.
    pub fn href(self) -> &'static str {
        match self {
            Self::Hug => "/hugs",
            Self::CheckIn => "/today#check-in",
            Self::Appreciation => "/today#appreciations",
            Self::Conversation => "/conversations",
            Self::TechFreeEvening => "/tech-free",
            Self::Listening => "/listening",
            Self::ShowAndTell => "/show-and-tell",
            Self::StateOfUs => "/state-of-us",
            Self::IntimacyMap => "/intimacy-map",
        }
    }

    /// How long the practice's time lasts when the couple doesn't say: an evening is longer
    /// than a hug.
    pub fn default_minutes(self) -> u16 {
        match self {
            Self::TechFreeEvening => 180,
            Self::ShowAndTell | Self::StateOfUs => 60,
            Self::IntimacyMap => 20,
            Self::Conversation => 30,
            Self::Listening => 30,
            Self::Hug | Self::CheckIn | Self::Appreciation => 10,
        }
    }
}

/// How often a practice is suggested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cadence {
    Daily,
    MostDays,
    Weekly,
    Monthly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::MostDays => "most-days",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "Every day",
            Self::MostDays => "Most days",
            Self::Weekly => "Once a week",
            Self::Monthly => "Once a month",
        }
    }
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct PracticeInfo {
    pub id: Practice,
    pub name: String,
    pub rhythm: Cadence,
    pub why: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

static FALLBACK: PracticeInfo = PracticeInfo {
    id: Practice::Hug,
    name: String::new(),
    rhythm: Cadence::Daily,
    why: String::new(),
    sources: Vec::new(),
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PracticeFile {
    practices: Vec<PracticeInfo>,
}

const PRACTICES: &str = include_str!("../../../content/rhythm/practices.toml");

/// Every practice with a rhythm, in the order Tend shows them.
pub fn practices() -> &'static [PracticeInfo] {
    static LIST: OnceLock<Vec<PracticeInfo>> = OnceLock::new();
    LIST.get_or_init(|| toml::from_str::<PracticeFile>(PRACTICES).map(|f| f.practices).unwrap_or_default())
}

/// The couple's time for a practice. Daily practices have a time of day; weekly ones a
/// weekday too; monthly ones also which of that weekday in the month (the first to the fourth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub weekday: Option<Weekday>,
    /// 1 to 4: the first to the fourth such weekday of the month (monthly practices only).
    pub nth: Option<u8>,
    pub at: Time,
    /// How long it lasts.
    pub minutes: u16,
    /// The zone the time belongs to.
    pub zone: TimeZoneName,
}

pub const MINUTES_MIN: u16 = 10;
pub const MINUTES_MAX: u16 = 600;

/// A proposal as typed in a form or sent to the API; every field optional until checked.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewSlot {
    /// `monday` … `sunday`; needed for weekly and monthly practices.
    #[serde(default)]
    pub weekday: Option<String>,
    /// `1` … `4` (monthly practices).
    #[serde(default)]
    pub nth: Option<String>,
    /// `19:30`.
    #[serde(default)]
    pub at: String,
    /// How long it lasts, in minutes.
    #[serde(default)]
    pub minutes: Option<String>,
    /// The zone the time belongs to; the proposer's own when empty.
    #[serde(default)]
    pub zone: Option<String>,
}

pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "monday", "Monday"),
    (Weekday::Tuesday, "tuesday", "Tuesday"),
    (Weekday::Wednesday, "wednesday", "Wednesday"),
    (Weekday::Thursday, "thursday", "Thursday"),
    (Weekday::Friday, "friday", "Friday"),
    (Weekday::Saturday, "saturday", "Saturday"),
    (Weekday::Sunday, "sunday", "Sunday"),
];

pub fn weekday_key(w: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|(d, _, _)| *d == w).map_or("monday", |(_, key, _)| key)
}

pub fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|(d, _, _)| *d == w).map_or("Monday", |(_, _, name)| name)
}

const NTH: [&str; 4] = ["first", "second", "third", "fourth"];

impl Slot {
    /// Checks a proposal for `practice` against its cadence.
    pub fn parse(practice: Practice, form: &NewSlot, own_zone: &TimeZoneName) -> Result<Slot> {
        let mut errors = FieldErrors::default();
        let cadence = practice.cadence();
        let needs_day = matches!(cadence, Cadence::Weekly | Cadence::Monthly);
        let weekday = match form.weekday.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(raw) => match WEEKDAYS.iter().find(|(_, key, _)| raw.eq_ignore_ascii_case(key)) {
                Some((w, _, _)) => needs_day.then_some(*w),
                None => {
                    errors.add("weekday", "Please choose a day of the week.");
                    None
                }
            },
            None if needs_day => {
                errors.add("weekday", "Please choose a day of the week.");
                None
            }
            None => None,
        };
        // Checked whenever given, kept only for monthly practices.
        let nth = match form.nth.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or("1").parse::<u8>() {
            Ok(n @ 1..=4) => (cadence == Cadence::Monthly).then_some(n),
            _ => {
                errors.add("nth", "Please choose the first, second, third or fourth week.");
                None
            }
        };
        let at = match parse_time(&form.at) {
            Some(t) => t,
            None => {
                errors.add("at", "Please give a time like 19:30.");
                Time::midnight()
            }
        };
        let minutes = match form.minutes.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => practice.default_minutes(),
            Some(raw) => match raw.parse::<u16>() {
                Ok(m) if (MINUTES_MIN..=MINUTES_MAX).contains(&m) => m,
                _ => {
                    errors.add("minutes", format!("Please give a length from {MINUTES_MIN} to {MINUTES_MAX} minutes."));
                    practice.default_minutes()
                }
            },
        };
        let zone = match form.zone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => own_zone.clone(),
            Some(raw) => TimeZoneName::parse(raw).unwrap_or_else(|e| {
                errors.add("zone", e);
                own_zone.clone()
            }),
        };
        errors.into_result()?;
        Ok(Slot { weekday, nth, at, minutes, zone })
    }

    /// Whether the practice has its time on `date` (a date in the slot's zone).
    pub fn falls_on(&self, date: Date) -> bool {
        match (self.weekday, self.nth) {
            (None, _) => true,
            (Some(w), None) => date.weekday() == w,
            (Some(w), Some(n)) => date.weekday() == w && (date.day() - 1) / 7 + 1 == i8::try_from(n).unwrap_or(1),
        }
    }

    /// When it starts on `date` (in the slot's zone); on a daylight-saving change a time that
    /// does not exist that day moves forward, as clocks do.
    pub fn start_on(&self, date: Date) -> Option<Zoned> {
        date.to_datetime(self.at).to_zoned(self.zone.zone()).ok()
    }

    /// The next start at or after `from`, looking up to a year ahead.
    pub fn next_start(&self, from: Timestamp) -> Option<Zoned> {
        let zone = self.zone.zone();
        let first = from.to_zoned(zone).date();
        (0..370)
            .filter_map(|d| first.checked_add(d.days()).ok())
            .filter(|date| self.falls_on(*date))
            .filter_map(|date| self.start_on(date))
            .find(|z| z.timestamp() >= from)
    }

    /// "Thursdays from 19:30", "Every day at 21:00", "The first Sunday of the month at 17:00".
    pub fn describe(&self) -> String {
        let time = self.at.strftime("%H:%M");
        match (self.weekday, self.nth) {
            (None, _) => format!("Every day at {time}"),
            (Some(w), None) => format!("{}s from {time}", weekday_name(w)),
            (Some(w), Some(n)) => format!(
                "The {} {} of the month from {time}",
                NTH.get(usize::from(n.saturating_sub(1))).unwrap_or(&"first"),
                weekday_name(w)
            ),
        }
    }

    /// The same time for someone in `viewer`'s zone, when it differs there: "13:30 your time".
    pub fn in_zone_of(&self, viewer: &TimeZoneName, now: Timestamp) -> Option<String> {
        if viewer.as_str() == self.zone.as_str() {
            return None;
        }
        let next = self.next_start(now)?;
        let theirs = next.with_time_zone(viewer.zone());
        let local = theirs.strftime("%H:%M").to_string();
        let same_day = theirs.date() == next.date();
        let day = if same_day || self.weekday.is_none() {
            String::new()
        } else {
            format!("{} ", weekday_name(theirs.weekday()))
        };
        (local != next.strftime("%H:%M").to_string() || !same_day).then(|| format!("{day}{local} your time"))
    }
}

/// `19:30`, `7:30`, `19.30`; minutes are needed.
pub(crate) fn parse_time(raw: &str) -> Option<Time> {
    let raw = raw.trim();
    let (h, m) = raw.split_once([':', '.'])?;
    let (h, m) = (h.trim().parse::<i8>().ok()?, m.trim().parse::<i8>().ok()?);
    Time::new(h, m, 0, 0).ok()
}

/// The couple's agreed slot for a practice, if they have one.
pub async fn agreed_slot(ctx: &Ctx, us: &Us, practice: Practice) -> Result<Option<Slot>> {
    let slots = ctx.store.rhythm_slots(us.couple_id).await?;
    Ok(slots.into_iter().find(|s| s.practice == practice && s.agreed_at.is_some()).map(|s| s.slot))
}

/// The Monday that starts the week holding `date`.
pub fn week_start(date: Date) -> Result<Date> {
    date.checked_sub(i64::from(date.weekday().to_monday_zero_offset()).days())
        .map_err(|e| Error::Internal(e.to_string()))
}

/// A slot as one partner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotView {
    pub slot: Slot,
    /// "Thursdays from 19:30".
    pub describe: String,
    /// "14:30 your time", when the partner's zone differs from the slot's.
    pub your_time: Option<String>,
    pub next: Option<Timestamp>,
}

impl SlotView {
    fn of(slot: Slot, viewer: &TimeZoneName, now: Timestamp) -> Self {
        SlotView {
            describe: slot.describe(),
            your_time: slot.in_zone_of(viewer, now),
            next: slot.next_start(now).map(|z| z.timestamp()),
            slot,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub slot: SlotView,
    pub by_me: bool,
    /// Who proposed it: "you" or the partner's name.
    pub by_name: String,
    pub at: Timestamp,
}

/// One practice on the rhythm page.
#[derive(Clone, Debug)]
pub struct PlanItem {
    pub practice: Practice,
    pub info: &'static PracticeInfo,
    pub agreed: Option<SlotView>,
    pub proposal: Option<Proposal>,
}

/// Every practice with its rhythm, the couple's agreed time and any proposal waiting.
pub async fn plan(ctx: &Ctx, me: &User) -> Result<Vec<PlanItem>> {
    let us = couple::us(ctx, me).await?;
    plan_of(ctx, &us).await
}

async fn plan_of(ctx: &Ctx, us: &Us) -> Result<Vec<PlanItem>> {
    let now = ctx.now();
    let slots = ctx.store.rhythm_slots(us.couple_id).await?;
    let tz = &us.me.time_zone;
    Ok(Practice::ALL
        .into_iter()
        .map(|practice| {
            let mine = slots.iter().filter(|s| s.practice == practice);
            let agreed = mine.clone().find(|s| s.agreed_at.is_some()).map(|s| SlotView::of(s.slot.clone(), tz, now));
            let proposal = mine.clone().find(|s| s.agreed_at.is_none()).map(|s| Proposal {
                slot: SlotView::of(s.slot.clone(), tz, now),
                by_me: s.proposed_by == us.me.id,
                by_name: if s.proposed_by == us.me.id { "you".into() } else { us.partner.display_name.clone() },
                at: s.proposed_at,
            });
            PlanItem { practice, info: practice.info(), agreed, proposal }
        })
        .collect())
}

/// Proposes a time for a practice; it takes effect when the partner accepts.
pub async fn propose(ctx: &Ctx, me: &User, practice: Practice, form: &NewSlot) -> Result<Proposal> {
    let us = couple::us(ctx, me).await?;
    let slot = Slot::parse(practice, form, &us.me.time_zone)?;
    let now = ctx.now();
    ctx.store.propose_slot(us.couple_id, practice, &slot, us.me.id, now).await?;
    ctx.notify(us.couple_id, EventKind::Rhythm).await;
    Ok(Proposal { slot: SlotView::of(slot, &us.me.time_zone, now), by_me: true, by_name: "you".into(), at: now })
}

/// Accepts the partner's proposal: from now on it is the couple's time for the practice.
/// With `seen` (when the proposal was made, as the person was shown it), only that proposal:
/// if the partner changed it meanwhile, nothing is agreed and the person sees the new one.
pub async fn accept(ctx: &Ctx, me: &User, practice: Practice, seen: Option<Timestamp>) -> Result<()> {
    let us = couple::us(ctx, me).await?;
    if !ctx.store.accept_slot(us.couple_id, practice, us.me.id, seen, ctx.now()).await? {
        return Err(Error::Rejected(format!(
            "There is no such time from {} waiting for your yes: it was withdrawn or changed. Have a look at it now.",
            us.partner.display_name
        )));
    }
    ctx.notify(us.couple_id, EventKind::Rhythm).await;
    Ok(())
}

/// Withdraws one's own proposal, or declines the partner's.
pub async fn drop_proposal(ctx: &Ctx, me: &User, practice: Practice) -> Result<()> {
    let us = couple::us(ctx, me).await?;
    if ctx.store.drop_slot_proposal(us.couple_id, practice).await? {
        ctx.notify(us.couple_id, EventKind::Rhythm).await;
    }
    Ok(())
}

/// "We did it", for practices Tend doesn't run itself (the photo show-and-tell).
pub async fn mark_done(ctx: &Ctx, me: &User, practice: Practice) -> Result<()> {
    if practice != Practice::ShowAndTell {
        return Err(Error::Rejected(format!("{} counts by itself when you do it in Tend.", practice.info().name)));
    }
    let us = couple::us(ctx, me).await?;
    ctx.store.mark_practice(us.couple_id, practice, us.me.id, ctx.now()).await?;
    ctx.notify(us.couple_id, EventKind::Rhythm).await;
    Ok(())
}

/// How a day of the week went for a daily practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayMark {
    /// Both of you (or, for a practice you do together, the two of you).
    Both,
    Me,
    Partner,
    NotYet,
    /// A day still to come.
    Ahead,
}

impl DayMark {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Both => "both",
            Self::Me => "me",
            Self::Partner => "partner",
            Self::NotYet => "not-yet",
            Self::Ahead => "ahead",
        }
    }
}

/// One practice in this week (or, for monthly ones, this month).
#[derive(Clone, Debug)]
pub struct WeekItem {
    pub practice: Practice,
    pub name: &'static str,
    pub cadence: Cadence,
    /// Monday to Sunday, for daily and most-days practices.
    pub days: Vec<DayMark>,
    /// When it was last done this week (this month for monthly practices).
    pub done_at: Option<Timestamp>,
    /// The agreed time still ahead this week (month), if any.
    pub planned: Option<Timestamp>,
}

impl WeekItem {
    /// "done", "planned" or "not-yet", for weekly and monthly practices.
    pub fn status(&self) -> &'static str {
        if self.done_at.is_some() {
            "done"
        } else if self.planned.is_some() {
            "planned"
        } else {
            "not-yet"
        }
    }
}

/// This week from Monday, in the caller's zone: what is done, planned and not yet.
pub async fn week(ctx: &Ctx, me: &User) -> Result<Vec<WeekItem>> {
    let us = couple::us(ctx, me).await?;
    week_of(ctx, &us).await
}

pub async fn week_of(ctx: &Ctx, us: &Us) -> Result<Vec<WeekItem>> {
    let slots = ctx.store.rhythm_slots(us.couple_id).await?;
    week_for(ctx, us, &Practice::ALL, slots).await
}

/// This week for some practices only, reading only what those need (Today asks for few).
/// The week of just these practices.
pub(crate) async fn week_for_practices(ctx: &Ctx, us: &Us, practices: &[Practice]) -> Result<Vec<WeekItem>> {
    let slots = ctx.store.rhythm_slots(us.couple_id).await?;
    week_for(ctx, us, practices, slots).await
}

async fn week_for(ctx: &Ctx, us: &Us, practices: &[Practice], slots: Vec<StoredSlot>) -> Result<Vec<WeekItem>> {
    let now = ctx.now();
    let tz = &us.me.time_zone;
    let today = tz.today(now);
    let monday = week_start(today)?;
    let sunday = monday.checked_add(6.days()).map_err(|e| Error::Internal(e.to_string()))?;
    let start_of = |d: Date| d.to_zoned(tz.zone()).map(|z| z.timestamp()).map_err(|e| Error::Internal(e.to_string()));
    let week_start_at = start_of(monday)?;
    let next_week_at = start_of(sunday.checked_add(1.days()).map_err(|e| Error::Internal(e.to_string()))?)?;
    let month_start_at = start_of(today.first_of_month())?;
    let next_month_at =
        start_of(today.last_of_month().checked_add(1.days()).map_err(|e| Error::Internal(e.to_string()))?)?;
    let date_of = |t: Timestamp| t.to_zoned(tz.zone()).date();
    let days: Vec<Date> = (0..7).filter_map(|i| monday.checked_add(i.days()).ok()).collect();

    // Who did what on which day of this week: only what the asked-for practices need.
    let wants = |p: Practice| practices.contains(&p);
    // The reads are independent: they run side by side.
    let (check_ins, appreciations, hugs, talks, listenings, evenings, marks, states) = tokio::try_join!(
        async {
            if wants(Practice::CheckIn) { crate::check_in::days(ctx, us, monday, sunday).await } else { Ok(Vec::new()) }
        },
        async {
            if wants(Practice::Appreciation) {
                crate::appreciation::since(ctx, us, week_start_at, Some(next_week_at)).await
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if wants(Practice::Hug) {
                Ok(ctx.store.hugs_since(us.couple_id, week_start_at).await?)
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if wants(Practice::Conversation) {
                Ok(ctx.store.conversations(us.couple_id, 60).await?)
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if wants(Practice::Listening) { Ok(ctx.store.listenings(us.couple_id, 20).await?) } else { Ok(Vec::new()) }
        },
        async {
            if wants(Practice::TechFreeEvening) {
                Ok(ctx.store.evenings_since(us.couple_id, week_start_at).await?)
            } else {
                Ok(Vec::new())
            }
        },
        async {
            if wants(Practice::ShowAndTell) {
                Ok(ctx.store.practice_marks_since(us.couple_id, month_start_at).await?)
            } else {
                Ok(Vec::new())
            }
        },
        // State of Us counts once both answered this week; the map once a round both made ends
        // this month.
        async {
            if wants(Practice::StateOfUs) {
                Ok::<_, Error>(ctx.store.states_of_us(us.couple_id, monday, monday).await?)
            } else {
                Ok(Vec::new())
            }
        },
    )?;
    let map_done = if wants(Practice::IntimacyMap) {
        let ratings = ctx.store.intimacy_ratings(us.couple_id).await?;
        crate::intimacy_map::view_of(us, ratings, now)
            .history
            .iter()
            .map(|t| t.at)
            .filter(|t| *t >= month_start_at)
            .max()
    } else {
        None
    };

    let mark = |day: Date, me: bool, partner: bool| match (me, partner) {
        _ if day > today => DayMark::Ahead,
        (true, true) => DayMark::Both,
        (true, false) => DayMark::Me,
        (false, true) => DayMark::Partner,
        (false, false) => DayMark::NotYet,
    };
    let together = |day: Date, done: bool| if done { mark(day, true, true) } else { mark(day, false, false) };
    let talk_days: Vec<Date> = talks
        .iter()
        .filter(|t| t.conversation.joined_at.is_some() && t.conversation.created_at >= week_start_at)
        .map(|t| date_of(t.conversation.created_at))
        .collect();

    let mut items = Vec::new();
    for &practice in practices {
        let info = practice.info();
        let cadence = info.rhythm;
        let (days_marks, done_at) = match practice {
            Practice::CheckIn => (
                days.iter()
                    .map(|d| {
                        let v = check_ins.iter().find(|v| v.day == *d);
                        mark(
                            *d,
                            v.is_some_and(|v| v.mine.is_some()),
                            v.is_some_and(|v| v.partner != crate::check_in::PartnerCheckIn::NotYet),
                        )
                    })
                    .collect(),
                None,
            ),
            Practice::Appreciation => (
                days.iter()
                    .map(|d| {
                        let by = |id| appreciations.iter().any(|a| a.author == id && date_of(a.created_at) == *d);
                        mark(*d, by(us.me.id), by(us.partner.id))
                    })
                    .collect(),
                None,
            ),
            Practice::Hug => {
                (days.iter().map(|d| together(*d, hugs.iter().any(|h| date_of(*h) == *d))).collect(), None)
            }
            Practice::Conversation => (days.iter().map(|d| together(*d, talk_days.contains(d))).collect(), None),
            Practice::TechFreeEvening => (
                Vec::new(),
                evenings.iter().filter(|e| e.joined_at.is_some() || e.note.is_some()).map(|e| e.started_at).max(),
            ),
            Practice::Listening => {
                (Vec::new(), listenings.iter().map(|l| l.created_at).filter(|t| *t >= week_start_at).max())
            }
            Practice::ShowAndTell => (Vec::new(), marks.iter().filter(|m| m.practice == practice).map(|m| m.at).max()),
            // done_at: filled in from the State of Us / intimacy map store
            Practice::StateOfUs => {
                (Vec::new(), (states.len() >= 2).then(|| states.iter().map(|s| s.created_at).max()).flatten())
            }
            Practice::IntimacyMap => (Vec::new(), map_done),
        };
        let until = if cadence == Cadence::Monthly { next_month_at } else { next_week_at };
        let planned = slots
            .iter()
            .find(|s| s.practice == practice && s.agreed_at.is_some())
            .and_then(|s| s.slot.next_start(now))
            .map(|z| z.timestamp())
            .filter(|t| *t < until);
        items.push(WeekItem { practice, name: &info.name, cadence, days: days_marks, done_at, planned });
    }
    Ok(items)
}

/// A practice's name inside a sentence: "tech-free evening", but "State of Us" and
/// "Stress-Reducing Conversation" keep the capitals of their names.
fn in_sentence(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if !chars.as_str().chars().any(char::is_uppercase) => first.to_lowercase().chain(chars).collect(),
        _ => name.to_owned(),
    }
}

/// A line for Today: what the rhythm holds for today, or what is still open this week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TodayItem {
    pub practice: Practice,
    pub text: String,
    pub href: &'static str,
}

/// "On our rhythm today": at most three lines, tonight's planned practice first.
pub async fn today_line(ctx: &Ctx, us: &Us) -> Result<Vec<TodayItem>> {
    let now = ctx.now();
    let tz = &us.me.time_zone;
    let today = tz.today(now);
    // Only the practices that could make a line: those with their time today, and the weekly ones.
    let slots = ctx.store.rhythm_slots(us.couple_id).await?;
    let wanted: Vec<Practice> = Practice::ALL
        .into_iter()
        .filter(|p| {
            p.cadence() == Cadence::Weekly
                || slots.iter().any(|s| {
                    s.practice == *p
                        && s.agreed_at.is_some()
                        && s.slot.next_start(now).is_some_and(|z| z.timestamp().to_zoned(tz.zone()).date() == today)
                })
        })
        .collect();
    let week = week_for(ctx, us, &wanted, slots).await?;
    let mut items = Vec::new();
    for item in &week {
        let Some(at) = item.planned.filter(|t| t.to_zoned(tz.zone()).date() == today) else { continue };
        let done_today = item.done_at.is_some_and(|t| t.to_zoned(tz.zone()).date() == today)
            || item
                .days
                .get(usize::try_from(today.weekday().to_monday_zero_offset()).unwrap_or(0))
                .is_some_and(|d| matches!(d, DayMark::Both | DayMark::Me));
        if done_today || item.done_at.is_some() && item.cadence != Cadence::Daily && item.cadence != Cadence::MostDays {
            continue;
        }
        let local = at.to_zoned(tz.zone());
        let when = if local.hour() >= 17 { "Tonight" } else { "Today" };
        items.push(TodayItem {
            practice: item.practice,
            text: format!("{when} from {}: {}", local.strftime("%H:%M"), in_sentence(item.name)),
            href: item.practice.href(),
        });
    }
    for item in &week {
        if item.cadence == Cadence::Weekly
            && item.done_at.is_none()
            && !items.iter().any(|i: &TodayItem| i.practice == item.practice)
        {
            let text = match item.planned {
                Some(at) => format!(
                    "This week: {}, planned for {}",
                    in_sentence(item.name),
                    at.to_zoned(tz.zone()).strftime("%A %H:%M")
                ),
                None => format!("This week: {}, not yet", in_sentence(item.name)),
            };
            items.push(TodayItem { practice: item.practice, text, href: item.practice.href() });
        }
    }
    items.truncate(3);
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn zone(name: &str) -> TimeZoneName {
        TimeZoneName::parse(name).expect("zone")
    }

    fn form(weekday: Option<&str>, at: &str) -> NewSlot {
        NewSlot { weekday: weekday.map(str::to_owned), at: at.into(), ..NewSlot::default() }
    }

    #[test]
    fn every_practice_has_its_words_and_rhythm() {
        let file: PracticeFile = toml::from_str(PRACTICES).expect("practices.toml parses");
        let ids: Vec<Practice> = file.practices.iter().map(|p| p.id).collect();
        assert_eq!(ids, Practice::ALL, "each practice once, in order");
        for p in &file.practices {
            assert!(!p.name.is_empty() && p.why.chars().count() <= 300, "{:?}", p.id);
        }
        assert_eq!(Practice::TechFreeEvening.cadence(), Cadence::Weekly);
        assert_eq!(Practice::ShowAndTell.cadence(), Cadence::Monthly);
        assert_eq!(Practice::StateOfUs.cadence(), Cadence::Weekly);
        assert_eq!(Practice::IntimacyMap.cadence(), Cadence::Monthly);
        assert_eq!(Practice::Conversation.cadence(), Cadence::MostDays);
    }

    #[test]
    fn slots_follow_the_cadence() {
        let berlin = zone("Europe/Berlin");
        let weekly = Slot::parse(Practice::TechFreeEvening, &form(Some("thursday"), "19:30"), &berlin).expect("ok");
        assert_eq!(weekly.describe(), "Thursdays from 19:30");
        assert_eq!(weekly.minutes, 180);
        let daily = Slot::parse(Practice::CheckIn, &form(Some("thursday"), "21:00"), &berlin).expect("ok");
        assert_eq!((daily.weekday, daily.describe().as_str()), (None, "Every day at 21:00"));
        let err = Slot::parse(Practice::Listening, &form(None, "25:00"), &berlin).expect_err("bad");
        let Error::Invalid(fields) = err else { panic!("field errors") };
        assert!(fields.get("weekday").is_some() && fields.get("at").is_some());
        let monthly = Slot::parse(
            Practice::ShowAndTell,
            &NewSlot { nth: Some("1".into()), ..form(Some("sunday"), "17:00") },
            &berlin,
        )
        .expect("ok");
        assert_eq!(monthly.describe(), "The first Sunday of the month from 17:00");
        assert!(monthly.falls_on(date(2026, 3, 1)) && !monthly.falls_on(date(2026, 3, 8)));
        let bad_zone = NewSlot { zone: Some("Mars/Olympus".into()), ..form(Some("monday"), "19:00") };
        assert!(Slot::parse(Practice::Listening, &bad_zone, &berlin).is_err());
    }

    #[test]
    fn a_slot_keeps_its_local_time_across_daylight_saving() {
        // Berlin moves its clocks forward on 29 March 2026: Thursday 26 March is UTC+1,
        // Thursday 2 April UTC+2. The evening starts at 19:30 in Berlin both weeks.
        let slot = Slot::parse(Practice::TechFreeEvening, &form(Some("thursday"), "19:30"), &zone("Europe/Berlin"))
            .expect("ok");
        let before: Timestamp = "2026-03-25T12:00:00Z".parse().expect("t");
        let first = slot.next_start(before).expect("next");
        assert_eq!(first.timestamp().to_string(), "2026-03-26T18:30:00Z");
        let second = slot.next_start(first.timestamp() + jiff::SignedDuration::from_secs(1)).expect("next");
        assert_eq!(second.timestamp().to_string(), "2026-04-02T17:30:00Z");
        // A partner in New York (which changed on 8 March) sees it in their own time.
        let ny = zone("America/New_York");
        assert_eq!(slot.in_zone_of(&ny, before).as_deref(), Some("14:30 your time"));
        assert_eq!(slot.in_zone_of(&zone("Europe/Berlin"), before), None);
        // A time that does not exist on the night clocks jump moves forward an hour.
        let night = Slot::parse(Practice::CheckIn, &form(None, "02:30"), &zone("Europe/Berlin")).expect("ok");
        let jump = night.start_on(date(2026, 3, 29)).expect("start");
        assert_eq!(jump.strftime("%H:%M").to_string(), "03:30");
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(date(2026, 3, 12)).expect("ok"), date(2026, 3, 9));
        assert_eq!(week_start(date(2026, 3, 9)).expect("ok"), date(2026, 3, 9));
        assert_eq!(week_start(date(2026, 3, 15)).expect("ok"), date(2026, 3, 9));
    }
}
