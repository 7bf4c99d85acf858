//! Today: both partners' daily practices at a glance, updated live.

use super::views::{
    AppreciationView, ClosenessChoice, DayCheckIns, KindChoice, ReactionChoice, closeness_choices, kind_choices,
    reaction_choices,
};
use super::{FormErrors, Layout, day, notice};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::appreciation::{self, NewAppreciation};
use tend_domain::check_in::NewCheckIn;
use tend_domain::content::Starter;
use tend_domain::store::User;
use tend_domain::today::GuideDay;
use tend_domain::today::{self, Overview};

/// One partner's day as the page shows it.
pub struct PartnerDay {
    pub name: String,
    /// Where they are, as people name a place: "New York".
    pub place: String,
    pub date: String,
    pub time: String,
}

impl PartnerDay {
    fn of(user: &User, now: jiff::Timestamp) -> Self {
        let local = now.to_zoned(user.time_zone.zone());
        Self {
            name: user.display_name.clone(),
            place: today::place_name(user.time_zone.as_str()),
            date: day(local.date()),
            time: local.strftime("%H:%M").to_string(),
        }
    }
}

/// The first week's step for today, as Today shows it.
pub struct GuideCard {
    pub day: &'static GuideDay,
    /// Today's practice is already done: the card says so and what tomorrow brings.
    pub done: bool,
    /// Today's practice is also the next step: its why goes into that card instead.
    pub merged: bool,
    pub tomorrow: Option<&'static str>,
}

/// The one card at the top of Today: what matters most now.
pub struct NextCard {
    /// `check-in`, `appreciate`, `question`, `talk`, `evening`, `listening`, `nudge`, `planned`, `done`.
    pub kind: &'static str,
    pub heading: String,
    pub text: String,
    /// A link to follow…
    pub link: Option<(String, String)>,
    /// …or a button that posts (joining something live).
    pub post: Option<(String, String)>,
}

