//! Question decks: the question for today, the decks, one page per question where both
//! answer and then see both, the ladder, and "our answers".

use super::{FormErrors, Layout, notice, when};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::pages::accounts::Empty;
use crate::pages::pairing::DoneQuery;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tend_domain::couple;
use tend_domain::questions::exchange::{self, NewAnswer, NewResponse, OursFilter, Seen};
use tend_domain::questions::ladder::LadderView;
use tend_domain::questions::{self, Deck, IntimacyType, Reply};

/// What each depth is called on the page.
pub fn depth_name(depth: u8) -> &'static str {
    match depth {
        1 => "Light",
        2 => "Personal",
        _ => "Deep",
    }
}

/// One 1–7 scale of the felt form (drawn by `_scale.html`).
pub struct FeltScale {
    pub name: &'static str,
    pub label: &'static str,
    pub current: u8,
}

/// An exchange as one partner's page shows it.
pub struct QuestionView {
    pub id: String,
    pub text: String,
    pub deck: String,
    pub deck_name: String,
    pub depth: u8,
    pub depth_name: &'static str,
    pub types: Vec<&'static str>,
    pub locked: bool,
    /// none, answered or passed.
    pub mine_state: &'static str,
    pub mine: String,
    /// not_yet, waiting_for_you, you_passed, passed or revealed.
    pub partner_state: &'static str,
    pub theirs: String,
    pub my_reply: Option<String>,
    pub my_words: String,
    pub responded: bool,
    pub their_reply: Option<String>,
    pub their_words: String,
    pub has_their_response: bool,
    pub felt: Option<exchange::Felt>,
    /// The three scales of the felt form, with the saved choice (0 where none).
    pub felt_scales: [FeltScale; 3],
    pub favorite: bool,
    pub complete: bool,
    pub replies: Vec<&'static Reply>,
    pub when: String,
}

impl QuestionView {
    pub fn of(s: &Seen, tz: &tend_domain::time::TimeZoneName) -> Self {
        let q = s.question;
        let deck = questions::deck(&q.deck);
        let mine = s.mine.as_ref();
        let reply_text = |id: Option<&str>| id.and_then(questions::reply).map(|r| r.text.clone());
        Self {
            id: q.id.clone(),
            text: q.text.clone(),
            deck: q.deck.clone(),
            deck_name: deck.map_or_else(String::new, |d| d.name.clone()),
            depth: q.depth,
            depth_name: depth_name(q.depth),
            types: q.types.iter().map(|t| t.as_str()).collect(),
            locked: s.locked,
            mine_state: s.my_state(),
            mine: mine.map_or_else(String::new, |m| m.body.clone()),
            partner_state: s.partner.as_str(),
            theirs: s.partner.revealed_body().unwrap_or_default().to_owned(),
            my_reply: reply_text(mine.and_then(|m| m.reply_id.as_deref())),
            my_words: mine.map_or_else(String::new, |m| m.reply_words.clone()),
            responded: mine.is_some_and(|m| m.responded_at.is_some()),
            their_reply: s.response_to_me.as_ref().and_then(|(r, _)| r.map(|r| r.text.clone())),
            their_words: s.response_to_me.as_ref().map_or_else(String::new, |(_, w)| w.clone()),
            has_their_response: s.response_to_me.is_some(),
            felt: mine.and_then(|m| m.felt),
            felt_scales: {
                let [u, a, c] = mine.and_then(|m| m.felt).map_or([0; 3], |f| [f.understood, f.accepted, f.cared_for]);
                [
                    FeltScale { name: "understood", label: "How understood did you feel?", current: u },
                    FeltScale { name: "accepted", label: "How accepted?", current: a },
                    FeltScale { name: "cared_for", label: "How cared for?", current: c },
                ]
            },
            favorite: mine.is_some_and(|m| m.favorite),
            complete: s.complete,
            replies: questions::suggested_replies(q),
            when: s.created_at.map_or_else(String::new, |t| when(t, tz)),
        }
    }
}

