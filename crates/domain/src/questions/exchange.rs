//! Answering questions together: each partner answers (or passes) privately; when both have
//! answered, both see both; then each responds to the other's answer, and the one who shared
//! rates, privately, how understood, accepted and cared for they felt. Completed exchanges
//! (both answered, both responded) move the couple along the [`ladder`](crate::questions::ladder).
//!
//! **The reveal rule** ([`reveal`]): you see your partner's answer only once you have answered
//! the same question yourself. A pass needs no reason and costs nothing, but it is not an
//! answer: while you have passed, your partner's answer stays with them (you may still answer
//! later), and before you answer you cannot tell whether your partner answered or passed.

use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::ids::{ExchangeId, UserId};
use crate::questions::ladder::{Ladder, LadderRules, LadderView, Seat};
use crate::questions::{self, IntimacyType, Question, Tone};
use crate::store::{NewAnswerRecord, StoredLadder, User};
use jiff::Timestamp;
use jiff::civil::Date;

pub const ANSWER_MAX: usize = 1000;
pub const REPLY_WORDS_MAX: usize = 280;
pub const RULES: LadderRules = LadderRules { exchanges_before_asking: 7, deepest: 3 };

/// How the one who shared felt about the partner's response, 1–7 each; theirs alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Felt {
    pub understood: u8,
    pub accepted: u8,
    pub cared_for: u8,
}

impl Felt {
    pub fn parse(understood: i64, accepted: i64, cared_for: i64) -> Result<Self> {
        let ok = |n: i64| u8::try_from(n).ok().filter(|n| (1..=7).contains(n));
        match (ok(understood), ok(accepted), ok(cared_for)) {
            (Some(understood), Some(accepted), Some(cared_for)) => Ok(Self { understood, accepted, cared_for }),
            _ => Err(Error::field("felt", "Please choose from 1 to 7 for each.")),
        }
    }
}

/// One partner's part of an exchange, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub author: UserId,
    pub body: String,
    pub passed: bool,
    pub answered_at: Timestamp,
    /// This partner's response to the *other's* answer.
    pub reply_id: Option<String>,
    pub reply_words: String,
    pub responded_at: Option<Timestamp>,
    /// How this partner felt about the other's response to *their* answer.
    pub felt: Option<Felt>,
    pub favorite: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub id: ExchangeId,
    pub question_id: String,
    pub depth: u8,
    pub created_at: Timestamp,
    pub completed_at: Option<Timestamp>,
    pub answers: Vec<Answer>,
}

impl Exchange {
    fn part(&self, who: UserId) -> Option<&Answer> {
        self.answers.iter().find(|a| a.author == who)
    }

    /// Both answered (no pass) and both responded.
    pub fn is_complete(&self) -> bool {
        self.answers.len() == 2 && self.answers.iter().all(|a| !a.passed && a.responded_at.is_some())
    }
}

/// What one partner may see of the other's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartnerAnswer {
    /// The partner hasn't answered.
    NotYet,
    /// The partner has answered or passed; answer to see which, and what.
    WaitingForYou,
    /// You passed: their answer stays with them unless you answer.
    YouPassed,
    /// They passed, without a reason needed.
    Passed,
    Revealed(SharedAnswer),
}

/// What a partner may see of the other's answer once it is revealed: the words and the
/// response to mine, and nothing private (how they felt, whether they keep it as a favourite).
/// It is its own type, so no page or API response can show those by accident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedAnswer {
    pub author: UserId,
    pub body: String,
    pub answered_at: Timestamp,
    /// Their response to *my* answer.
    pub reply_id: Option<String>,
    pub reply_words: String,
    pub responded_at: Option<Timestamp>,
}

impl SharedAnswer {
    fn of(a: &Answer) -> Self {
        Self {
            author: a.author,
            body: a.body.clone(),
            answered_at: a.answered_at,
            reply_id: a.reply_id.clone(),
            reply_words: a.reply_words.clone(),
            responded_at: a.responded_at,
        }
    }
}

