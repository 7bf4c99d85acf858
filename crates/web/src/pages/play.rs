//! Play and new things together: the idea deck with private marks, the couple's own ideas,
//! matches, plans and "how was it?" afterwards.
//!
//! Marks are private. A page shows a person their own marks and the couple's matches, and
//! nothing else: no page can tell a partner's "not for me" from no mark at all. Only the person
//! whose mark makes a match hears "It's a match!" (by a one-time flash), and both see it among
//! the matches.

use super::{FormErrors, Layout, parse_id};
use crate::AppState;
use crate::auth::{CsrfForm, CsrfToken, SignedIn};
use crate::error::{PageError, render};
use crate::flash::{self, Shown};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use tend_domain::Error;
use tend_domain::couple::Us;
use tend_domain::ids::{OwnIdeaId, PlanId, UserId};
use tend_domain::photo::{self, CAPTION_MAX, MAX_UPLOAD_BYTES, Upload};
use tend_domain::play::{
    self, AfterwardsForm, Cost, Energy, Feeling, Filter, Idea, IdeaView, Length, Mark, OwnIdeaForm, Place, PlanForm,
    PlanStage, PlanView, Season,
};
use tend_domain::store::photos::PhotoKind;

/// Ideas shown on one page of the list: enough to browse, short enough for a phone.
pub const PER_PAGE: usize = 20;
/// Past plans shown on the matches page.
const PAST_SHOWN: usize = 12;
/// The flash that carries "It's a match!" to the page the marker lands on.
const MATCH_FLASH: &str = "play-match";
/// The query fields that choose a filter; a visit with none of them gets the default one.
const FILTER_FIELDS: [&str; 8] = ["f", "place", "cost", "length", "energy", "season", "new", "unmarked"];

/// A short confirmation after a redirect, by a fixed key so no text from the URL is echoed.
fn notice(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "marked" => "Noted, privately. Only ideas you both like show up as matches.",
        "cleared" => "Your mark is cleared.",
        "idea-added" => "Your idea is added. Only you can see it until you suggest it.",
        "suggested" => "Suggested. Your partner can see it now, and mark it too.",
        "proposed" => "Proposed. It’s a plan once your partner says yes.",
        "accepted" => "It’s a plan! It’s on both your lists now.",
        "cancelled" => "Called off. No harm done.",
        "declined" => "Not this time. You can pick another time together whenever you like.",
        "afterwards" => "Saved. Thank you for saying how it was.",
        _ => return None,
    })
}

/// The tabs above every play page; the counts change live.
pub struct Tabs {
    /// ideas or matches.
    pub active: &'static str,
    pub matches: usize,
    /// Plans waiting for the viewer: a yes, or "how was it?".
    pub waiting: usize,
}

/// One idea as a card.
pub struct IdeaCard {
    pub key: String,
    pub title: String,
    pub detail: String,
    pub tags: Vec<&'static str>,
    pub new: bool,
    /// The viewer's own mark (`yes`, `maybe`, `not-for-me`), empty when none.
    pub mark: &'static str,
    pub matched: bool,
    /// For the couple's own ideas: `private` (yours, not suggested yet), `shared` (yours,
    /// suggested) or `theirs` (the partner suggested it); empty for Tend's deck.
    pub own: &'static str,
    /// The own idea's number, for its "suggest" form.
    pub own_id: String,
    /// Where the page goes back to after a mark on this card (an element id).
    pub then: String,
}

impl IdeaCard {
    fn of(idea: &Idea, mark: Option<Mark>, matched: bool, me: UserId) -> Self {
        let mut tags = vec![idea.place.label(), idea.cost.label(), idea.length.label(), idea.energy.label()];
        tags.extend(idea.seasons.iter().map(|s| s.label()));
        let own = match idea.added_by {
            None => "",
            Some(by) if by != me => "theirs",
            Some(_) if idea.shared => "shared",
            Some(_) => "private",
        };
        Self {
            key: idea.id.clone(),
            title: idea.title.clone(),
            detail: idea.detail.clone(),
            tags,
            new: idea.new,
            mark: mark.map_or("", Mark::as_str),
            matched,
            own,
            own_id: idea.id.strip_prefix("own-").unwrap_or_default().to_owned(),
            then: format!("idea-{}", idea.id),
        }
    }

