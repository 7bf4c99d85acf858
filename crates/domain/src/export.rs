//! Export and "Your past words": everything one person may see, read section by section so a
//! download of years of a couple's life never has to be held in memory at once.
//!
//! Nothing here decides anew who may see what. Every section is read through the use case the
//! pages use ([`check_in::days`] with its reveal rule, [`exchange::ours`] with its own,
//! [`conversation::held_in`] that never shows the partner's rating, and so on) and only then
//! turned into the plain, documented records of `docs/export.md`. So an export shows exactly
//! what the pages show its person, and nothing of the partner's private parts: no unrevealed
//! check-in or answer, no felt rating, no favourite mark, no conversation rating of theirs.
//!
//! After unpairing, each person keeps their own words from the couples they were in (see
//! `couple::UNPAIR_RULE`): [`past_words`] reads each ended couple and keeps only what the person
//! wrote themselves.
//!
//! Photos are listed the same way ([`photos`]): the person's own waiting picks from the
//! show-and-tell hub, and everything shown from Our memories, so a partner's pick that has not
//! been shown yet is never among them. Photos live only as long as their couple, so a couple
//! that has ended has none.

use crate::appreciation::{Appreciation, Filter};
use crate::check_in::{self, CheckIn, PartnerCheckIn};
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::history::EARLIEST;
use crate::ids::{CoupleId, UserId};
use crate::memories::{self, Memory};
use crate::photo::{self, PhotoId, PhotoView};
use crate::questions::{self, exchange};
use crate::store::{PastCouple, User};
use crate::{Ctx, conversation, listening, rhythm, show_and_tell, tech_free};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

/// What `data.json` says it is.
pub const FORMAT: &str = "tend-export";
/// Raised whenever a field changes meaning or goes away; new fields may appear within a version.
pub const VERSION: u32 = 1;

/// Appreciations are read in pages of this many.
const PAGE: u32 = 500;
/// Enough for every conversation or listening exchange a couple could hold.
const ALL: i64 = 1_000_000;

/// What an export covers, read once before anything is written.
#[derive(Clone, Debug)]
pub struct Plan {
    pub me: User,
    /// The couple the person is in now, as they see it.
    pub us: Option<Us>,
    /// Couples the person was in and that have ended, oldest first.
    pub past: Vec<PastCouple>,
    pub exported_at: Timestamp,
    /// The years of the current couple, newest first: check-ins and appreciations are read
    /// (and shown) one year at a time.
    pub years: Vec<i16>,
}

/// The person an export is for, as a host names them (`tend export --user EMAIL`).
pub async fn person_by_email(ctx: &Ctx, email: &str) -> Result<User> {
    ctx.store.user_by_email(email.trim()).await?.ok_or(Error::NotFound)
}

pub async fn plan(ctx: &Ctx, me: &User) -> Result<Plan> {
    let me = ctx.store.user(me.id).await?.ok_or(Error::NotFound)?;
    let us = match me.couple_id {
        Some(_) => Some(couple::us(ctx, &me).await?),
        None => None,
    };
    let past = past_couples(ctx, &me).await?;
    let now = ctx.now();
    let years = match &us {
        Some(us) => {
            let first = us.since.to_zoned(us.me.time_zone.zone()).date().max(EARLIEST).year();
            let last = us.me.time_zone.today(now).year();
            (first..=last).rev().collect()
        }
        None => Vec::new(),
    };
    Ok(Plan { me, us, past, exported_at: now, years })
}

/// The couples the person was in that have ended, oldest first.
pub async fn past_couples(ctx: &Ctx, me: &User) -> Result<Vec<PastCouple>> {
    Ok(ctx.store.couples_of(me.id).await?.into_iter().filter(|c| c.ended.is_some()).collect())
}

/// The person, as `data.json` shows them.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    pub id: UserId,
    pub display_name: String,
    pub email: String,
    pub time_zone: String,
    pub created_at: Timestamp,
}