impl PartnerAnswer {
    /// The state's name, as pages and the API show it.
    pub fn as_str(&self) -> &'static str {
        match self {
            PartnerAnswer::NotYet => "not_yet",
            PartnerAnswer::WaitingForYou => "waiting_for_you",
            PartnerAnswer::YouPassed => "you_passed",
            PartnerAnswer::Passed => "passed",
            PartnerAnswer::Revealed(_) => "revealed",
        }
    }

    /// The partner's answer, only when revealed.
    pub fn revealed_body(&self) -> Option<&str> {
        match self {
            PartnerAnswer::Revealed(t) => Some(&t.body),
            _ => None,
        }
    }
}

/// The reveal rule, in one place.
pub fn reveal(mine: Option<&Answer>, theirs: Option<&Answer>) -> PartnerAnswer {
    match (mine, theirs) {
        (_, None) => PartnerAnswer::NotYet,
        (None, Some(_)) => PartnerAnswer::WaitingForYou,
        (Some(m), Some(_)) if m.passed => PartnerAnswer::YouPassed,
        (Some(_), Some(t)) if t.passed => PartnerAnswer::Passed,
        (Some(_), Some(t)) => PartnerAnswer::Revealed(SharedAnswer::of(t)),
    }
}

/// An exchange as one partner may see it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub question: &'static Question,
    pub exchange_id: Option<ExchangeId>,
    /// Deeper than the couple's level: it opens when both are ready.
    pub locked: bool,
    pub mine: Option<Answer>,
    pub partner: PartnerAnswer,
    /// The partner's response to my answer, once given (only possible after the reveal).
    pub response_to_me: Option<(Option<&'static questions::Reply>, String)>,
    pub complete: bool,
    pub created_at: Option<Timestamp>,
}

impl Seen {
    /// none, answered or passed.
    pub fn my_state(&self) -> &'static str {
        match &self.mine {
            None => "none",
            Some(m) if m.passed => "passed",
            Some(_) => "answered",
        }
    }

    pub fn revealed(&self) -> bool {
        matches!(self.partner, PartnerAnswer::Revealed(_)) && self.mine.as_ref().is_some_and(|m| !m.passed)
    }

    pub fn may_respond(&self) -> bool {
        self.revealed()
    }

    pub fn may_rate(&self) -> bool {
        self.response_to_me.is_some()
    }
}

fn seen(us: &Us, question: &'static Question, exchange: Option<&Exchange>, ladder: &Ladder) -> Seen {
    let mine = exchange.and_then(|e| e.part(us.me.id)).cloned();
    let theirs = exchange.and_then(|e| e.part(us.partner.id));
    let partner = reveal(mine.as_ref(), theirs);
    let response_to_me = match &partner {
        PartnerAnswer::Revealed(t) if t.responded_at.is_some() => {
            let reply = t.reply_id.as_deref().and_then(questions::reply);
            Some((reply, t.reply_words.clone()))
        }
        _ => None,
    };
    Seen {
        question,
        exchange_id: exchange.map(|e| e.id),
        locked: question.depth > ladder.depth,
        mine,
        partner,
        response_to_me,
        complete: exchange.is_some_and(Exchange::is_complete),
        created_at: exchange.map(|e| e.created_at),
    }
}

/// Which seat on the ladder a partner has: the couple's member with the smaller id is first.
fn seat(us: &Us) -> Seat {
    if us.me.id < us.partner.id { Seat::First } else { Seat::Second }
}

async fn ladder_of(ctx: &Ctx, us: &Us) -> Result<(Ladder, i64)> {
    let stored = ctx.store.ladder(us.couple_id).await?;
    Ok((Ladder::from_parts(stored.depth, stored.completed, stored.ready, RULES), stored.version))
}