    fn from_view(v: &IdeaView, me: UserId) -> Self {
        Self::of(&v.idea, v.my_mark, v.matched, me)
    }
}

/// A select of the filter form.
pub struct Select {
    pub name: &'static str,
    pub label: &'static str,
    pub choices: Vec<(&'static str, &'static str)>,
    pub chosen: &'static str,
}

fn select<T: Copy>(
    name: &'static str,
    label: &'static str,
    all: &[T],
    chosen: Option<T>,
    key: fn(T) -> &'static str,
    text: fn(T) -> &'static str,
) -> Select {
    Select { name, label, choices: all.iter().map(|t| (key(*t), text(*t))).collect(), chosen: chosen.map_or("", key) }
}

fn selects(filter: &Filter) -> Vec<Select> {
    vec![
        select("place", "Where", Place::ALL, filter.place, Place::as_str, Place::label),
        select("cost", "Cost", Cost::ALL, filter.cost, Cost::as_str, Cost::label),
        select("length", "How long", Length::ALL, filter.length, Length::as_str, Length::label),
        select("energy", "Energy", Energy::ALL, filter.energy, Energy::as_str, Energy::label),
        select("season", "Season", Season::ALL, filter.season, Season::as_str, Season::label),
    ]
}

/// The filter as query fields (always with `f=1`, so "not marked yet" unticked stays so).
fn filter_query(filter: &Filter) -> Vec<(&'static str, &'static str)> {
    let mut q = vec![("f", "1")];
    let tags = [
        ("place", filter.place.map(Place::as_str)),
        ("cost", filter.cost.map(Cost::as_str)),
        ("length", filter.length.map(Length::as_str)),
        ("energy", filter.energy.map(Energy::as_str)),
        ("season", filter.season.map(Season::as_str)),
    ];
    q.extend(tags.into_iter().filter_map(|(k, v)| Some((k, v?))));
    if filter.new {
        q.push(("new", "1"));
    }
    if filter.unmarked {
        q.push(("unmarked", "1"));
    }
    q
}

fn encode(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "play/ideas.html")]
pub struct IdeasPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    /// The idea a mark of the viewer's just made a match of.
    pub matched_now: Option<String>,
    pub tabs: Tabs,
    pub selects: Vec<Select>,
    pub new_only: bool,
    pub unmarked: bool,
    pub filter_open: bool,
    pub filter_error: Option<String>,
    pub cards: Vec<IdeaCard>,
    pub total: usize,
    pub first: usize,
    pub last: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// This page's address, for the mark forms to come back to.
    pub back: String,
    pub marks: Vec<(&'static str, &'static str)>,
}

async fn tabs(state: &AppState, me: &SignedIn, active: &'static str) -> Result<Tabs, PageError> {
    let (_, matches) = play::matches(&state.ctx, &me.0.user).await?;
    let (_, plans) = play::plans(&state.ctx, &me.0.user).await?;
    Ok(Tabs { active, matches: matches.len(), waiting: plans.iter().filter(|p| waits_for_me(p)).count() })
}

/// A plan that needs the viewer: their yes, or their "how was it?".
fn waits_for_me(p: &PlanView) -> bool {
    p.awaits_me() || (p.stage == PlanStage::Happened && p.mine.is_none())
}

