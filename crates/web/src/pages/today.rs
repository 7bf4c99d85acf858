//! Today: both partners' daily practices at a glance, updated live.

use super::views::{
    AppreciationView, ClosenessChoice, DayCheckIns, KindChoice, ReactionChoice, closeness_choices, kind_choices,
    reaction_choices,
};
use super::{FormErrors, Layout, day, notice};
use crate::AppState;
use crate::auth::{CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::appreciation::{self, NewAppreciation};
use tend_domain::check_in::NewCheckIn;
use tend_domain::content::Starter;
use tend_domain::conversation;
use tend_domain::store::User;
use tend_domain::today::{self, Overview};

/// One partner's day as the page shows it.
pub struct PartnerDay {
    pub name: String,
    pub zone: String,
    pub date: String,
    pub time: String,
}

impl PartnerDay {
    fn of(user: &User, now: jiff::Timestamp) -> Self {
        let local = now.to_zoned(user.time_zone.zone());
        Self {
            name: user.display_name.clone(),
            zone: user.time_zone.as_str().replace('_', " "),
            date: day(local.date()),
            time: local.strftime("%H:%M").to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "today/today.html")]
pub struct TodayPage {
    pub layout: Layout,
    pub greeting: &'static str,
    pub me: PartnerDay,
    pub partner: PartnerDay,
    pub same_day: bool,
    pub notice: Option<&'static str>,
    pub check_ins: DayCheckIns,
    pub check_in_form: NewCheckIn,
    pub check_in_errors: FormErrors,
    pub editing: bool,
    pub closeness: Vec<ClosenessChoice>,
    pub received: Vec<AppreciationView>,
    pub given: Vec<AppreciationView>,
    pub appreciation_form: NewAppreciation,
    pub appreciation_errors: FormErrors,
    pub kinds: Vec<KindChoice>,
    pub starters: Vec<&'static Starter>,
    pub reactions: Vec<ReactionChoice>,
    /// A conversation that needs the caller: to join, to go back to, or to rate.
    pub talk: Option<super::conversation::TalkView>,
    /// A listening exchange waiting for the caller's step.
    pub listening: Option<super::listening::ExchangeView>,
    /// The couple's question for today.
    pub question: Option<super::questions::QuestionView>,
    /// A tech-free evening that is on: to join, or to go back to.
    pub evening: Option<super::tech_free::EveningView>,
    /// "On our rhythm today": tonight's planned practice, what is still open this week.
    pub rhythm_today: Vec<tend_domain::rhythm::TodayItem>,
    /// Today's nudges between the two of you: "Sam would love a check-in with you today."
    pub nudges: Vec<tend_domain::reminder::Nudge>,
    /// Whether the caller has nudged today already (one a day).
    pub nudged: bool,
    /// What a nudge may be about: (id, name).
    pub nudge_choices: Vec<(&'static str, String)>,
}

fn greeting(hour: i8) -> &'static str {
    match hour {
        5..=11 => "Good morning",
        12..=17 => "Good afternoon",
        18..=22 => "Good evening",
        _ => "Hello",
    }
}

/// A few starters a day, a different few each day, three of each kind.
fn starters_for(date: jiff::civil::Date) -> Vec<&'static Starter> {
    let offset = usize::try_from(date.day_of_year()).unwrap_or(0);
    appreciation::Kind::ALL
        .iter()
        .flat_map(|k| {
            let all = appreciation::starters(Some(*k));
            let n = all.len().max(1);
            (0..3).filter_map(move |i| all.get((offset * 3 + i) % n).copied())
        })
        .collect()
}

/// What Today shows besides the day itself: a form sent back with its errors (the check-in
/// and appreciation forms live on Today, their handlers with their features), a notice.
#[derive(Default)]
pub(super) struct Variant {
    pub check_in_form: Option<NewCheckIn>,
    pub check_in_errors: FormErrors,
    pub appreciation_form: NewAppreciation,
    pub appreciation_errors: FormErrors,
    pub notice: Option<&'static str>,
    pub editing: bool,
}

pub(super) async fn today_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    v: Variant,
) -> Result<Response, PageError> {
    let overview: Overview = today::overview(&state.ctx, &me.0.user, true).await?;
    let us = &overview.us;
    let now = state.ctx.now();
    let tz = &us.me.time_zone;
    let check_ins = DayCheckIns::of(&overview.check_in, tz, overview.partner_check_in_is_new());
    let check_in_form = v.check_in_form.unwrap_or_else(|| match &overview.check_in.mine {
        Some(c) => NewCheckIn {
            high: c.high.clone(),
            low: c.low.clone(),
            closeness: c.closeness.to_string(),
            need: c.need.clone(),
            day: None,
        },
        None => NewCheckIn::default(),
    });
    let view = |a: &appreciation::Appreciation| {
        AppreciationView::of(a, us, overview.is_new(a.author != us.me.id, a.created_at))
    };
    let (status, wait) = FormErrors::page_status(&[&v.check_in_errors, &v.appreciation_errors]);
    let talk = conversation::current_in(&state.ctx, us)
        .await?
        .filter(conversation::Seen::needs_me)
        .map(|s| super::conversation::TalkView::of(&s, us, tz, now));
    let today_question = tend_domain::questions::exchange::question_for_today_in(&state.ctx, us, false).await?;
    let question = Some(super::questions::QuestionView::of(&today_question, tz));
    let listening = tend_domain::listening::open_in(&state.ctx, us)
        .await?
        .map(|l| super::listening::ExchangeView::of(&l, us, now))
        .filter(|x| x.my_move);
    let evening = tend_domain::tech_free::current_in(&state.ctx, us)
        .await?
        .map(|e| super::tech_free::EveningView::of(&e, tz, now, &us.me.display_name));
    let rhythm_today = tend_domain::rhythm::today_line(&state.ctx, us).await?;
    let nudges = tend_domain::reminder::nudges_today(&state.ctx, us).await?;
    let nudged = nudges.iter().any(|n| n.from_me);
    let nudge_choices =
        tend_domain::rhythm::Practice::ALL.iter().map(|p| (p.as_str(), p.info().name.clone())).collect();
    let page = TodayPage {
        layout: Layout::new(Some(&me.0), csrf, "today"),
        greeting: greeting(now.to_zoned(tz.zone()).hour()),
        same_day: tz.today(now) == us.partner.time_zone.today(now),
        me: PartnerDay::of(&us.me, now),
        partner: PartnerDay::of(&us.partner, now),
        notice: v.notice,
        editing: v.editing || v.check_in_errors.any(),
        check_ins,
        check_in_form,
        check_in_errors: v.check_in_errors,
        closeness: closeness_choices(),
        received: overview.received.iter().map(view).collect(),
        given: overview.given.iter().map(view).collect(),
        appreciation_form: v.appreciation_form,
        appreciation_errors: v.appreciation_errors,
        kinds: kind_choices(),
        starters: starters_for(tz.today(now)),
        reactions: reaction_choices(),
        talk,
        evening,
        rhythm_today,
        nudges,
        nudged,
        nudge_choices,
        listening,
        question,
    };
    Ok((status, wait, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
pub struct TodayQuery {
    done: Option<String>,
    /// Pre-fills the appreciation with a starter (works without JavaScript).
    starter: Option<String>,
    /// Opens the check-in form to edit today's check-in.
    edit: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<TodayQuery>,
) -> Result<Response, PageError> {
    if me.0.user.couple_id.is_none() {
        return Ok(Redirect::to("/pair").into_response());
    }
    let appreciation_form = match q.starter.as_deref().and_then(tend_domain::content::starter) {
        Some(s) => NewAppreciation {
            kind: s.kind.as_str().into(),
            body: s.text.trim_end_matches('…').to_owned() + " ",
            starter_id: Some(s.id.clone()),
            to: None,
        },
        None => NewAppreciation::default(),
    };
    let v = Variant {
        notice: notice(q.done.as_deref()),
        appreciation_form,
        editing: q.edit.is_some(),
        ..Variant::default()
    };
    today_page(&state, &me, &csrf, v).await
}

/// The live stream for the caller's open pages; nothing for someone not paired.
pub async fn events(State(state): State<AppState>, me: SignedIn) -> Response {
    match me.0.user.couple_id {
        Some(couple) => crate::live::stream(&state, couple).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