/// Applies a ladder change against the stored version, retrying on a concurrent change.
async fn change_ladder(ctx: &Ctx, us: &Us, change: impl Fn(&mut Ladder) -> Result<()>) -> Result<Ladder> {
    for _ in 0..5 {
        let (mut ladder, version) = ladder_of(ctx, us).await?;
        let before = ladder;
        change(&mut ladder)?;
        if ladder == before {
            return Ok(ladder);
        }
        let stored = StoredLadder { depth: ladder.depth, completed: ladder.completed, ready: ladder.ready(), version };
        if ctx.store.save_ladder(us.couple_id, &stored).await? {
            if ladder.depth != before.depth {
                ctx.notify(us.couple_id, EventKind::Question).await;
            }
            return Ok(ladder);
        }
    }
    Err(Error::rejected("Your partner changed something at the same moment. Please try again."))
}

pub async fn ladder(ctx: &Ctx, me: &User) -> Result<LadderView> {
    let us = couple::us(ctx, me).await?;
    Ok(ladder_of(ctx, &us).await?.0.seen_by(seat(&us), RULES))
}

/// "Ready to go a little deeper?" — yes. Only counts once asked; the next level opens when
/// both have said it. `seen_at` is the level the person was looking at: if it has changed
/// since (a double tap, or the partner's yes opened the next level), nothing more happens.
pub async fn say_ready(ctx: &Ctx, me: &User, seen_at: Option<u8>) -> Result<LadderView> {
    let us = couple::us(ctx, me).await?;
    let me_seat = seat(&us);
    let ladder = change_ladder(ctx, &us, |l| {
        if seen_at.is_some_and(|d| d != l.depth) {
            return Ok(());
        }
        let view = l.seen_by(me_seat, RULES);
        if !view.ask_me && !view.i_said_ready {
            return Err(Error::rejected(if l.depth >= RULES.deepest {
                "You’re already at the deepest level."
            } else {
                "Not yet: a few more questions together at this level first."
            }));
        }
        l.say_ready(me_seat, RULES);
        Ok(())
    })
    .await?;
    Ok(ladder.seen_by(me_seat, RULES))
}

/// "Not yet": takes back a yes, privately.
pub async fn not_yet(ctx: &Ctx, me: &User) -> Result<LadderView> {
    let us = couple::us(ctx, me).await?;
    let me_seat = seat(&us);
    Ok(change_ladder(ctx, &us, |l| {
        l.not_yet(me_seat);
        Ok(())
    })
    .await?
    .seen_by(me_seat, RULES))
}

/// Steps back one level, privately: the partner sees only the new level. With `seen_at`, a
/// second tap (or both partners at once) steps back once, not twice.
pub async fn step_back(ctx: &Ctx, me: &User, seen_at: Option<u8>) -> Result<LadderView> {
    let us = couple::us(ctx, me).await?;
    let ladder = change_ladder(ctx, &us, |l| {
        if seen_at.is_some_and(|d| d != l.depth) {
            return Ok(());
        }
        if l.depth <= 1 {
            return Err(Error::rejected("You’re at the first level already; there’s no step back from here."));
        }
        l.step_back();
        Ok(())
    })
    .await?;
    Ok(ladder.seen_by(seat(&us), RULES))
}

fn question_or_404(id: &str) -> Result<&'static Question> {
    questions::question(id.trim()).ok_or(Error::NotFound)
}

pub async fn view(ctx: &Ctx, me: &User, question_id: &str) -> Result<Seen> {
    let question = question_or_404(question_id)?;
    view_in(ctx, &couple::us(ctx, me).await?, question).await
}

async fn view_in(ctx: &Ctx, us: &Us, question: &'static Question) -> Result<Seen> {
    let (ladder, _) = ladder_of(ctx, us).await?;
    let exchange = ctx.store.exchange(us.couple_id, &question.id).await?;
    Ok(seen(us, question, exchange.as_ref(), &ladder))
}

/// An answer or a pass, as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewAnswer {
    #[serde(default)]
    pub body: String,
    /// Present (any value) to pass.
    #[serde(default)]
    pub pass: Option<String>,
}