/// The title of the match the flash names, if it is still a match (the page then clears it).
async fn matched_now(state: &AppState, me: &SignedIn, headers: &HeaderMap) -> Result<Option<String>, PageError> {
    let Some(shown) = flash::peek(headers, MATCH_FLASH) else { return Ok(None) };
    let Some(key) = shown.parts.first() else { return Ok(None) };
    let (_, matches) = play::matches(&state.ctx, &me.0.user).await?;
    Ok(matches.into_iter().find(|(idea, _)| idea.id == *key).map(|(idea, _)| idea.title))
}

fn finish(state: &AppState, mut response: Response, flashed: bool, status: StatusCode) -> Response {
    if flashed {
        flash::clear(state, &mut response);
    }
    *response.status_mut() = status;
    response
}

/// `GET /play`: the ideas, filtered, twenty at a time.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let chosen = FILTER_FIELDS.iter().any(|f| q.contains_key(*f));
    let (filter, filter_error) = match Filter::parse(&q) {
        Ok(filter) if chosen => (filter, None),
        // A first visit: what is still to discover.
        Ok(_) => (Filter { unmarked: true, ..Filter::default() }, None),
        Err(Error::Invalid(fields)) => {
            let message = fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join(" ");
            (Filter::default(), Some(format!("That filter didn’t fit: {message} Showing every idea instead.")))
        }
        Err(e) => return Err(e.into()),
    };
    let (us, views) = play::ideas(&state.ctx, &me.0.user, &filter).await?;
    let total = views.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = q.get("page").and_then(|p| p.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let start = (page - 1) * PER_PAGE;
    let shown: Vec<&IdeaView> = views.iter().skip(start).take(PER_PAGE).collect();
    let mut cards: Vec<IdeaCard> = shown.iter().map(|v| IdeaCard::from_view(v, us.me.id)).collect();
    if filter.unmarked {
        // A marked card leaves this list: come back to the one after it.
        let thens: Vec<String> =
            cards.iter().skip(1).map(|c| c.then.clone()).chain(std::iter::once("ideas".to_owned())).collect();
        for (card, then) in cards.iter_mut().zip(thens) {
            card.then = then;
        }
    }
    let query = filter_query(&filter);
    let at_page = |n: usize| {
        let n = n.to_string();
        let mut fields: Vec<(&str, &str)> = query.clone();
        fields.push(("page", &n));
        format!("/play?{}#ideas", encode(&fields))
    };
    let mut here: Vec<(&str, &str)> = query.clone();
    let page_text = page.to_string();
    if page > 1 {
        here.push(("page", &page_text));
    }
    let back = if chosen || page > 1 { format!("/play?{}", encode(&here)) } else { "/play".to_owned() };
    let flashed = flash::peek(&headers, MATCH_FLASH).is_some();
    let page_view = IdeasPage {
        layout: Layout::new(Some(&me.0), &csrf, "practices"),
        partner: us.partner.display_name.clone(),
        notice: notice(q.get("done").map(String::as_str)),
        matched_now: matched_now(&state, &me, &headers).await?,
        tabs: tabs(&state, &me, "ideas").await?,
        selects: selects(&filter),
        new_only: filter.new,
        unmarked: filter.unmarked,
        filter_open: filter_error.is_some()
            || filter.place.is_some()
            || filter.cost.is_some()
            || filter.length.is_some()
            || filter.energy.is_some()
            || filter.season.is_some()
            || filter.new,
        filter_error: filter_error.clone(),
        cards,
        total,
        first: if total == 0 { 0 } else { start + 1 },
        last: (start + PER_PAGE).min(total),
        prev: (page > 1).then(|| at_page(page - 1)),
        next: (page < pages).then(|| at_page(page + 1)),
        back,
        marks: Mark::ALL.iter().map(|m| (m.as_str(), m.label())).collect(),
    };
    let status = if filter_error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok(finish(&state, render(&page_view), flashed, status))
}

#[derive(Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    mark: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    then: String,
}