/// The partner: only what the pages show of them (no email).
#[derive(Clone, Debug, Serialize)]
pub struct Partner {
    pub id: UserId,
    pub display_name: String,
    pub time_zone: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Couple {
    pub since: Timestamp,
    pub partner: Partner,
}

/// Everything of `data.json` that comes before the sections.
#[derive(Clone, Debug, Serialize)]
pub struct Header {
    pub format: &'static str,
    pub version: u32,
    pub exported_at: Timestamp,
    pub person: Person,
    pub couple: Option<Couple>,
}

pub fn header(plan: &Plan) -> Header {
    let me = &plan.me;
    Header {
        format: FORMAT,
        version: VERSION,
        exported_at: plan.exported_at,
        person: Person {
            id: me.id,
            display_name: me.display_name.clone(),
            email: me.email.clone(),
            time_zone: me.time_zone.as_str().to_owned(),
            created_at: me.created_at,
        },
        couple: plan.us.as_ref().map(|us| Couple {
            since: us.since,
            partner: Partner {
                id: us.partner.id,
                display_name: us.partner.display_name.clone(),
                time_zone: us.partner.time_zone.as_str().to_owned(),
            },
        }),
    }
}

/// One check-in's words.
#[derive(Clone, Debug, Serialize)]
pub struct CheckInWords {
    pub high: String,
    pub low: String,
    /// 1 (far apart) to 7 (as one).
    pub closeness: u8,
    pub need: String,
    pub written_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<CheckIn> for CheckInWords {
    fn from(c: CheckIn) -> Self {
        Self {
            high: c.high,
            low: c.low,
            closeness: c.closeness,
            need: c.need,
            written_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// What the person may see of the partner's check-in for a date.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PartnerDay {
    NotYet,
    /// The partner checked in; what they wrote shows once you check in for the same date.
    WaitingForYou,
    Revealed {
        check_in: CheckInWords,
    },
}

/// One date with a check-in by either of you.
#[derive(Clone, Debug, Serialize)]
pub struct CheckInDay {
    pub day: Date,
    pub mine: Option<CheckInWords>,
    pub partner: PartnerDay,
}

/// The dates of `year` on which either partner checked in, newest first, as the person sees
/// them on the history page (the reveal rule comes from [`check_in::days`]).
pub async fn check_ins(ctx: &Ctx, plan: &Plan, year: i16) -> Result<Vec<CheckInDay>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let today = us.me.time_zone.today(ctx.now());
    let mut out = Vec::new();
    // Month by month, newest first: each reads only its own month.
    for month in (1..=12).rev() {
        let first = Date::new(year, month, 1).map_err(|e| Error::Internal(e.to_string()))?;
        if first > today {
            continue;
        }
        let from = first.max(EARLIEST);
        let to = first.last_of_month().min(today);
        if from > to {
            continue;
        }
        for view in check_in::days(ctx, us, from, to).await? {
            let partner = match view.partner {
                PartnerCheckIn::NotYet => PartnerDay::NotYet,
                PartnerCheckIn::WaitingForYou => PartnerDay::WaitingForYou,
                PartnerCheckIn::Revealed { check_in } => PartnerDay::Revealed { check_in: check_in.into() },
            };
            if view.mine.is_none() && matches!(partner, PartnerDay::NotYet) {
                continue;
            }
            out.push(CheckInDay { day: view.day, mine: view.mine.map(Into::into), partner });
        }
    }
    Ok(out)
}

/// An appreciation, given or received; both of you see each at once.
#[derive(Clone, Debug, Serialize)]
pub struct AppreciationRecord {
    pub id: i64,
    /// `given` or `received`.
    pub direction: &'static str,
    /// gratitude, respect or admiration.
    pub kind: &'static str,
    pub words: String,
    pub given_at: Timestamp,
    /// The one-tap reaction of the one who received it: love, hug, smile or moved.
    pub reaction: Option<&'static str>,
    /// The words the one who received it answered with; empty when none.
    pub reply: String,
    pub reacted_at: Option<Timestamp>,
}

fn appreciation_record(a: Appreciation, me: UserId) -> AppreciationRecord {
    AppreciationRecord {
        id: a.id.0,
        direction: if a.author == me { "given" } else { "received" },
        kind: a.kind.as_str(),
        words: a.body,
        given_at: a.created_at,
        reaction: a.reaction.map(|r| r.as_str()),
        reply: a.reply,
        reacted_at: a.reacted_at,
    }
}

/// The start of a year in the person's zone.
fn year_start(plan: &Plan, year: i16) -> Result<Timestamp> {
    let day = Date::new(year, 1, 1).map_err(|e| Error::Internal(e.to_string()))?;
    Ok(day.to_zoned(plan.me.time_zone.zone()).map_err(|e| Error::Internal(e.to_string()))?.timestamp())
}

/// Every appreciation of `couple` in the window, newest first, read a page at a time.
async fn appreciations_between(
    ctx: &Ctx,
    couple: CoupleId,
    author: Option<UserId>,
    since: Option<Timestamp>,
    until: Option<Timestamp>,
) -> Result<Vec<Appreciation>> {
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let filter = Filter { author, since, until, limit: PAGE, offset, ..Filter::default() };
        let page = ctx.store.appreciations(couple, &filter).await?;
        let done = page.len() < PAGE as usize;
        out.extend(page);
        if done {
            return Ok(out);
        }
        offset += PAGE;
    }
}

/// The appreciations of `year` (in the person's zone), newest first.
pub async fn appreciations(ctx: &Ctx, plan: &Plan, year: i16) -> Result<Vec<AppreciationRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let (start, end) = (year_start(plan, year)?, year_start(plan, year.saturating_add(1))?);
    let all = appreciations_between(ctx, us.couple_id, None, Some(start), Some(end)).await?;
    Ok(all.into_iter().map(|a| appreciation_record(a, us.me.id)).collect())
}

/// My part of a question's exchange, with what is mine alone.
#[derive(Clone, Debug, Serialize)]
pub struct MyAnswer {
    pub passed: bool,
    pub words: String,
    pub answered_at: Timestamp,
    /// My response to my partner's answer.
    pub response: Option<Response>,
    /// How understood, accepted and cared for I felt by my partner's response (mine alone).
    pub felt: Option<Felt>,
    pub favorite: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Response {
    /// The one-tap reply's words, if one was chosen.
    pub reply: Option<String>,
    pub words: String,
    pub at: Option<Timestamp>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Felt {
    pub understood: u8,
    pub accepted: u8,
    pub cared_for: u8,
}

/// What I may see of my partner's answer.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TheirAnswer {
    NotYet,
    /// They answered or passed; which, and what, shows once you answer.
    WaitingForYou,
    /// You passed, so their answer stays with them.
    YouPassed,
    Passed,
    Revealed {
        words: String,
        answered_at: Timestamp,
        /// Their response to my answer.
        response: Option<Response>,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct QuestionRecord {
    pub question_id: String,
    pub question: String,
    pub deck: String,
    pub depth: u8,
    pub mine: Option<MyAnswer>,
    pub partner: TheirAnswer,
    pub complete: bool,
}

fn response(reply_id: Option<&str>, words: &str, at: Option<Timestamp>) -> Option<Response> {
    at.map(|at| Response {
        reply: reply_id.and_then(questions::reply).map(|r| r.text.clone()),
        words: words.to_owned(),
        at: Some(at),
    })
}

fn my_answer(a: &exchange::Answer) -> MyAnswer {
    MyAnswer {
        passed: a.passed,
        words: a.body.clone(),
        answered_at: a.answered_at,
        response: response(a.reply_id.as_deref(), &a.reply_words, a.responded_at),
        felt: a.felt.map(|f| Felt { understood: f.understood, accepted: f.accepted, cared_for: f.cared_for }),
        favorite: a.favorite,
    }
}

/// Every question either of you answered, newest first, as "Our answers" shows them.
pub async fn questions(ctx: &Ctx, plan: &Plan) -> Result<Vec<QuestionRecord>> {
    if plan.us.is_none() {
        return Ok(Vec::new());
    }
    let seen = exchange::ours(ctx, &plan.me, &exchange::OursFilter::default()).await?;
    Ok(seen
        .into_iter()
        .map(|s| QuestionRecord {
            question_id: s.question.id.clone(),
            question: s.question.text.clone(),
            deck: s.question.deck.clone(),
            depth: s.question.depth,
            mine: s.mine.as_ref().map(my_answer),
            partner: match s.partner {
                exchange::PartnerAnswer::NotYet => TheirAnswer::NotYet,
                exchange::PartnerAnswer::WaitingForYou => TheirAnswer::WaitingForYou,
                exchange::PartnerAnswer::YouPassed => TheirAnswer::YouPassed,
                exchange::PartnerAnswer::Passed => TheirAnswer::Passed,
                exchange::PartnerAnswer::Revealed(t) => TheirAnswer::Revealed {
                    response: response(t.reply_id.as_deref(), &t.reply_words, t.responded_at),
                    words: t.body,
                    answered_at: t.answered_at,
                },
            },
            complete: s.complete,
        })
        .collect())
}

/// A Stress-Reducing Conversation held: the times, and my own rating only.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationRecord {
    pub id: i64,
    pub started_at: Timestamp,
    /// done, rating, cancelled or expired.
    pub state: &'static str,
    pub minutes_per_turn: u8,
    pub minutes_spoken: i64,
    pub i_spoke_first: bool,
    pub shared_phone: bool,
    /// How understood and cared for I felt (1–7), mine alone.
    pub my_rating: Option<ConversationRating>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct ConversationRating {
    pub understood: u8,
    pub cared_for: u8,
}

/// Every conversation the couple held, newest first, as the person sees them.
pub async fn conversations(ctx: &Ctx, plan: &Plan) -> Result<Vec<ConversationRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    Ok(conversation::held_in(ctx, us, ALL)
        .await?
        .into_iter()
        .map(|s| ConversationRecord {
            id: s.id.0,
            started_at: s.created_at,
            state: s.phase.as_str(),
            minutes_per_turn: s.minutes,
            minutes_spoken: s.minutes_spoken,
            i_spoke_first: s.i_speak_first,
            shared_phone: s.shared_phone,
            my_rating: s.my_rating.map(|r| ConversationRating { understood: r.understood, cared_for: r.cared_for }),
        })
        .collect())
}

/// A reflective-listening exchange; both of you see every round.
#[derive(Clone, Debug, Serialize)]
pub struct ListeningRecord {
    pub id: i64,
    pub started_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// `speaker` or `listener`.
    pub my_role: &'static str,
    pub rounds: Vec<RoundRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoundRecord {
    pub round: u8,
    /// What the speaker shared (or clarified).
    pub share: String,
    pub shared_at: Timestamp,
    /// What the listener heard.
    pub reflection: Option<String>,
    pub feeling: Option<String>,
    pub reflected_at: Option<Timestamp>,
    /// got-it or not-quite.
    pub verdict: Option<&'static str>,
    pub answered_at: Option<Timestamp>,
}

fn listening_record(l: listening::Listening, me: UserId) -> ListeningRecord {
    ListeningRecord {
        id: l.id.0,
        started_at: l.created_at,
        closed_at: l.closed_at,
        my_role: if l.speaker == me { "speaker" } else { "listener" },
        rounds: l
            .rounds
            .into_iter()
            .map(|r| RoundRecord {
                round: r.round,
                share: r.share,
                shared_at: r.shared_at,
                reflection: r.reflection,
                feeling: r.feeling,
                reflected_at: r.reflected_at,
                verdict: r.verdict.map(|v| v.as_str()),
                answered_at: r.answered_at,
            })
            .collect(),
    }
}

pub async fn listenings(ctx: &Ctx, plan: &Plan) -> Result<Vec<ListeningRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    Ok(listening::recent_in(ctx, us, ALL).await?.into_iter().map(|l| listening_record(l, us.me.id)).collect())
}

/// A tech-free evening; its "what we did" line is shared.
#[derive(Clone, Debug, Serialize)]
pub struct EveningRecord {
    pub id: i64,
    pub started_at: Timestamp,
    pub ends_at: Timestamp,
    pub started_by_me: bool,
    pub joined_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub note: Option<String>,
    pub noted_by_me: Option<bool>,
}

pub async fn evenings(ctx: &Ctx, plan: &Plan) -> Result<Vec<EveningRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let since = us.since;
    Ok(tech_free::since(ctx, us, since)
        .await?
        .into_iter()
        .map(|s| EveningRecord {
            id: s.evening.id.0,
            started_at: s.evening.started_at,
            ends_at: s.evening.ends_at,
            started_by_me: s.started_by_me,
            joined_at: s.evening.joined_at,
            ended_at: s.evening.ended_at,
            noted_by_me: s.evening.noted_by.map(|by| by == us.me.id),
            note: s.evening.note,
        })
        .collect())
}

/// The practices the couple keeps together: hugs, marks and the agreed rhythm.
#[derive(Clone, Debug, Serialize)]
pub struct Together {
    /// When each 20-second hug was logged, oldest first.
    pub hugs: Vec<Timestamp>,
    /// Practices one of you marked as done, oldest first.
    pub marked: Vec<Mark>,
    /// The times you both agreed on.
    pub rhythm: Vec<AgreedSlot>,
    /// The question ladder: the depth you have reached together.
    pub question_depth: u8,
}

#[derive(Clone, Debug, Serialize)]
pub struct Mark {
    pub practice: String,
    pub by_me: bool,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgreedSlot {
    pub practice: String,
    /// Such as "Thursdays from 19:30".
    pub when: String,
    pub minutes: u16,
    pub time_zone: String,
}

pub async fn together(ctx: &Ctx, plan: &Plan) -> Result<Together> {
    let Some(us) = &plan.us else {
        return Ok(Together { hugs: Vec::new(), marked: Vec::new(), rhythm: Vec::new(), question_depth: 1 });
    };
    let mut hugs = ctx.store.hugs_since(us.couple_id, us.since).await?;
    hugs.sort();
    let marked = ctx
        .store
        .practice_marks_since(us.couple_id, us.since)
        .await?
        .into_iter()
        .map(|m| Mark { practice: m.practice.info().name.clone(), by_me: m.by == us.me.id, at: m.at })
        .collect();
    let rhythm = rhythm::plan(ctx, &plan.me)
        .await?
        .into_iter()
        .filter_map(|item| {
            item.agreed.map(|a| AgreedSlot {
                practice: item.info.name.clone(),
                when: a.describe,
                minutes: a.slot.minutes,
                time_zone: a.slot.zone.as_str().to_owned(),
            })
        })
        .collect();
    let question_depth = exchange::ladder(ctx, &plan.me).await?.depth;
    Ok(Together { hugs, marked, rhythm, question_depth })
}

/// A photo the person may see: their own (a pick waiting for a show-and-tell, a pick shown, a
/// memory) or one their partner has shown them. Its full-size JPEG is `file` in the ZIP.
#[derive(Clone, Debug, Serialize)]
pub struct PhotoRecord {
    pub id: PhotoId,
    /// Where its JPEG is in the ZIP: `photos/<id>.jpg`.
    pub file: String,
    pub mine: bool,
    /// `me` or `partner`.
    pub owner: &'static str,
    /// `pick` (brought to a show-and-tell) or `memory` (added straight to Our memories).
    pub kind: &'static str,
    /// The owner's words about it; empty when none.
    pub caption: String,
    /// The full size's dimensions, in pixels.
    pub width: u32,
    pub height: u32,
    pub created_at: Timestamp,
    /// When the partner first saw it; `None` for a pick of mine not shown yet.
    pub shown_at: Option<Timestamp>,
    /// The one-tap reaction of the one who answered it.
    pub reaction: Option<PhotoReactionRecord>,
    /// The words of the one who answered it; empty when none.
    pub reply: String,
    /// Who answered (reaction and words): `me` or `partner`; `None` before an answer.
    pub replied_by: Option<&'static str>,
    pub replied_at: Option<Timestamp>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhotoReactionRecord {
    pub id: String,
    pub emoji: String,
    pub label: String,
}

/// Where a photo's JPEG is in the ZIP.
pub fn photo_file(id: &PhotoId) -> String {
    format!("photos/{id}.jpg")
}

fn photo_record(p: PhotoView) -> PhotoRecord {
    let who = |mine: bool| if mine { "me" } else { "partner" };
    PhotoRecord {
        file: photo_file(&p.id),
        mine: p.mine,
        owner: who(p.mine),
        kind: p.kind.as_str(),
        width: p.width,
        height: p.height,
        created_at: p.created_at,
        shown_at: p.shown_at,
        reaction: p.reaction.map(|r| PhotoReactionRecord {
            id: r.id.clone(),
            emoji: r.emoji.clone(),
            label: r.label.clone(),
        }),
        replied_by: (p.replied_by_me || !p.replier_name.is_empty()).then(|| who(p.replied_by_me)),
        replied_at: p.replied_at,
        reply: p.reply,
        caption: p.caption,
        id: p.id,
    }
}

/// Every photo the person may see, newest first, as the pages show them: their own picks still
/// waiting (from the show-and-tell hub, which lists only the person's own), their own picks in
/// the show-and-tell going on now that it has not reached yet (each read through
/// [`photo::get`], which answers only for a photo the person may see), and everything shown,
/// theirs and their partner's (from Our memories). A partner's pick not shown yet is in none of
/// these. Only the records: the bytes are read one photo at a time with [`photo::bytes`].
pub async fn photos(ctx: &Ctx, plan: &Plan) -> Result<Vec<PhotoRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let me = &plan.me;
    let mut seen: Vec<PhotoView> = Vec::new();
    let hub = show_and_tell::hub(ctx, me).await?;
    seen.extend(hub.my_picks);
    if let Some(open) = &hub.open {
        for p in ctx.store.show_and_tell_photos(us.couple_id, open.id).await? {
            if p.owner != us.me.id || p.shown_at.is_some() {
                continue; // shown ones come from Our memories; the partner's wait their turn
            }
            match photo::get(ctx, me, &p.id).await {
                Ok(view) => seen.push(view),
                Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    for memory in memories::everything(ctx, me).await? {
        if let Memory::Photo { photo, .. } = memory {
            seen.push(photo);
        }
    }
    // The rule once more, for certain: mine, or shown to me.
    seen.retain(|p| p.mine || p.shown_at.is_some());
    // A photo read twice (a show-and-tell began between two reads) is kept as last read.
    seen.reverse();
    let mut ids = std::collections::HashSet::new();
    seen.retain(|p| ids.insert(p.id.clone()));
    seen.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.id.cmp(&b.id)));
    Ok(seen.into_iter().map(photo_record).collect())
}

/// My own words from a couple that has ended: nothing my partner wrote.
#[derive(Clone, Debug, Serialize)]
pub struct PastWords {
    pub couple_id: CoupleId,
    pub since: Timestamp,
    pub ended: Option<Timestamp>,
    /// My check-ins, newest first.
    pub check_ins: Vec<PastCheckIn>,
    /// Appreciations I gave, and my answers to those I received (without their words).
    pub appreciations: Vec<PastAppreciation>,
    /// My answers to questions and my responses to my partner's answers.
    pub answers: Vec<PastAnswer>,
    /// What I shared or reflected in reflective listening.
    pub listening: Vec<PastListening>,
    /// "What we did" lines I wrote for tech-free evenings.
    pub evening_notes: Vec<PastNote>,
}

impl PastWords {
    pub fn is_empty(&self) -> bool {
        self.check_ins.is_empty()
            && self.appreciations.is_empty()
            && self.answers.is_empty()
            && self.listening.is_empty()
            && self.evening_notes.is_empty()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PastCheckIn {
    pub day: Date,
    #[serde(flatten)]
    pub words: CheckInWords,
}

#[derive(Clone, Debug, Serialize)]
pub struct PastAppreciation {
    /// `given`: my appreciation; `my_reply`: my answer to one I received.
    pub direction: &'static str,
    pub kind: &'static str,
    /// My words: the appreciation I gave, or my reply.
    pub words: String,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct PastAnswer {
    pub question_id: String,
    pub question: String,
    #[serde(flatten)]
    pub mine: MyAnswer,
}

#[derive(Clone, Debug, Serialize)]
pub struct PastListening {
    pub at: Timestamp,
    /// `shared` (as the speaker) or `reflected` (as the listener).
    pub kind: &'static str,
    pub words: String,
    pub feeling: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PastNote {
    pub at: Timestamp,
    pub words: String,
}

/// The person's own words from one of their ended couples; `NotFound` for any other couple.
pub async fn past_words(ctx: &Ctx, me: &User, couple: CoupleId) -> Result<PastWords> {
    let past = past_couples(ctx, me).await?.into_iter().find(|c| c.id == couple).ok_or(Error::NotFound)?;
    words_of(ctx, me.id, &past).await
}

/// Every ended couple's own words, oldest couple first.
pub async fn words_of(ctx: &Ctx, me: UserId, past: &PastCouple) -> Result<PastWords> {
    let id = past.id;
    let last = jiff::civil::date(9999, 12, 31);
    let mut check_ins: Vec<PastCheckIn> = ctx
        .store
        .check_ins_between(id, EARLIEST, last)
        .await?
        .into_iter()
        .filter(|c| c.author == me)
        .map(|c| PastCheckIn { day: c.day, words: c.into() })
        .collect();
    check_ins.sort_by_key(|c| std::cmp::Reverse(c.day));

    let appreciations = appreciations_between(ctx, id, None, None, None)
        .await?
        .into_iter()
        .filter_map(|a| {
            if a.author == me {
                Some(PastAppreciation { direction: "given", kind: a.kind.as_str(), words: a.body, at: a.created_at })
            } else if a.recipient == me && !a.reply.is_empty() {
                Some(PastAppreciation {
                    direction: "my_reply",
                    kind: a.kind.as_str(),
                    words: a.reply,
                    at: a.reacted_at.unwrap_or(a.created_at),
                })
            } else {
                None
            }
        })
        .collect();

    let answers = ctx
        .store
        .exchanges(id)
        .await?
        .into_iter()
        .filter_map(|e| {
            let mine = e.answers.iter().find(|a| a.author == me)?;
            let question = questions::question(&e.question_id).map(|q| q.text.clone()).unwrap_or_default();
            Some(PastAnswer { question_id: e.question_id.clone(), question, mine: my_answer(mine) })
        })
        .collect();

    let mut listening = Vec::new();
    for l in ctx.store.listenings(id, ALL).await? {
        for r in l.rounds {
            if l.speaker == me {
                listening.push(PastListening { at: r.shared_at, kind: "shared", words: r.share, feeling: None });
            } else if l.listener == me
                && let Some(words) = r.reflection
            {
                listening.push(PastListening {
                    at: r.reflected_at.unwrap_or(r.shared_at),
                    kind: "reflected",
                    words,
                    feeling: r.feeling,
                });
            }
        }
    }

    let evening_notes = ctx
        .store
        .evenings_since(id, past.since)
        .await?
        .into_iter()
        .filter(|e| e.noted_by == Some(me))
        .filter_map(|e| e.note.map(|words| PastNote { at: e.ended_at.unwrap_or(e.ends_at), words }))
        .collect();

    Ok(PastWords {
        couple_id: id,
        since: past.since,
        ended: past.ended,
        check_ins,
        appreciations,
        answers,
        listening,
        evening_notes,
    })
}

/// One kind of intimacy as rated on a map.
#[derive(Clone, Debug, Serialize)]
pub struct RatingRecord {
    pub kind: &'static str,
    pub nourished: u8,
    pub wish: &'static str,
    pub words: String,
}

/// One round of Our intimacy map: the person's own map, and the partner's only when both
/// made one in that round (the reveal rule of the page).
#[derive(Clone, Debug, Serialize)]
pub struct IntimacyMapRecord {
    pub round: i64,
    pub taken_at: Timestamp,
    pub mine: Vec<RatingRecord>,
    pub partner: Option<Vec<RatingRecord>>,
}

fn ratings(m: &crate::intimacy_map::Map) -> Vec<RatingRecord> {
    m.ratings
        .iter()
        .map(|r| RatingRecord {
            kind: r.kind.as_str(),
            nourished: r.nourished,
            wish: r.wish.as_str(),
            words: r.words.clone(),
        })
        .collect()
}

pub async fn intimacy_maps(ctx: &Ctx, plan: &Plan) -> Result<Vec<IntimacyMapRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let view = crate::intimacy_map::view_of(us, ctx.store.intimacy_ratings(us.couple_id).await?, ctx.now());
    let mut rounds: Vec<IntimacyMapRecord> = view
        .history
        .iter()
        .map(|t| IntimacyMapRecord {
            round: t.round,
            taken_at: t.mine.taken_at,
            mine: ratings(&t.mine),
            partner: Some(ratings(&t.theirs)),
        })
        .collect();
    // The person's newest map, while it waits for the partner's.
    if let Some(mine) = view.mine.filter(|m| !rounds.iter().any(|r| r.round == m.round)) {
        rounds.push(IntimacyMapRecord {
            round: mine.round,
            taken_at: mine.taken_at,
            mine: ratings(&mine),
            partner: None,
        });
    }
    Ok(rounds)
}

/// One week of State of Us: the person's own answers (with their private mark) and the
/// partner's only once both answered that week.
#[derive(Clone, Debug, Serialize)]
pub struct StateOfUsRecord {
    pub week: Date,
    pub mine: Option<crate::state_of_us::StateOfUs>,
    pub partner: Option<crate::state_of_us::Shared>,
}

pub async fn states_of_us(ctx: &Ctx, plan: &Plan) -> Result<Vec<StateOfUsRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    Ok(crate::state_of_us::all_weeks(ctx, us)
        .await?
        .into_iter()
        .map(|w| StateOfUsRecord {
            week: w.week,
            partner: match w.partner {
                crate::state_of_us::PartnerState::Revealed { state_of_us } => Some(state_of_us),
                _ => None,
            },
            mine: w.mine,
        })
        .collect())
}

/// The file name a download gets: `tend-export-2026-12-01.zip`, by the person's own date.
pub fn file_name(plan: &Plan) -> String {
    format!("tend-export-{}.zip", plan.me.time_zone.today(plan.exported_at))
}

impl PartnerDay {
    /// The partner's words, only once revealed.
    pub fn revealed(&self) -> Option<&CheckInWords> {
        match self {
            PartnerDay::Revealed { check_in } => Some(check_in),
            _ => None,
        }
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self, PartnerDay::WaitingForYou)
    }
}

impl TheirAnswer {
    /// The partner's words and their response to mine, only once revealed.
    pub fn revealed(&self) -> Option<(&str, Option<&Response>)> {
        match self {
            TheirAnswer::Revealed { words, response, .. } => Some((words, response.as_ref())),
            _ => None,
        }
    }