fn next_card(
    next: &today::Next,
    partner: &str,
    talk: Option<&super::conversation::TalkView>,
    evening: Option<&super::tech_free::EveningView>,
    question: Option<&super::questions::QuestionView>,
    listening: Option<&super::listening::ExchangeView>,
) -> NextCard {
    use today::Next;
    let card = |kind, heading: String, text: &str, link: Option<(&str, &str)>| NextCard {
        kind,
        heading,
        text: text.to_owned(),
        link: link.map(|(h, l)| (h.to_owned(), l.to_owned())),
        post: None,
    };
    match next {
        Next::JoinEvening => NextCard {
            post: evening.map(|e| (format!("/tech-free/{}/join", e.id), "Phones away".to_owned())),
            ..card(
                "evening",
                format!("{partner} put their phone away. Join?"),
                &evening
                    .map(|e| format!("A tech-free evening until {}. Both phones go quiet.", e.until))
                    .unwrap_or_default(),
                None,
            )
        },
        Next::EveningOn => card(
            "evening",
            format!("Phones away until {}", evening.map(|e| e.until.as_str()).unwrap_or("later")),
            "Enjoy each other.",
            Some(("/tech-free", "Back to the calm screen")),
        ),
        Next::JoinTalk => NextCard {
            post: talk.map(|t| (format!("/conversations/{}/join", t.id), "Join".to_owned())),
            ..card(
                "talk",
                format!("{partner} would like a Stress-Reducing Conversation"),
                &talk
                    .map(|t| format!("{} minutes each. Join when you have a quiet moment.", t.minutes))
                    .unwrap_or_default(),
                None,
            )
        },
        Next::BackToTalk => card(
            "talk",
            "Your conversation is under way".into(),
            "",
            talk.map(|t| format!("/conversations/{}", t.id)).as_deref().map(|h| (h, "Go back to it")),
        ),
        Next::RateTalk => NextCard {
            link: talk.map(|t| (format!("/conversations/{}", t.id), "Rate it privately".to_owned())),
            ..card("talk", "How did your conversation feel?".into(), "A moment, just for you.", None)
        },
        Next::Listening if listening.is_some_and(|l| l.stage == "reflecting") => card(
            "listening",
            format!("{partner} shared something with you"),
            "Listen, then write back what you heard.",
            Some(("/listening#exchange", "Listen")),
        ),
        Next::Listening => card(
            "listening",
            format!("{partner} wrote back what they heard"),
            "Tell them whether it fits.",
            Some(("/listening#exchange", "Read it")),
        ),
        Next::CheckInPartnerWaiting => card(
            "check-in",
            format!("{partner} is waiting for your check-in"),
            &format!("{partner} has checked in. Share yours and you’ll both see each other’s."),
            Some(("#check-in", "Check in")),
        ),
        Next::Nudged(p) => card(
            "nudge",
            format!("{partner} would love {}", tend_domain::reminder::nudge_words(*p)),
            "",
            Some((p.href(), "Let’s")),
        ),
        Next::CheckIn => card(
            "check-in",
            "Start with your check-in".into(),
            "A high, a low, and how close you feel. A minute, just to say how today really felt.",
            Some(("#check-in", "Check in")),
        ),
        Next::QuestionPartnerWaiting => NextCard {
            link: question.map(|q| (format!("/questions/{}", q.id), "Answer".to_owned())),
            ..card(
                "question",
                format!("{partner} has answered today’s question"),
                &question.map(|q| format!("“{}” Answer to see theirs.", q.text)).unwrap_or_default(),
                None,
            )
        },
        Next::Question => NextCard {
            link: question.map(|q| (format!("/questions/{}", q.id), "Answer".to_owned())),
            ..card("question", "Today’s question".into(), &question.map(|q| q.text.clone()).unwrap_or_default(), None)
        },
        Next::Appreciate => card(
            "appreciate",
            format!("Tell {partner} one thing you appreciate"),
            "Something small they did, or who they are.",
            Some(("#appreciate", "Write it")),
        ),
        Next::ShowAndTell(id) => card(
            "show-and-tell",
            "Your photo show-and-tell is on".into(),
            "Each photo is on both phones. Take turns telling the story behind yours.",
            Some((&format!("/show-and-tell/{id}"), "Join the show-and-tell")),
        ),
        Next::Planned(text) => card("planned", text.clone(), "", Some(("/rhythm", "Our rhythm"))),
        Next::AllDone => card(
            "done",
            "You’ve done today’s practices".into(),
            "Nothing else is asked of you today. Maybe a long hug?",
            Some(("/hugs", "A 20-second hug")),
        ),
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
    /// "It’s 14:30 for Sam in New York", only when their time differs from yours.
    pub partner_time: Option<String>,
    /// The one thing that matters most now.
    pub next: NextCard,
    /// Today's step of the first week, until the couple puts the guide away.
    pub guide: Option<GuideCard>,
    pub check_in_open: bool,
    pub appreciation_open: bool,
    pub appreciated: bool,
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
    /// A show-and-tell going on now, to go back to.
    pub show_and_tell: Option<i64>,
    /// A photo first seen a year (or, for a new couple, a month) ago today.
    pub on_this_day: Option<(String, tend_domain::photo::PhotoView)>,
    /// "On our rhythm today": tonight's planned practice, what is still open this week.
    pub rhythm_today: Vec<tend_domain::rhythm::TodayItem>,
    /// Today's nudges between the two of you: "Sam would love a check-in with you today."
    pub nudges: Vec<tend_domain::reminder::Nudge>,
    /// Whether the caller has nudged today already (one a day).
    pub nudged: bool,
    /// What a nudge may be about: (id, name).
    pub nudge_choices: Vec<(&'static str, String)>,
    /// The private help hint, for the caller alone (see `tend_domain::help_hint`).
    pub help_hint: bool,
    /// Plans, asks and goals done: what involves this person today (see `today::together`).
    pub together: Vec<today::TogetherLine>,
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
    let loaded = today::load(&state.ctx, &me.0.user, today::Extras::Page).await?;
    let overview: &Overview = &loaded.overview;
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
    let talk_seen = loaded.talk.as_ref().filter(|t| t.needs_me());
    let talk = talk_seen.map(|s| super::conversation::TalkView::of(s, us, tz, now));
    let question = Some(super::questions::QuestionView::of(&loaded.question, tz));
    let listening =
        loaded.listening.as_ref().map(|l| super::listening::ExchangeView::of(l, us, now)).filter(|x| x.my_move);
    let evening = loaded.evening.as_ref().map(|e| super::tech_free::EveningView::of(e, tz, now, &us.me.display_name));
    let show_and_tell = loaded.show_and_tell.map(|id| id.0);
    let nudged = loaded.nudges.iter().any(|n| n.from_me);
    let nudge_choices =
        tend_domain::rhythm::Practice::ALL.iter().map(|p| (p.as_str(), p.info().name.clone())).collect();
    let pieces = today::Pieces { talk: talk_seen, ..loaded.pieces() };
    let facts = today::facts(&pieces, now);
    let next = today::next(&facts);
    let editing = v.editing || v.check_in_errors.any();
    let check_in_open = editing || next.is_check_in();
    let appreciation_open =
        v.appreciation_errors.any() || !v.appreciation_form.body.trim().is_empty() || next.is_appreciation();
    let me_day = PartnerDay::of(&us.me, now);
    let partner_day = PartnerDay::of(&us.partner, now);
    let same_day = tz.today(now) == us.partner.time_zone.today(now);
    let partner_time = (me_day.time != partner_day.time || !same_day).then(|| {
        let on = if same_day { String::new() } else { format!(", {}", partner_day.date) };
        format!("It’s {} for {} in {}{on}.", partner_day.time, partner_day.name, partner_day.place)
    });
    let guide = if loaded.guide_hidden {
        None
    } else {
        today::guide_day(us, now).map(|day| {
            let done = match day.practice.as_str() {
                "check-in" => facts.checked_in,
                "appreciation" => facts.appreciated_today,
                "question" => facts.answered_question,
                _ => false,
            };
            let merged = !done
                && match day.practice.as_str() {
                    "check-in" => next.is_check_in(),
                    "appreciation" => next.is_appreciation(),
                    "question" => matches!(next, today::Next::Question | today::Next::QuestionPartnerWaiting),
                    _ => false,
                };
            let tomorrow = today::first_week().iter().find(|d| d.day == day.day + 1).map(|d| d.title.as_str());
            GuideCard { day, done, merged, tomorrow }
        })
    };
    let page = TodayPage {
        help_hint: loaded.help_hint,
        together: loaded.together,
        layout: Layout::new(Some(&me.0), csrf, "today"),
        greeting: greeting(now.to_zoned(tz.zone()).hour()),
        same_day,
        partner_time,
        next: next_card(
            &next,
            &us.partner.display_name,
            talk.as_ref(),
            evening.as_ref(),
            question.as_ref(),
            listening.as_ref(),
        ),
        guide,
        check_in_open,
        appreciation_open,
        appreciated: facts.appreciated_today,
        me: me_day,
        partner: partner_day,
        notice: v.notice,
        editing,
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
        show_and_tell,
        on_this_day: loaded.on_this_day,
        rhythm_today: loaded.rhythm_today,
        nudges: loaded.nudges,
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

/// Puts the first-week guide away, on every device.
pub async fn hide_guide(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<super::accounts::Empty>,
) -> Result<Response, PageError> {
    tend_domain::account::hide_guide(&state.ctx, &me.0.user).await?;
    Ok(Redirect::to("/today?done=guide-hidden").into_response())
}

/// The live stream for the caller's open pages; nothing for someone not paired.
pub async fn events(State(state): State<AppState>, me: SignedIn) -> Response {
    // Someone without a partner yet hears when the partner they invited joins.
    let audience = match me.0.user.couple_id {
        Some(couple) => crate::live::Audience::Couple(couple),
        None => crate::live::Audience::Person(me.0.user.id),
    };
    crate::live::stream(&state, &me.0, audience).into_response()
}