/// Where a form goes back to: `/play` or `/play/matches` with the query it had (without an old
/// `done`), and `done` set; anything else is `/play`.
fn back_with(raw: &str, done: &str, anchor: &str) -> String {
    let (path, query) = raw.split_once('?').unwrap_or((raw, ""));
    let query = query.split('#').next().unwrap_or_default();
    let path = if path == "/play/matches" { "/play/matches" } else { "/play" };
    let mut fields: Vec<(String, String)> =
        if raw.starts_with("/play") { serde_urlencoded::from_str(query).unwrap_or_default() } else { Vec::new() };
    fields.retain(|(k, _)| k != "done" && (k == "page" || FILTER_FIELDS.contains(&k.as_str())));
    fields.push(("done".into(), done.into()));
    let anchor: String = anchor.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(120).collect();
    let anchor = if anchor.is_empty() { "ideas".to_owned() } else { anchor };
    format!("{path}?{}#{anchor}", serde_urlencoded::to_string(&fields).unwrap_or_default())
}

/// `POST /play/ideas/{id}/mark`: yes, maybe, not for me, or clear.
pub async fn mark(
    State(state): State<AppState>,
    me: SignedIn,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Result<Response, PageError> {
    let mark = match form.mark.trim() {
        "clear" => None,
        raw => Some(Mark::parse(raw).ok_or_else(|| {
            PageError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That didn’t work",
                "Please choose Yes, Maybe or Not for me.",
            )
        })?),
    };
    let (_, change) = play::mark(&state.ctx, &me.0.user, &key, mark).await?;
    let new_match = !change.was_match && change.is_match;
    let done = match (new_match, mark) {
        (true, _) => "matched",
        (false, None) => "cleared",
        (false, Some(_)) => "marked",
    };
    let mut response = Redirect::to(&back_with(&form.back, done, &form.then)).into_response();
    if new_match {
        flash::put(&state, &mut response, &Shown { kind: MATCH_FLASH.into(), parts: vec![key] });
    }
    Ok(response)
}

#[derive(Template)]
#[template(path = "play/new.html")]
pub struct NewIdeaPage {
    pub layout: Layout,
    pub partner: String,
    pub form: OwnIdeaForm,
    pub errors: FormErrors,
    pub selects: Vec<Select>,
    pub title_max: usize,
    pub detail_max: usize,
}

fn own_selects(form: &OwnIdeaForm) -> Vec<Select> {
    fn pick<T: Copy>(raw: &str, default: T, parse: fn(&str) -> Option<T>) -> Option<T> {
        Some(parse(raw).unwrap_or(default))
    }
    vec![
        select("place", "Where", Place::ALL, pick(&form.place, Place::Home, Place::parse), Place::as_str, Place::label),
        select("cost", "Cost", Cost::ALL, pick(&form.cost, Cost::Free, Cost::parse), Cost::as_str, Cost::label),
        select(
            "length",
            "How long",
            Length::ALL,
            pick(&form.length, Length::Evening, Length::parse),
            Length::as_str,
            Length::label,
        ),
        select(
            "energy",
            "Energy",
            Energy::ALL,
            pick(&form.energy, Energy::Calm, Energy::parse),
            Energy::as_str,
            Energy::label,
        ),
    ]
}

fn new_idea_page(me: &SignedIn, csrf: &CsrfToken, us: &Us, form: OwnIdeaForm, errors: FormErrors) -> Response {
    let status = errors.status;
    let page = NewIdeaPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        selects: own_selects(&form),
        form,
        errors,
        title_max: play::TITLE_MAX,
        detail_max: play::DETAIL_MAX,
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    response
}

/// `GET /play/ideas/new`.
pub async fn new_form(State(state): State<AppState>, me: SignedIn, csrf: CsrfToken) -> Result<Response, PageError> {
    let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
    Ok(new_idea_page(&me, &csrf, &us, OwnIdeaForm::default(), FormErrors::default()))
}