    /// Where the partner's answer stands when it is not shown, in plain words.
    pub fn unrevealed_note(&self) -> Option<&'static str> {
        match self {
            TheirAnswer::NotYet => Some("hasn’t answered."),
            TheirAnswer::WaitingForYou => Some("answered; it stays private until you answer too."),
            TheirAnswer::YouPassed => Some("answered; you passed, so their answer stays with them."),
            TheirAnswer::Passed => Some("passed on this one."),
            TheirAnswer::Revealed { .. } => None,
        }
    }
}

impl AppreciationRecord {
    pub fn is_given(&self) -> bool {
        self.direction == "given"
    }
}

impl ListeningRecord {
    pub fn i_spoke(&self) -> bool {
        self.my_role == "speaker"
    }
}

impl RoundRecord {
    pub fn got_it(&self) -> bool {
        self.verdict == Some("got-it")
    }
}

impl PhotoRecord {
    pub fn is_memory(&self) -> bool {
        self.kind == "memory"
    }

    pub fn replied_by_me(&self) -> bool {
        self.replied_by == Some("me")
    }
}

impl PastAppreciation {
    pub fn is_given(&self) -> bool {
        self.direction == "given"
    }
}

impl PastListening {
    pub fn is_shared(&self) -> bool {
        self.kind == "shared"
    }
}

/// Play: the person's own marks (never the partner's), the own ideas they may see, the
/// couple's matches, and every plan with how each found it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PlayRecord {
    pub my_marks: Vec<MarkRecord>,
    pub own_ideas: Vec<OwnIdeaRecord>,
    pub matches: Vec<MatchRecord>,
    pub plans: Vec<PlanRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MarkRecord {
    pub idea: String,
    pub title: String,
    pub mark: &'static str,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct OwnIdeaRecord {
    pub idea: String,
    pub title: String,
    pub detail: String,
    pub mine: bool,
    pub shared: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct MatchRecord {
    pub idea: String,
    pub title: String,
    pub since: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct AfterwardsRecord {
    pub feeling: &'static str,
    pub note: String,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct PlanRecord {
    pub id: i64,
    pub idea: String,
    pub title: String,
    pub at: Timestamp,
    /// proposed, upcoming, happened, lapsed or cancelled.
    pub stage: &'static str,
    pub proposed_by_me: bool,
    pub mine: Option<AfterwardsRecord>,
    pub partner: Option<AfterwardsRecord>,
}

pub async fn play(ctx: &Ctx, plan: &Plan) -> Result<PlayRecord> {
    let Some(us) = &plan.us else { return Ok(PlayRecord::default()) };
    let (_, ideas) = crate::play::ideas(ctx, &us.me, &crate::play::Filter::default()).await?;
    let title = |key: &str| ideas.iter().find(|v| v.idea.id == key).map(|v| v.idea.title.clone()).unwrap_or_default();
    let my_marks = ctx
        .store
        .marks_of(us.couple_id, us.me.id)
        .await?
        .into_iter()
        .map(|m| MarkRecord { title: title(&m.idea), idea: m.idea, mark: m.mark.as_str(), at: m.at })
        .collect();
    let own_ideas = ideas
        .iter()
        .filter(|v| v.idea.added_by.is_some())
        .map(|v| OwnIdeaRecord {
            idea: v.idea.id.clone(),
            title: v.idea.title.clone(),
            detail: v.idea.detail.clone(),
            mine: v.idea.added_by == Some(us.me.id),
            shared: v.idea.shared,
        })
        .collect();
    let matches = ctx
        .store
        .matches(us.couple_id)
        .await?
        .into_iter()
        .map(|m| MatchRecord { title: title(&m.idea), idea: m.idea, since: m.since })
        .collect();
    let after =
        |a: &crate::play::Afterwards| AfterwardsRecord { feeling: a.feeling.as_str(), note: a.note.clone(), at: a.at };
    let plans = crate::play::plans_in(ctx, us)
        .await?
        .iter()
        .map(|p| PlanRecord {
            id: p.id.0,
            idea: p.idea.id.clone(),
            title: p.idea.title.clone(),
            at: p.at,
            stage: p.stage.as_str(),
            proposed_by_me: p.by_me,
            mine: p.mine.as_ref().map(after),
            partner: p.theirs.as_ref().map(after),
        })
        .collect();
    Ok(PlayRecord { my_marks, own_ideas, matches, plans })
}

/// One goal the person may see (their own, private ones too, and the partner's that are not
/// private), with its cheers and progress.
#[derive(Clone, Debug, Serialize)]
pub struct GoalRecord {
    pub id: i64,
    pub mine: bool,
    pub title: String,
    pub why: String,
    pub next_step: String,
    pub due: Option<Date>,
    pub private: bool,
    pub created_at: Timestamp,
    pub done_at: Option<Timestamp>,
    pub cheers: Vec<CheerRecord>,
    pub progress: Vec<ProgressRecord>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheerRecord {
    /// message, ask or help.
    pub kind: &'static str,
    pub by_me: bool,
    pub words: String,
    pub ask_on: Option<Date>,
    pub accepted_at: Option<Timestamp>,
    pub at: Timestamp,
}

#[derive(Clone, Debug, Serialize)]
pub struct ProgressRecord {
    pub note: String,
    pub at: Timestamp,
    pub reaction: Option<&'static str>,
}

pub async fn goals(ctx: &Ctx, plan: &Plan) -> Result<Vec<GoalRecord>> {
    let Some(us) = &plan.us else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for g in ctx.store.goals(us.couple_id, us.me.id).await? {
        let Some(d) = ctx.store.goal(us.couple_id, g.id, us.me.id).await? else { continue };
        out.push(GoalRecord {
            id: d.goal.id.0,
            mine: d.goal.owner == us.me.id,
            title: d.goal.title,
            why: d.goal.why,
            next_step: d.goal.next_step,
            due: d.goal.due,
            private: d.goal.private,
            created_at: d.goal.created_at,
            done_at: d.goal.done_at,
            cheers: d
                .cheers
                .into_iter()
                .map(|c| CheerRecord {
                    kind: c.kind.as_str(),
                    by_me: c.author == us.me.id,
                    words: c.words,
                    ask_on: c.ask_on,
                    accepted_at: c.accepted_at,
                    at: c.at,
                })
                .collect(),
            progress: d
                .progress
                .into_iter()
                .map(|p| ProgressRecord { note: p.note, at: p.at, reaction: p.reaction.map(|r| r.as_str()) })
                .collect(),
        });
    }
    Ok(out)
}