/// A deck as the questions page lists it.
pub struct DeckRow {
    pub id: &'static str,
    pub name: &'static str,
    pub blurb: &'static str,
    pub open: usize,
    pub answered: usize,
    pub locked: usize,
    /// The level at which more of it opens, by name.
    pub opens_at: Option<&'static str>,
}

impl DeckRow {
    fn of(c: &exchange::DeckCount) -> Self {
        Self {
            id: &c.deck.id,
            name: &c.deck.name,
            blurb: &c.deck.blurb,
            open: c.open,
            answered: c.answered,
            locked: c.locked,
            opens_at: c.opens_at.map(depth_name),
        }
    }
}

#[derive(Template)]
#[template(path = "questions/index.html")]
pub struct QuestionsPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub today: QuestionView,
    pub ladder: LadderView,
    pub level: &'static str,
    /// Decks with questions open at the couple's level.
    pub decks: Vec<DeckRow>,
    /// Decks whose questions all wait for a deeper level.
    pub waiting: Vec<DeckRow>,
    pub alert: Option<String>,
}

async fn questions_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    notice: Option<&'static str>,
    alert: Option<String>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let today = exchange::question_for_today(&state.ctx, user, false).await?;
    let (ladder, counts) = exchange::overview(&state.ctx, user).await?;
    let (waiting, decks): (Vec<_>, Vec<_>) = counts.iter().partition(|c| c.waiting());
    let status = if alert.is_some() { axum::http::StatusCode::CONFLICT } else { axum::http::StatusCode::OK };
    let page = QuestionsPage {
        layout: Layout::new(Some(&me.0), csrf, "questions"),
        partner: us.partner.display_name.clone(),
        notice,
        today: QuestionView::of(&today, &us.me.time_zone),
        level: depth_name(ladder.depth),
        ladder,
        decks: decks.into_iter().map(DeckRow::of).collect(),
        waiting: waiting.into_iter().map(DeckRow::of).collect(),
        alert,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn index(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    questions_page(&state, &me, &csrf, notice(q.done.as_deref()), None).await
}

pub async fn another(
    State(state): State<AppState>,
    me: SignedIn,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    exchange::question_for_today(&state.ctx, &me.0.user, true).await?;
    Ok(Redirect::to("/questions#today").into_response())
}

#[derive(Deserialize)]
pub struct LadderForm {
    /// The level the page showed, so a second tap changes nothing more.
    #[serde(default)]
    from: Option<String>,
}

/// "Ready to go deeper?", "not yet" and "step back": private, and back to the questions.
pub async fn ladder(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(step): Path<String>,
    CsrfForm(form): CsrfForm<LadderForm>,
) -> Result<Response, PageError> {
    let (ctx, user) = (&state.ctx, &me.0.user);
    let from = form.from.as_deref().and_then(|f| f.trim().parse::<u8>().ok());
    let (result, done) = match step.as_str() {
        "ready" => (exchange::say_ready(ctx, user, from).await, "ready"),
        "not-yet" => (exchange::not_yet(ctx, user).await, "not-yet"),
        "step-back" => (exchange::step_back(ctx, user, from).await, "stepped-back"),
        _ => return Err(PageError::not_found()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/questions?done={done}#ladder")).into_response()),
        Err(tend_domain::Error::Rejected(message)) => questions_page(&state, &me, &csrf, None, Some(message)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "questions/deck.html")]
pub struct DeckPage {
    pub layout: Layout,
    pub deck: &'static Deck,
    pub level: &'static str,
    pub open: Vec<QuestionView>,
    pub locked: usize,
    /// The shallowest level at which more of the deck opens, by name.
    pub opens_at: Option<&'static str>,
}

pub async fn deck(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let deck = questions::deck(&id).ok_or_else(PageError::not_found)?;
    let (ladder, list) = exchange::deck(&state.ctx, user, &id).await?;
    let page = DeckPage {
        layout: Layout::new(Some(&me.0), &csrf, "questions"),
        deck,
        level: depth_name(ladder.depth),
        open: list.iter().filter(|s| !s.locked).map(|s| QuestionView::of(s, &user.time_zone)).collect(),
        locked: list.iter().filter(|s| s.locked).count(),
        opens_at: list.iter().filter(|s| s.locked).map(|s| s.question.depth).min().map(depth_name),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "questions/question.html")]
pub struct QuestionPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub q: QuestionView,
    pub answer_form: NewAnswer,
    pub errors: FormErrors,
}

async fn question_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: &str,
    notice: Option<&'static str>,
    answer_form: NewAnswer,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let seen = exchange::view(&state.ctx, user, id).await?;
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = QuestionPage {
        layout: Layout::new(Some(&me.0), csrf, "questions"),
        partner: us.partner.display_name.clone(),
        notice,
        q: QuestionView::of(&seen, &us.me.time_zone),
        answer_form,
        errors,
    };
    Ok((status, wait, render(&page)).into_response())
}

pub async fn question(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    question_page(&state, &me, &csrf, &id, notice(q.done.as_deref()), NewAnswer::default(), FormErrors::default()).await
}

/// After a step on a question: back to it, or the page again with what went wrong.
async fn after(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: &str,
    result: tend_domain::Result<Seen>,
    done: &str,
    kept: NewAnswer,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/questions/{id}?done={done}")).into_response()),
        Err(tend_domain::Error::NotFound) => Err(PageError::not_found()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            question_page(state, me, csrf, id, None, kept, errors).await
        }
    }
}