/// `POST /play/ideas`: an idea of one's own, private until suggested.
pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<OwnIdeaForm>,
) -> Result<Response, PageError> {
    match play::add_own_idea(&state.ctx, &me.0.user, &form).await {
        Ok(idea) => Ok(Redirect::to(&format!("/play?done=idea-added#idea-{}", idea.id)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let us = tend_domain::couple::us(&state.ctx, &me.0.user).await?;
            Ok(new_idea_page(&me, &csrf, &us, form, errors))
        }
    }
}

/// `POST /play/own/{id}/share`: suggests one's own idea to the partner.
pub async fn share(State(state): State<AppState>, me: SignedIn, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: OwnIdeaId = parse_id(&id)?;
    let idea = play::share_own_idea(&state.ctx, &me.0.user, id).await?;
    Ok(Redirect::to(&format!("/play?f=1&done=suggested#idea-{}", idea.id)).into_response())
}

/// How one partner felt afterwards, as shown.
pub struct FeelingShown {
    pub emoji: &'static str,
    pub label: &'static str,
    pub note: String,
    /// A photo's id, kept in Our memories.
    pub photo: Option<String>,
}

impl FeelingShown {
    fn of(a: &play::Afterwards) -> Self {
        Self {
            emoji: a.feeling.emoji(),
            label: a.feeling.label(),
            note: a.note.clone(),
            photo: a.photo.as_ref().map(|p| p.as_str().to_owned()),
        }
    }
}

/// A plan as a row of the lists.
pub struct PlanRow {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub by_me: bool,
    pub awaits_me: bool,
    /// proposed, upcoming, happened, lapsed or cancelled.
    pub stage: &'static str,
    pub mine: Option<FeelingShown>,
    pub theirs: Option<FeelingShown>,
}

impl PlanRow {
    fn of(p: &PlanView) -> Self {
        Self {
            id: p.id.0,
            title: p.idea.title.clone(),
            when: p.when.clone(),
            by_me: p.by_me,
            awaits_me: p.awaits_me(),
            stage: p.stage.as_str(),
            mine: p.mine.as_ref().map(FeelingShown::of),
            theirs: p.theirs.as_ref().map(FeelingShown::of),
        }
    }
}

/// A match with its "Plan it" form.
pub struct MatchCard {
    pub card: IdeaCard,
    pub date: String,
    pub time: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "play/matches.html")]
pub struct MatchesPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub matched_now: Option<String>,
    pub tabs: Tabs,
    pub matches: Vec<MatchCard>,
    /// A refusal that belongs to no match on the page (it is no match).
    pub plan_error: Option<String>,
    pub waiting_for_me: Vec<PlanRow>,
    pub waiting_for_them: Vec<PlanRow>,
    pub upcoming: Vec<PlanRow>,
    pub how_was_it: Vec<PlanRow>,
    pub past: Vec<PlanRow>,
    pub missed: Vec<PlanRow>,
    pub today: String,
}

/// A proposal the page shows again: the form as typed, and why it was refused.
struct Typed {
    form: PlanForm,
    errors: FormErrors,
}