/// Answers (or passes on) a question at the couple's level. An answer is final; a pass can
/// later become an answer.
pub async fn answer(ctx: &Ctx, me: &User, question_id: &str, form: &NewAnswer) -> Result<Seen> {
    let question = question_or_404(question_id)?;
    let passed = form.pass.is_some();
    let body = if passed {
        String::new()
    } else {
        let body = crate::text::clean(&form.body, ANSWER_MAX, "your answer").map_err(|e| Error::field("body", e))?;
        if body.is_empty() {
            return Err(Error::field("body", "Write your answer, or pass on this one."));
        }
        body
    };
    let us = couple::us(ctx, me).await?;
    let (ladder, _) = ladder_of(ctx, &us).await?;
    if question.depth > ladder.depth {
        return Err(Error::rejected("This question opens when you’re both ready to go a little deeper."));
    }
    if question.retired && ctx.store.exchange(us.couple_id, &question.id).await?.is_none() {
        // Kept only so answers given before still read; one already begun may be finished.
        return Err(Error::rejected("This question has been taken out of the decks; try another one."));
    }
    let now = ctx.now();
    let exchange_id =
        ctx.store.ensure_exchange(us.couple_id, &question.id, &question.deck, question.depth, now).await?;
    let record = NewAnswerRecord { couple: us.couple_id, author: us.me.id, body, passed, depth: question.depth, now };
    if !ctx.store.save_answer(exchange_id, &record).await? {
        // Either an answer was there already, or a step back closed this depth just now.
        let (ladder, _) = ladder_of(ctx, &us).await?;
        return Err(Error::rejected(if question.depth > ladder.depth {
            "This question opens when you’re both ready to go a little deeper."
        } else {
            "You’ve answered this one already; your answer stays as it is."
        }));
    }
    ctx.notify(us.couple_id, EventKind::Question).await;
    view_in(ctx, &us, question).await
}

/// A response to the partner's answer, as submitted.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewResponse {
    #[serde(default)]
    pub reply_id: Option<String>,
    #[serde(default)]
    pub words: String,
}

/// Responds to the partner's answer with a one-tap reply and/or a few words; responding
/// again replaces it.
pub async fn respond(ctx: &Ctx, me: &User, question_id: &str, form: &NewResponse) -> Result<Seen> {
    let question = question_or_404(question_id)?;
    let reply_id = form.reply_id.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let Some(id) = reply_id
        && !questions::replies_for(question).any(|r| r.id == id)
    {
        return Err(Error::field("reply_id", "Choose one of the replies shown for this question."));
    }
    let words = crate::text::clean(&form.words, REPLY_WORDS_MAX, "your words").map_err(|e| Error::field("words", e))?;
    if reply_id.is_none() && words.is_empty() {
        return Err(Error::field("words", "Choose a reply or write a few words."));
    }
    let us = couple::us(ctx, me).await?;
    let before = view_in(ctx, &us, question).await?;
    let Some(exchange_id) = before.exchange_id.filter(|_| before.may_respond()) else {
        return Err(Error::rejected("You can respond once you have both answered."));
    };
    let now = ctx.now();
    ctx.store.save_response(us.couple_id, exchange_id, us.me.id, reply_id, &words, now).await?;
    let after = view_in(ctx, &us, question).await?;
    if after.complete {
        // Marks it complete once and counts it on the ladder if it is at the couple's level,
        // in one transaction: a completion is never counted twice, nor lost.
        ctx.store.complete_exchange(us.couple_id, exchange_id, question.depth, now).await?;
    }
    ctx.notify(us.couple_id, EventKind::Question).await;
    Ok(after)
}

/// How the caller felt about the partner's response to their answer; private, replaceable.
pub async fn rate(ctx: &Ctx, me: &User, question_id: &str, felt: Felt) -> Result<Seen> {
    let question = question_or_404(question_id)?;
    let us = couple::us(ctx, me).await?;
    let before = view_in(ctx, &us, question).await?;
    let Some(exchange_id) = before.exchange_id.filter(|_| before.may_rate()) else {
        return Err(Error::rejected("You can rate this once your partner has responded to your answer."));
    };
    ctx.store.save_felt(us.couple_id, exchange_id, us.me.id, felt).await?;
    view_in(ctx, &us, question).await
}

