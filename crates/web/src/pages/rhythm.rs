//! Our rhythm: this week at a glance, when the couple does what (proposed by one, agreed by
//! both), and the days you connected, a month at a glance.

use super::accounts::Empty;
use super::{FormErrors, Layout, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::check_in::{self, Connected};
use tend_domain::rhythm::{self, Cadence, NewSlot, PlanItem, Practice, WEEKDAYS, WeekItem};
use tend_domain::time::TimeZoneName;

pub struct DayCell {
    pub number: i8,
    pub state: &'static str,
    pub label: String,
    pub today: bool,
}

/// A month of check-ins at a glance.
pub struct Calendar {
    pub title: String,
    pub prev: String,
    pub next: Option<String>,
    pub weekdays: [&'static str; 7],
    pub lead: usize,
    pub days: Vec<DayCell>,
    /// Whether some days of the month are still to come (shown in the legend).
    pub has_future: bool,
    pub counts: Option<(u32, u32)>,
}

/// One day of the week for a daily practice.
pub struct DotView {
    pub letter: &'static str,
    pub mark: &'static str,
    pub label: String,
}

pub struct WeekRow {
    pub id: &'static str,
    pub name: &'static str,
    pub href: &'static str,
    pub cadence: &'static str,
    pub dots: Vec<DotView>,
    /// For weekly and monthly practices: "Done Thursday", "Planned for Thursday, 19:30", "Not yet".
    pub status: String,
    pub status_class: &'static str,
}

pub struct PlanRow {
    pub id: &'static str,
    pub name: String,
    pub cadence: &'static str,
    pub why: String,
    pub agreed: Option<String>,
    pub proposal: Option<ProposalRow>,
    pub needs_day: bool,
    pub monthly: bool,
    pub has_length: bool,
    /// What the form starts with: the proposal, else the agreed time, else a sensible default.
    pub form: SlotForm,
    pub errors: FormErrors,
    pub open: bool,
}

pub struct ProposalRow {
    pub by_me: bool,
    pub by_name: String,
    pub text: String,
    /// When it was proposed: the yes is for this proposal, not a newer one.
    pub at: String,
}

#[derive(Clone, Default)]
pub struct SlotForm {
    pub weekday: String,
    pub nth: String,
    pub at: String,
    pub minutes: String,
}

#[derive(Template)]
#[template(path = "rhythm/show.html")]
pub struct RhythmPage {
    pub layout: Layout,
    pub notice: Option<&'static str>,
    pub partner: String,
    pub week: Vec<WeekRow>,
    pub plan: Vec<PlanRow>,
    pub weekdays: &'static [(jiff::civil::Weekday, &'static str, &'static str)],
    pub calendar: Calendar,
    /// "We tried something new": this month's plans both said yes to whose time came.
    pub tried: TriedRow,
}

/// The line for trying something new together, about once a week.
pub struct TriedRow {
    pub status: String,
    pub status_class: &'static str,
}

impl TriedRow {
    fn of(months: &[tend_domain::play::MonthCount], hide_counts: bool) -> Self {
        let this = months.first().map_or(0, |m| m.tried);
        let last = months.get(1).map_or(0, |m| m.tried);
        let status = match (this, hide_counts) {
            (0, _) if last > 0 && !hide_counts => {
                format!("Not yet this month ({last} last month). Find an idea you both like.")
            }
            (0, _) => "Not yet this month. Find an idea you both like.".to_owned(),
            (_, true) => "You tried something new together this month.".to_owned(),
            (1, false) => "Once this month: something new, together.".to_owned(),
            (n, false) => format!("{n} times this month: something new, together."),
        };
        Self { status, status_class: if this > 0 { "done" } else { "not-yet" } }
    }
}

#[derive(Deserialize, Default)]
pub struct RhythmQuery {
    month: Option<String>,
    done: Option<String>,
}

fn slot_text(view: &rhythm::SlotView) -> String {
    match &view.your_time {
        Some(yours) => format!("{} ({}, {})", view.describe, view.slot.zone.as_str(), yours),
        None => view.describe.clone(),
    }
}

fn form_of(slot: Option<&rhythm::Slot>, practice: Practice) -> SlotForm {
    match slot {
        Some(s) => SlotForm {
            weekday: s.weekday.map(rhythm::weekday_key).unwrap_or("").to_owned(),
            nth: s.nth.map(|n| n.to_string()).unwrap_or_else(|| "1".into()),
            at: s.at.strftime("%H:%M").to_string(),
            minutes: s.minutes.to_string(),
        },
        None => SlotForm {
            weekday: if practice.cadence() == Cadence::Monthly || practice == Practice::StateOfUs {
                "sunday"
            } else {
                "thursday"
            }
            .into(),
            nth: "1".into(),
            at: match practice {
                Practice::Hug => "08:00",
                Practice::ShowAndTell => "17:00",
                Practice::IntimacyMap => "17:30",
                Practice::StateOfUs => "18:00",
                Practice::TechFreeEvening => "19:30",
                _ => "21:00",
            }
            .into(),
            minutes: practice.default_minutes().to_string(),
        },
    }
}

fn plan_row(item: &PlanItem, failed: Option<(Practice, Option<&NewSlot>, &FormErrors)>) -> PlanRow {
    let cadence = item.info.rhythm;
    let shown = item.proposal.as_ref().map(|p| &p.slot.slot).or(item.agreed.as_ref().map(|a| &a.slot));
    let (form, errors) = match failed {
        // A refused yes: the message, and the form as it stands.
        Some((p, None, errors)) if p == item.practice => (form_of(shown, item.practice), errors.clone()),
        // A refused proposal: the form as it was sent, with what to fix.
        Some((p, Some(typed), errors)) if p == item.practice => (
            SlotForm {
                weekday: typed.weekday.clone().unwrap_or_default(),
                nth: typed.nth.clone().unwrap_or_default(),
                at: typed.at.clone(),
                minutes: typed.minutes.clone().unwrap_or_default(),
            },
            errors.clone(),
        ),
        _ => (form_of(shown, item.practice), FormErrors::default()),
    };
    PlanRow {
        id: item.practice.as_str(),
        name: item.info.name.clone(),
        cadence: cadence.label(),
        why: item.info.why.clone(),
        agreed: item.agreed.as_ref().map(slot_text),
        proposal: item.proposal.as_ref().map(|p| ProposalRow {
            by_me: p.by_me,
            by_name: p.by_name.clone(),
            text: slot_text(&p.slot),
            at: p.at.to_string(),
        }),
        needs_day: matches!(cadence, Cadence::Weekly | Cadence::Monthly),
        monthly: cadence == Cadence::Monthly,
        has_length: item.practice == Practice::TechFreeEvening,
        open: matches!(failed, Some((p, Some(_), _)) if p == item.practice),
        form,
        errors,
    }
}

fn week_row(item: &WeekItem, tz: &TimeZoneName, partner: &str) -> WeekRow {
    let letters = ["M", "T", "W", "T", "F", "S", "S"];
    let together = matches!(item.practice, Practice::Hug | Practice::Conversation);
    let dots = item
        .days
        .iter()
        .enumerate()
        .map(|(i, mark)| {
            let day = WEEKDAYS.get(i).map_or("", |(_, _, name)| name);
            let said = match mark {
                rhythm::DayMark::Both if together => "done".to_owned(),
                rhythm::DayMark::Both => "both of you".to_owned(),
                rhythm::DayMark::Me => "you".to_owned(),
                rhythm::DayMark::Partner => partner.to_owned(),
                rhythm::DayMark::NotYet => "not yet".to_owned(),
                rhythm::DayMark::Ahead => "still to come".to_owned(),
            };
            DotView {
                letter: letters.get(i).copied().unwrap_or(""),
                mark: mark.as_str(),
                label: format!("{day}: {said}"),
            }
        })
        .collect();
    let period = if item.cadence == Cadence::Monthly { "this month" } else { "this week" };
    let (status, status_class) = match (item.done_at, item.planned) {
        (Some(at), _) => (format!("Done {}", at.to_zoned(tz.zone()).strftime("%A")), "done"),
        (None, Some(at)) => (format!("Planned for {}", at.to_zoned(tz.zone()).strftime("%A %-d %B, %H:%M")), "planned"),
        (None, None) => (format!("Not yet {period}"), "not-yet"),
    };
    WeekRow {
        id: item.practice.as_str(),
        name: item.name,
        href: item.practice.href(),
        cadence: item.cadence.label(),
        dots,
        status,
        status_class,
    }
}

async fn calendar(state: &AppState, me: &SignedIn, month: Option<&str>) -> Result<Calendar, PageError> {
    let tz = &me.0.user.time_zone;
    let today = tz.today(state.ctx.now());
    let first = check_in::parse_month(month, today)
        .map_err(|m| PageError::new(StatusCode::BAD_REQUEST, "That month isn’t one we can show", m))?;
    let month = check_in::month(&state.ctx, &me.0.user, first).await?;
    let days: Vec<DayCell> = month
        .days
        .iter()
        .map(|(date, c)| {
            // A day after today has not happened yet, unless a partner a day ahead already
            // checked in on it: it is still to come, never a quiet day.
            let (state, said) = match c {
                Connected::Both => ("both", "both of you checked in"),
                Connected::One => ("one", "one of you checked in"),
                Connected::None if *date > today => ("future", "still to come"),
                Connected::None => ("none", "no check-ins"),
            };
            DayCell {
                number: date.day(),
                state,
                label: format!("{}: {said}", date.strftime("%-d %B")),
                today: *date == today,
            }
        })
        .collect();
    let has_future = days.iter().any(|d| d.state == "future");
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .ok()
        .filter(|d| *d <= today)
        .map(|d| d.strftime("%Y-%m").to_string());
    let prev = first.checked_sub(jiff::Span::new().months(1)).unwrap_or(first).strftime("%Y-%m").to_string();
    Ok(Calendar {
        title: first.strftime("%B %Y").to_string(),
        prev,
        next,
        weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        lead: usize::try_from(first.weekday().to_monday_zero_offset()).unwrap_or(0),
        days,
        has_future,
        counts: month.counts,
    })
}

async fn rhythm_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    q: &RhythmQuery,
    failed: Option<(Practice, Option<&NewSlot>, &FormErrors)>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    if user.couple_id.is_none() {
        return Ok(Redirect::to("/pair").into_response());
    }
    let us = tend_domain::couple::us(&state.ctx, user).await?;
    let week = rhythm::week_of(&state.ctx, &us).await?;
    let plan = rhythm::plan(&state.ctx, user).await?;
    let tried = TriedRow::of(&tend_domain::play::tried_this_month(&state.ctx, &us).await?, us.me.hide_counts);
    let errors: Vec<&FormErrors> = failed.iter().map(|(_, _, e)| *e).collect();
    let (status, wait) = FormErrors::page_status(&errors);
    let page = RhythmPage {
        layout: Layout::new(Some(&me.0), csrf, "rhythm"),
        notice: notice(q.done.as_deref()),
        week: week.iter().map(|w| week_row(w, &user.time_zone, &us.partner.display_name)).collect(),
        plan: plan.iter().map(|p| plan_row(p, failed)).collect(),
        weekdays: &WEEKDAYS,
        calendar: calendar(state, me, q.month.as_deref()).await?,
        partner: us.partner.display_name,
        tried,
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<RhythmQuery>,
) -> Result<Response, PageError> {
    rhythm_page(&state, &me, &csrf, &q, None).await
}

fn practice_of(raw: &str) -> Result<Practice, PageError> {
    Practice::parse(raw).ok_or_else(PageError::not_found)
}

fn back(practice: Practice, done: &str) -> Response {
    Redirect::to(&format!("/rhythm?done={done}#{}", practice.as_str())).into_response()
}

pub async fn propose(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(practice): Path<String>,
    CsrfForm(form): CsrfForm<NewSlot>,
) -> Result<Response, PageError> {
    let practice = practice_of(&practice)?;
    match rhythm::propose(&state.ctx, &me.0.user, practice, &form).await {
        Ok(_) => Ok(back(practice, "proposed")),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            rhythm_page(&state, &me, &csrf, &RhythmQuery::default(), Some((practice, Some(&form), &errors))).await
        }
    }
}

#[derive(Deserialize)]
pub struct AcceptForm {
    /// When the proposal said yes to was made.
    #[serde(default)]
    seen: String,
}

pub async fn accept(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(practice): Path<String>,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    let practice = practice_of(&practice)?;
    // A yes without a readable proposal time agrees to nothing rather than to whatever waits.
    let seen = form.seen.trim().parse::<jiff::Timestamp>().unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    match rhythm::accept(&state.ctx, &me.0.user, practice, Some(seen)).await {
        Ok(()) => Ok(back(practice, "agreed")),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            rhythm_page(&state, &me, &csrf, &RhythmQuery::default(), Some((practice, None, &errors))).await
        }
    }
}

/// Withdraws one's own proposal, or declines the partner's.
pub async fn decline(
    State(state): State<AppState>,
    me: SignedIn,
    Path(practice): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let practice = practice_of(&practice)?;
    let mine = rhythm::plan(&state.ctx, &me.0.user)
        .await?
        .into_iter()
        .find(|p| p.practice == practice)
        .and_then(|p| p.proposal)
        .is_some_and(|p| p.by_me);
    rhythm::drop_proposal(&state.ctx, &me.0.user, practice).await?;
    Ok(back(practice, if mine { "withdrawn" } else { "declined" }))
}

pub async fn done(
    State(state): State<AppState>,
    me: SignedIn,
    Path(practice): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let practice = practice_of(&practice)?;
    rhythm::mark_done(&state.ctx, &me.0.user, practice).await?;
    Ok(back(practice, "marked"))
}