async fn matches_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    headers: &HeaderMap,
    done: Option<&str>,
    typed: Option<Typed>,
) -> Result<Response, PageError> {
    let (us, matches) = play::matches(&state.ctx, &me.0.user).await?;
    let (_, plans) = play::plans(&state.ctx, &me.0.user).await?;
    let flashed = flash::peek(headers, MATCH_FLASH).is_some();
    let mut status = StatusCode::OK;
    let mut typed = typed;
    let mut cards = Vec::new();
    for (idea, _) in &matches {
        let mut card = MatchCard {
            card: IdeaCard::of(idea, None, true, us.me.id),
            date: String::new(),
            time: "19:00".to_owned(),
            errors: FormErrors::default(),
        };
        if typed.as_ref().is_some_and(|t| t.form.idea.trim() == idea.id)
            && let Some(t) = typed.take()
        {
            status = t.errors.status;
            card.date = t.form.date;
            card.time = t.form.time;
            card.errors = t.errors;
        }
        cards.push(card);
    }
    let plan_error = typed.map(|t| {
        status = t.errors.status;
        t.errors.general.unwrap_or_else(|| "Please check the date and time.".to_owned())
    });
    let rows = |keep: &dyn Fn(&PlanView) -> bool| plans.iter().filter(|p| keep(p)).map(PlanRow::of).collect();
    let mut waiting_for_me: Vec<PlanRow> = rows(&|p| p.awaits_me());
    let mut waiting_for_them: Vec<PlanRow> = rows(&|p| p.stage == PlanStage::Proposed && p.by_me);
    let mut upcoming: Vec<PlanRow> = rows(&|p| p.stage == PlanStage::Upcoming);
    // Soonest first for what is still to come; the store gives latest first.
    waiting_for_me.reverse();
    waiting_for_them.reverse();
    upcoming.reverse();
    let page = MatchesPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        notice: notice(done),
        matched_now: matched_now(state, me, headers).await?,
        tabs: Tabs {
            active: "matches",
            matches: matches.len(),
            waiting: plans.iter().filter(|p| waits_for_me(p)).count(),
        },
        matches: cards,
        plan_error,
        waiting_for_me,
        waiting_for_them,
        upcoming,
        how_was_it: rows(&|p| p.stage == PlanStage::Happened && p.mine.is_none()),
        past: plans
            .iter()
            .filter(|p| p.stage == PlanStage::Happened && p.mine.is_some())
            .take(PAST_SHOWN)
            .map(PlanRow::of)
            .collect(),
        missed: plans
            .iter()
            .filter(|p| matches!(p.stage, PlanStage::Lapsed | PlanStage::Cancelled))
            .take(PAST_SHOWN)
            .map(PlanRow::of)
            .collect(),
        today: us.me.time_zone.today(state.ctx.now()).strftime("%Y-%m-%d").to_string(),
    };
    Ok(finish(state, render(&page), flashed, status))
}

#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /play/matches`: the matches, each with "Plan it", and every plan by where it stands.
pub async fn matches(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    matches_page(&state, &me, &csrf, &headers, q.done.as_deref(), None).await
}