pub async fn answer(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NewAnswer>,
) -> Result<Response, PageError> {
    let result = exchange::answer(&state.ctx, &me.0.user, &id, &form).await;
    let done = if form.pass.is_some() { "passed" } else { "answered" };
    after(&state, &me, &csrf, &id, result, done, form).await
}

pub async fn respond(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NewResponse>,
) -> Result<Response, PageError> {
    let result = exchange::respond(&state.ctx, &me.0.user, &id, &form).await;
    after(&state, &me, &csrf, &id, result, "responded", NewAnswer::default()).await
}

#[derive(Deserialize)]
pub struct FeltForm {
    #[serde(default)]
    understood: String,
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    cared_for: String,
}

pub async fn felt(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FeltForm>,
) -> Result<Response, PageError> {
    let result = match exchange::parse_felt(&form.understood, &form.accepted, &form.cared_for) {
        Ok(felt) => exchange::rate(&state.ctx, &me.0.user, &id, felt).await,
        Err(e) => Err(e),
    };
    after(&state, &me, &csrf, &id, result, "felt", NewAnswer::default()).await
}

#[derive(Deserialize)]
pub struct FavoriteForm {
    #[serde(default)]
    on: Option<String>,
}

pub async fn favorite(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FavoriteForm>,
) -> Result<Response, PageError> {
    let on = form.on.as_deref() == Some("yes");
    let result = exchange::favorite(&state.ctx, &me.0.user, &id, on).await;
    after(&state, &me, &csrf, &id, result, if on { "kept" } else { "unkept" }, NewAnswer::default()).await
}

#[derive(Template)]
#[template(path = "questions/ours.html")]
pub struct OursPage {
    pub layout: Layout,
    pub partner: String,
    pub list: Vec<QuestionView>,
    pub decks: &'static [Deck],
    pub types: [IntimacyType; 6],
    pub filter: OursFilter,
    /// A filter narrows the list, so the filters are shown open.
    pub filtering: bool,
    pub errors: FormErrors,
}

pub async fn ours(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Query(filter): Query<OursFilter>,
) -> Result<Response, PageError> {
    let user = &me.0.user;
    let us = couple::us(&state.ctx, user).await?;
    let (list, errors) = match exchange::ours(&state.ctx, user, &filter).await {
        Ok(list) => (list, FormErrors::default()),
        Err(e) => (Vec::new(), FormErrors::from_error(e)?),
    };
    let (status, wait) = FormErrors::page_status(&[&errors]);
    let page = OursPage {
        layout: Layout::new(Some(&me.0), &csrf, "questions"),
        partner: us.partner.display_name.clone(),
        list: list.iter().map(|s| QuestionView::of(s, &user.time_zone)).collect(),
        decks: questions::decks(),
        types: IntimacyType::ALL,
        filtering: filter.is_active(),
        filter,
        errors,
    };
    Ok((status, wait, render(&page)).into_response())
}