/// Keeps an exchange among the caller's favourites (theirs alone).
pub async fn favorite(ctx: &Ctx, me: &User, question_id: &str, on: bool) -> Result<Seen> {
    let question = question_or_404(question_id)?;
    let us = couple::us(ctx, me).await?;
    let before = view_in(ctx, &us, question).await?;
    let Some(exchange_id) = before.exchange_id.filter(|_| before.mine.is_some()) else {
        return Err(Error::rejected("Answer this one first; then you can keep it among your favourites."));
    };
    ctx.store.save_favorite(us.couple_id, exchange_id, us.me.id, on).await?;
    view_in(ctx, &us, question).await
}

/// Which of "our answers" to show.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct OursFilter {
    #[serde(default)]
    pub deck: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub favorites: Option<String>,
}

impl OursFilter {
    /// Whether anything narrows the list: a deck, a type, words or favourites only.
    pub fn is_active(&self) -> bool {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.trim().is_empty());
        set(&self.deck) || set(&self.kind) || set(&self.q) || self.favorites.is_some()
    }
}

pub const SEARCH_MAX: usize = 100;

/// Every exchange the caller has a part in, newest first, filtered by deck, intimacy type,
/// favourites and words. The search looks only at what the caller may see.
pub async fn ours(ctx: &Ctx, me: &User, filter: &OursFilter) -> Result<Vec<Seen>> {
    let deck = filter.deck.as_deref().filter(|d| !d.is_empty());
    if deck.is_some_and(|d| questions::deck(d).is_none()) {
        return Err(Error::field("deck", "There’s no deck by that name."));
    }
    let kind = match filter.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(
            IntimacyType::ALL
                .into_iter()
                .find(|t| t.as_str() == k)
                .ok_or_else(|| Error::field("type", "There’s no intimacy type by that name."))?,
        ),
        None => None,
    };
    let query = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_lowercase);
    if query.as_ref().is_some_and(|q| q.chars().count() > SEARCH_MAX) {
        return Err(Error::field("q", format!("Please keep the search to {SEARCH_MAX} characters.")));
    }
    let favorites_only = filter.favorites.is_some();
    let us = couple::us(ctx, me).await?;
    let (ladder, _) = ladder_of(ctx, &us).await?;
    let all = ctx.store.exchanges(us.couple_id).await?;
    Ok(all
        .iter()
        .filter_map(|e| questions::question(&e.question_id).map(|q| seen(&us, q, Some(e), &ladder)))
        .filter(|s| s.mine.is_some() || !matches!(s.partner, PartnerAnswer::NotYet))
        .filter(|s| deck.is_none_or(|d| s.question.deck == d))
        .filter(|s| kind.is_none_or(|k| s.question.types.contains(&k)))
        .filter(|s| !favorites_only || s.mine.as_ref().is_some_and(|m| m.favorite))
        .filter(|s| {
            query.as_ref().is_none_or(|q| {
                let theirs = s.partner.revealed_body().unwrap_or("");
                let mine = s.mine.as_ref().map_or("", |m| m.body.as_str());
                [s.question.text.as_str(), mine, theirs].iter().any(|t| t.to_lowercase().contains(q.as_str()))
            })
        })
        .collect())
}

/// A deck's questions as the couple may see them: which are open at their level and which
/// they have already answered.
pub async fn deck(ctx: &Ctx, me: &User, deck_id: &str) -> Result<(LadderView, Vec<Seen>)> {
    let deck = questions::deck(deck_id).ok_or(Error::NotFound)?;
    let us = couple::us(ctx, me).await?;
    let (ladder, _) = ladder_of(ctx, &us).await?;
    let all = ctx.store.exchanges(us.couple_id).await?;
    let list = questions::questions()
        .iter()
        .filter(|q| q.deck == deck.id)
        .map(|q| seen(&us, q, all.iter().find(|e| e.question_id == q.id), &ladder))
        .collect();
    Ok((ladder.seen_by(seat(&us), RULES), list))
}

/// How far a couple is through one deck.
#[derive(Clone, Debug)]
pub struct DeckCount {
    pub deck: &'static questions::Deck,
    /// Questions open at the couple's level.
    pub open: usize,
    /// Of those, the ones the caller has answered or passed.
    pub answered: usize,
    /// Deeper questions, waiting until both are ready.
    pub locked: usize,
    /// The shallowest level at which more of this deck opens, if any is still closed.
    pub opens_at: Option<u8>,
}