/// `POST /play/plans`: proposes a time for a match.
pub async fn propose(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Result<Response, PageError> {
    match play::propose(&state.ctx, &me.0.user, &form).await {
        Ok((_, plan)) => Ok(Redirect::to(&format!("/play/matches?done=proposed#plan-{}", plan.id)).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            matches_page(&state, &me, &csrf, &headers, None, Some(Typed { form, errors })).await
        }
    }
}

#[derive(Template)]
#[template(path = "play/plan.html")]
pub struct PlanPage {
    pub layout: Layout,
    pub partner: String,
    pub notice: Option<&'static str>,
    pub tabs: Tabs,
    pub plan: PlanRow,
    pub detail: String,
    pub tags: Vec<&'static str>,
    pub can_cancel: bool,
    pub can_say: bool,
    pub feeling: String,
    pub note: String,
    pub errors: FormErrors,
    pub feelings: Vec<(&'static str, &'static str, &'static str)>,
    pub note_max: usize,
}

async fn plan_page(
    state: &AppState,
    me: &SignedIn,
    csrf: &CsrfToken,
    id: PlanId,
    done: Option<&str>,
    typed: Option<(AfterwardsForm, FormErrors)>,
) -> Result<Response, PageError> {
    let (us, plan) = play::plan(&state.ctx, &me.0.user, id).await?;
    let card = IdeaCard::of(&plan.idea, None, false, us.me.id);
    let (form, errors) = typed.unwrap_or_else(|| {
        let form = AfterwardsForm {
            feeling: plan.mine.as_ref().map(|m| m.feeling.as_str().to_owned()).unwrap_or_default(),
            note: plan.mine.as_ref().map(|m| m.note.clone()).unwrap_or_default(),
        };
        (form, FormErrors::default())
    });
    let status = errors.status;
    let page = PlanPage {
        layout: Layout::new(Some(&me.0), csrf, "practices"),
        partner: us.partner.display_name.clone(),
        notice: notice(done),
        tabs: tabs(state, me, "").await?,
        detail: card.detail,
        tags: card.tags,
        can_cancel: matches!(plan.stage, PlanStage::Proposed | PlanStage::Upcoming),
        can_say: plan.stage == PlanStage::Happened,
        plan: PlanRow::of(&plan),
        feeling: form.feeling,
        note: form.note,
        errors,
        feelings: Feeling::ALL.iter().map(|f| (f.as_str(), f.emoji(), f.label())).collect(),
        note_max: play::NOTE_MAX,
    };
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /play/plans/{id}`.
pub async fn show_plan(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    plan_page(&state, &me, &csrf, parse_id(&id)?, q.done.as_deref(), None).await
}

#[derive(Deserialize)]
pub struct PlanActionForm {
    /// `plan` to come back to the plan's page; the matches page otherwise.
    #[serde(default)]
    from: String,
}

fn after_plan(from: &str, id: PlanId, done: &str) -> Redirect {
    if from == "plan" {
        Redirect::to(&format!("/play/plans/{id}?done={done}"))
    } else {
        Redirect::to(&format!("/play/matches?done={done}#plans"))
    }
}

/// `POST /play/plans/{id}/accept`: the partner who did not propose it says yes.
pub async fn accept(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PlanActionForm>,
) -> Result<Response, PageError> {
    let id: PlanId = parse_id(&id)?;
    play::accept(&state.ctx, &me.0.user, id).await?;
    Ok(after_plan(&form.from, id, "accepted").into_response())
}

/// `POST /play/plans/{id}/cancel`: calls a plan off, or says "not this time" to a proposal.
pub async fn cancel(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PlanActionForm>,
) -> Result<Response, PageError> {
    let id: PlanId = parse_id(&id)?;
    let (_, before) = play::plan(&state.ctx, &me.0.user, id).await?;
    play::cancel(&state.ctx, &me.0.user, id).await?;
    let done = if before.awaits_me() { "declined" } else { "cancelled" };
    Ok(after_plan(&form.from, id, done).into_response())
}

/// The "how was it?" form's fields, read in order: the CSRF token comes before the photo, so
/// a forged form is refused before a byte of the photo is kept (as `show_and_tell::upload`).
struct AfterwardsUpload {
    form: AfterwardsForm,
    photo: Option<Vec<u8>>,
}

enum UploadProblem {
    Forged,
    TooLarge,
    Unreadable,
}

async fn read_afterwards(mut multipart: Multipart, csrf: &CsrfToken) -> Result<AfterwardsUpload, UploadProblem> {
    let mut read = AfterwardsUpload { form: AfterwardsForm::default(), photo: None };
    let mut checked = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| UploadProblem::Unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            if !checked {
                return Err(UploadProblem::Forged);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| UploadProblem::TooLarge)? {
                if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                    // Drop the rest within the route's body limit, so the browser hears why.
                    while let Ok(Some(_)) = field.chunk().await {}
                    return Err(UploadProblem::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            read.photo = Some(bytes).filter(|b| !b.is_empty());
            continue;
        }
        let text = field.text().await.map_err(|_| UploadProblem::Unreadable)?;
        match name.as_str() {
            "csrf" => checked = crate::auth::csrf_matches(&text, csrf),
            "feeling" => read.form.feeling = text,
            "note" => read.form.note = text,
            _ => {}
        }
    }
    if !checked {
        return Err(UploadProblem::Forged);
    }
    Ok(read)
}

/// A photo's caption from the note (one line, cut to fit) or else the idea's title.
fn caption_of(note: &str, title: &str) -> String {
    let line = note.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = if line.is_empty() { title.split_whitespace().collect::<Vec<_>>().join(" ") } else { line };
    line.chars().filter(|c| !c.is_control()).take(CAPTION_MAX).collect()
}

/// `POST /play/plans/{id}/afterwards` (multipart): how it was, with an optional photo that is
/// kept in Our memories first.
pub async fn afterwards(
    State(state): State<AppState>,
    me: SignedIn,
    csrf: CsrfToken,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, PageError> {
    let id: PlanId = parse_id(&id)?;
    let multipart = multipart.map_err(|_| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "That didn’t work",
            "Please go back and use the form on the plan’s page.",
        )
    })?;
    // Wait for a place before reading the body (see `uploads`).
    let _place = crate::uploads::admit(&state.uploads).await?;
    let read = match read_afterwards(multipart, &csrf).await {
        Ok(read) => read,
        Err(UploadProblem::Forged) => return Err(crate::auth::csrf_refused()),
        Err(UploadProblem::TooLarge) => {
            return Err(PageError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "That photo is too large",
                "Tend takes photos up to 20 MB. Please go back and choose a smaller one.",
            ));
        }
        Err(UploadProblem::Unreadable) => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "That upload didn’t arrive whole",
                "Please go back and try again.",
            ));
        }
    };
    let again = |e: Error, form: AfterwardsForm| async {
        let errors = FormErrors::from_error(e)?;
        plan_page(&state, &me, &csrf, id, None, Some((form, errors))).await
    };
    // Check first, so a photo is kept only for a "how was it?" that will be saved.
    if let Err(e) = play::check_afterwards(&state.ctx, &me.0.user, id, &read.form).await {
        return again(e, read.form).await;
    }
    let mut kept = None;
    if let Some(bytes) = read.photo {
        let (_, plan) = play::plan(&state.ctx, &me.0.user, id).await?;
        let upload = Upload { bytes, caption: caption_of(&read.form.note, &plan.idea.title), kind: PhotoKind::Memory };
        match photo::upload(&state.ctx, &me.0.user, upload).await {
            Ok(photo) => kept = Some(photo.id),
            Err(e) => return again(e, read.form).await,
        }
    }
    match play::afterwards(&state.ctx, &me.0.user, id, &read.form, kept.clone()).await {
        Ok(_) => Ok(Redirect::to(&format!("/play/plans/{id}?done=afterwards#afterwards")).into_response()),
        Err(e) => {
            if let Some(photo) = &kept {
                // Not saved after all: the photo came only for it.
                let _ = photo::delete(&state.ctx, &me.0.user, photo).await;
            }
            again(e, read.form).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_stays_on_the_play_pages() {
        assert_eq!(back_with("/play", "marked", "idea-x"), "/play?done=marked#idea-x");
        assert_eq!(
            back_with("/play?f=1&place=home&page=2&done=old", "marked", "ideas"),
            "/play?f=1&place=home&page=2&done=marked#ideas"
        );
        assert_eq!(back_with("/play/matches", "marked", ""), "/play/matches?done=marked#ideas");
        for odd in ["https://elsewhere.example/", "//elsewhere.example", "/settings?f=1", "/play/../settings"] {
            assert!(back_with(odd, "marked", "x").starts_with("/play?done=marked"), "{odd}");
        }
        assert_eq!(back_with("/play?evil=%0d%0aSet-Cookie:x", "marked", "a\r\nb"), "/play?done=marked#ab");
    }

    #[test]
    fn a_caption_is_one_line_that_fits() {
        assert_eq!(caption_of("  So\nmuch fun  ", "Title"), "So much fun");
        assert_eq!(caption_of("", "Learn backgammon"), "Learn backgammon");
        assert_eq!(caption_of(&"é".repeat(600), "t").chars().count(), CAPTION_MAX);
    }
}