impl DeckCount {
    /// Nothing in this deck is open at the couple's level yet, only deeper questions: it is
    /// waiting for them, not empty.
    pub fn waiting(&self) -> bool {
        self.open == 0 && self.locked > 0
    }
}

/// The ladder and every deck's counts, read once.
pub async fn overview(ctx: &Ctx, me: &User) -> Result<(LadderView, Vec<DeckCount>)> {
    let us = couple::us(ctx, me).await?;
    let (ladder, _) = ladder_of(ctx, &us).await?;
    let all = ctx.store.exchanges(us.couple_id).await?;
    let answered: Vec<&str> =
        all.iter().filter(|e| e.part(us.me.id).is_some()).map(|e| e.question_id.as_str()).collect();
    let counts = questions::decks()
        .iter()
        .map(|deck| {
            let in_deck = questions::questions().iter().filter(|q| q.deck == deck.id);
            let (open, locked): (Vec<&Question>, Vec<&Question>) = in_deck.partition(|q| q.depth <= ladder.depth);
            DeckCount {
                deck,
                answered: open.iter().filter(|q| answered.contains(&q.id.as_str())).count(),
                open: open.len(),
                locked: locked.len(),
                opens_at: locked.iter().map(|q| q.depth).min(),
            }
        })
        .collect();
    Ok((ladder.seen_by(seat(&us), RULES), counts))
}

/// The deck the question for today comes from while it has fresh questions at the couple's
/// level, so that answering today's question counts in that deck.
pub const DAILY_DECK: &str = "today";

/// The question for today: one a day per couple, never one they have drawn or answered before
/// until its pool is used up, then the one drawn longest ago. Most days it comes from the
/// couple's own level; one day in four is a lighter day, drawn from every level up to theirs
/// with nothing heavy in it, so a couple at the deepest level still has easy days. It never
/// presumes what not every couple has. It comes from the [`DAILY_DECK`] while that has fresh
/// questions in the pool, then from every deck. The pick is a pure function of the couple, the
/// day and what was used before, so two phones drawing at the same moment draw the same one.
pub fn pick(couple: i64, day: Date, depth: u8, used: &[String], skip: usize) -> Option<&'static Question> {
    let lighter = lighter_day(couple, day);
    let pool: Vec<&'static Question> = questions::questions()
        .iter()
        .filter(|q| q.presumes.is_empty())
        .filter(|q| if lighter { q.depth <= depth && q.tone != Tone::Serious } else { q.depth == depth })
        .collect();
    let fresh: Vec<&'static Question> = pool.iter().copied().filter(|q| !used.contains(&q.id)).collect();
    let daily: Vec<&'static Question> = fresh.iter().copied().filter(|q| q.deck == DAILY_DECK).collect();
    let fresh = if daily.is_empty() { fresh } else { daily };
    if fresh.is_empty() {
        // Everything was used: the one whose last use lies furthest back comes round again.
        let last_use = |q: &&Question| used.iter().rposition(|id| *id == q.id);
        return pool.iter().copied().min_by_key(|q| (last_use(q), q.id.clone()));
    }
    let n = fresh.len() as u64;
    fresh.get(usize::try_from(seed(couple, day).wrapping_add(skip as u64) % n).unwrap_or(0)).copied()
}

fn seed(couple: i64, day: Date) -> u64 {
    u64::try_from(couple).unwrap_or(0).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::try_from(day.to_zoned(jiff::tz::TimeZone::UTC).map_or(0, |z| z.timestamp().as_second())).unwrap_or(0)
}

/// One day in four, in a steady rhythm that starts at a different day for each couple.
fn lighter_day(couple: i64, day: Date) -> bool {
    let days = day.since(Date::constant(2000, 1, 1)).map_or(0, |span| i64::from(span.get_days()));
    (days + couple.rem_euclid(4)).rem_euclid(4) == 0
}

/// The couple's day for the question of the day: the earlier of the two partners' dates, so
/// partners in different zones share one question.
fn couple_day(us: &Us, now: Timestamp) -> Date {
    us.me.time_zone.today(now).min(us.partner.time_zone.today(now))
}

/// Today's question for the couple; `another` draws a fresh one for both.
pub async fn question_for_today(ctx: &Ctx, me: &User, another: bool) -> Result<Seen> {
    question_for_today_in(ctx, &couple::us(ctx, me).await?, another).await
}

/// [`question_for_today`] for a couple already read.
pub async fn question_for_today_in(ctx: &Ctx, us: &Us, another: bool) -> Result<Seen> {
    let (ladder, _) = ladder_of(ctx, us).await?;
    let day = couple_day(us, ctx.now());
    // A view reads only today's draws; the whole history is read once a day, to draw.
    let today = ctx.store.question_draws_on(us.couple_id, day).await?;
    let current = today.last().and_then(|d| questions::question(&d.question_id)).filter(|q| q.depth <= ladder.depth);
    let question = match current {
        Some(q) if !another => q,
        _ => {
            // Used: every draw, oldest first, then every question either of you answered.
            let draws = ctx.store.question_draws(us.couple_id).await?;
            let answered = ctx.store.exchanges(us.couple_id).await?;
            let mut used: Vec<String> = answered.iter().rev().map(|e| e.question_id.clone()).collect();
            used.extend(draws.iter().map(|d| d.question_id.clone()));
            let q = pick(us.couple_id.0, day, ladder.depth, &used, today.len())
                .ok_or_else(|| Error::Internal("no questions at this depth".into()))?;
            ctx.store.add_question_draw(us.couple_id, day, &q.id, ctx.now()).await?;
            if another {
                ctx.notify(us.couple_id, EventKind::Question).await;
            }
            q
        }
    };
    let exchange = ctx.store.exchange(us.couple_id, &question.id).await?;
    Ok(seen(us, question, exchange.as_ref(), &ladder))
}

/// Checks a felt rating as submitted on a page.
pub fn parse_felt(understood: &str, accepted: &str, cared_for: &str) -> Result<Felt> {
    let n = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    Felt::parse(n(understood), n(accepted), n(cared_for))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(author: i64, passed: bool) -> Answer {
        Answer {
            author: UserId(author),
            body: if passed { String::new() } else { format!("answer of {author}") },
            passed,
            answered_at: Timestamp::UNIX_EPOCH,
            reply_id: None,
            reply_words: String::new(),
            responded_at: None,
            felt: None,
            favorite: false,
        }
    }

    #[test]
    fn nothing_is_revealed_before_you_answer_and_a_pass_is_not_an_answer() {
        let (me, them) = (part(1, false), part(2, false));
        assert_eq!(reveal(None, None), PartnerAnswer::NotYet);
        assert_eq!(reveal(Some(&me), None), PartnerAnswer::NotYet);
        assert_eq!(reveal(None, Some(&them)), PartnerAnswer::WaitingForYou);
        assert_eq!(reveal(None, Some(&part(2, true))), PartnerAnswer::WaitingForYou, "a pass looks the same before");
        assert_eq!(reveal(Some(&part(1, true)), Some(&them)), PartnerAnswer::YouPassed, "passing reveals nothing");
        assert_eq!(reveal(Some(&me), Some(&part(2, true))), PartnerAnswer::Passed);
        assert_eq!(reveal(Some(&me), Some(&them)), PartnerAnswer::Revealed(SharedAnswer::of(&them)));
        // What the partner keeps to themselves does not travel with the revealed answer.
        let private = Answer { felt: Felt::parse(1, 2, 3).ok(), favorite: true, ..them.clone() };
        assert_eq!(reveal(Some(&me), Some(&private)), reveal(Some(&me), Some(&them)));
    }

    /// A day that is not a lighter one for couple 7, and one that is.
    fn days_of(couple: i64) -> (Date, Date) {
        let start: Date = "2026-03-10".parse().expect("date");
        let days = (0..8).map(|n| start.checked_add(jiff::Span::new().days(n)).expect("a day"));
        let plain = days.clone().find(|d| !lighter_day(couple, *d)).expect("a plain day");
        let light = days.clone().find(|d| lighter_day(couple, *d)).expect("a lighter day");
        (plain, light)
    }

    #[test]
    fn the_daily_pick_is_stable_fresh_and_at_the_depth() {
        let (day, _) = days_of(7);
        let a = pick(7, day, 1, &[], 0).expect("a question");
        assert_eq!(a.depth, 1);
        assert_eq!(pick(7, day, 1, &[], 0).map(|q| &q.id), Some(&a.id), "the same for both phones");
        let b = pick(7, day, 1, std::slice::from_ref(&a.id), 1).expect("another");
        assert_ne!(a.id, b.id, "never repeated while the pool lasts");
        assert!(a.deck == DAILY_DECK && b.deck == DAILY_DECK, "from the daily deck while it lasts");
        let daily: Vec<String> = questions::questions()
            .iter()
            .filter(|q| q.depth == 1 && q.deck == DAILY_DECK)
            .map(|q| q.id.clone())
            .collect();
        let then = pick(7, day, 1, &daily, 0).expect("then from every deck");
        assert!(then.depth == 1 && then.deck != DAILY_DECK && !daily.contains(&then.id));
        let all: Vec<String> = questions::questions()
            .iter()
            .filter(|q| q.depth == 2 && q.presumes.is_empty())
            .map(|q| q.id.clone())
            .collect();
        let again = pick(7, day, 2, &all, 0).expect("a used-up pool starts again");
        assert_eq!(again.id, all[0], "with the one used longest ago");
        assert!(pick(7, day, 9, &[], 0).is_none());
    }

    #[test]
    fn a_deep_couple_still_gets_lighter_days_and_nothing_presumed() {
        let start: Date = "2026-01-01".parse().expect("date");
        let mut used: Vec<String> = Vec::new();
        let (mut not_heavy, mut below) = (0, 0);
        let days = 400;
        for n in 0..days {
            let day = start.checked_add(jiff::Span::new().days(n)).expect("a day");
            let q = pick(11, day, 3, &used, 0).expect("a question");
            assert!(q.depth <= 3 && q.presumes.is_empty(), "{}: at or below the level, presuming nothing", q.id);
            not_heavy += usize::from(q.tone != Tone::Serious);
            below += usize::from(q.depth < 3);
            used.push(q.id.clone());
        }
        assert!(not_heavy * 4 >= days as usize, "{not_heavy} of {days} deep days were not heavy");
        assert!(below > 0, "lighter days draw from the levels below too");
        let (plain, light) = days_of(7);
        assert_eq!(pick(7, plain, 3, &[], 0).map(|q| q.depth), Some(3), "other days are at the couple's level");
        assert_ne!(pick(7, light, 3, &[], 0).map(|q| q.tone), Some(Tone::Serious));
        for n in 0..8 {
            let day = start.checked_add(jiff::Span::new().days(n)).expect("a day");
            assert_eq!(pick(5, day, 1, &[], 0).map(|q| q.depth), Some(1), "a new couple stays at the first level");
        }
    }

    #[test]
    fn a_filter_is_active_only_when_it_narrows() {
        assert!(!OursFilter::default().is_active());
        let blank =
            OursFilter { deck: Some(String::new()), kind: Some(String::new()), q: Some("  ".into()), favorites: None };
        assert!(!blank.is_active(), "an empty form narrows nothing");
        assert!(OursFilter { q: Some("bakery".into()), ..OursFilter::default() }.is_active());
        assert!(OursFilter { favorites: Some("yes".into()), ..OursFilter::default() }.is_active());
    }

    #[test]
    fn felt_is_one_to_seven_three_times() {
        assert!(Felt::parse(1, 7, 4).is_ok());
        assert!(Felt::parse(0, 7, 4).is_err() && Felt::parse(1, 8, 4).is_err() && Felt::parse(1, 2, -3).is_err());
        assert!(parse_felt("5", "x", "5").is_err());
    }
}
