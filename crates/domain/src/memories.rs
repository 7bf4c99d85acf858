//! Our memories: a timeline by month of what the couple chose to keep: photos shown at a
//! show-and-tell or added as a memory, exchanges from the Memories deck both have answered,
//! the notes of tech-free evenings, new things tried together and goals reached. Only what both partners may see is ever on it: a
//! photo still waiting for its show-and-tell, or an answer not yet revealed, is not.

use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::photo::{PhotoView, view};
use crate::questions::exchange::{self, OursFilter};
use crate::store::User;
use crate::{Ctx, text};
use jiff::Timestamp;
use jiff::civil::Date;

/// One thing kept.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Memory {
    Photo {
        at: Timestamp,
        photo: PhotoView,
    },
    /// Both answered a question of the Memories deck.
    Exchange {
        at: Timestamp,
        question_id: String,
        question: String,
        mine: String,
        theirs: String,
    },
    /// What a tech-free evening was spent on.
    Evening {
        at: Timestamp,
        note: String,
    },
    /// Something new tried together, with how each found it ("🥰 Loved it: …"), once said.
    Tried {
        at: Timestamp,
        plan_id: i64,
        title: String,
        mine: Option<String>,
        theirs: Option<String>,
    },
    /// A goal one of them reached.
    GoalDone {
        at: Timestamp,
        goal_id: i64,
        title: String,
        mine: bool,
    },
}

impl Memory {
    pub fn at(&self) -> Timestamp {
        match self {
            Self::Photo { at, .. }
            | Self::Exchange { at, .. }
            | Self::Evening { at, .. }
            | Self::Tried { at, .. }
            | Self::GoalDone { at, .. } => *at,
        }
    }

    fn words(&self) -> Vec<&str> {
        match self {
            Self::Photo { photo, .. } => vec![&photo.caption, &photo.reply],
            Self::Exchange { question, mine, theirs, .. } => vec![question, mine, theirs],
            Self::Evening { note, .. } => vec![note],
            Self::Tried { title, mine, theirs, .. } => {
                [Some(title), mine.as_ref(), theirs.as_ref()].into_iter().flatten().map(String::as_str).collect()
            }
            Self::GoalDone { title, .. } => vec![title],
        }
    }
}

/// One month of the timeline.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Month {
    /// "2026-12"
    pub key: String,
    /// "December 2026"
    pub label: String,
    pub memories: Vec<Memory>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Timeline {
    pub months: Vec<Month>,
    pub query: String,
    pub count: usize,
    /// Where the next, older page starts (`YYYY-MM`, for `before`), when there may be more:
    /// the timeline shows [`PAGE_MONTHS`] months at a time; a search shows everything at once.
    pub earlier: Option<String>,
}

pub const SEARCH_MAX: usize = 100;
/// Months on one page of the timeline.
pub const PAGE_MONTHS: i8 = 6;

/// A month as `before` names it: `2026-12`.
pub fn parse_month(raw: &str) -> Option<Date> {
    let (y, m) = raw.trim().split_once('-')?;
    let (y, m) = (y.parse::<i16>().ok()?, m.parse::<i8>().ok()?);
    Date::new(y, m, 1).ok().filter(|d| d.year() >= 2000)
}

/// What is kept, newest month first (in the order things happened within a month), in the
/// reader's time zone: [`PAGE_MONTHS`] months ending before the month `before` (or now). With
/// `query`, everything that matches it in a caption, a reply, an answer or a note.
pub async fn timeline(ctx: &Ctx, me: &User, query: &str, before: Option<Date>) -> Result<Timeline> {
    let query = query.trim();
    if query.chars().count() > SEARCH_MAX {
        return Err(Error::field("q", format!("Please keep the search to {SEARCH_MAX} characters.")));
    }
    let us = couple::us(ctx, me).await?;
    let zone = us.me.time_zone.zone();
    let start_of = |d: Date| d.first_of_month().to_zoned(zone.clone()).map(|z| z.timestamp());
    let (window, earlier) = if query.is_empty() {
        let this_month = ctx.now().to_zoned(zone.clone()).date().first_of_month();
        let end = before.map_or(this_month.checked_add(jiff::Span::new().months(1)), |b| Ok(b.first_of_month()));
        let end = end.map_err(|e| Error::Internal(e.to_string()))?;
        let start =
            end.checked_sub(jiff::Span::new().months(PAGE_MONTHS)).map_err(|e| Error::Internal(e.to_string()))?;
        let (from, to) = (start_of(start), start_of(end));
        let (from, to) =
            (from.map_err(|e| Error::Internal(e.to_string()))?, to.map_err(|e| Error::Internal(e.to_string()))?);
        let earlier = (from > us.since).then(|| format!("{:04}-{:02}", start.year(), start.month()));
        (Some((from, to)), earlier)
    } else {
        (None, None)
    };
    let mut all = kept(ctx, me, &us, window).await?;
    if !query.is_empty() {
        let q = text::fold(query);
        all.retain(|m| m.words().iter().any(|w| text::fold(w).contains(&q)));
    }
    all.sort_by_key(|m| std::cmp::Reverse(m.at()));
    let mut months: Vec<Month> = Vec::new();
    let count = all.len();
    for m in all {
        let day = m.at().to_zoned(zone.clone()).date();
        let key = format!("{:04}-{:02}", day.year(), day.month());
        match months.last_mut() {
            Some(last) if last.key == key => last.memories.push(m),
            _ => months.push(Month { key, label: month_label(day), memories: vec![m] }),
        }
    }
    // Newest month first; within a month, in the order things happened, so a show-and-tell
    // reads as it was told.
    for month in &mut months {
        month.memories.reverse();
    }
    Ok(Timeline { months, query: query.to_owned(), count, earlier })
}

fn month_label(day: Date) -> String {
    day.strftime("%B %Y").to_string()
}

/// Everything kept, in no particular order (for the export).
pub async fn everything(ctx: &Ctx, me: &User) -> Result<Vec<Memory>> {
    let us = couple::us(ctx, me).await?;
    kept(ctx, me, &us, None).await
}

/// What is kept in `[from, to)`, or everything.
async fn kept(ctx: &Ctx, me: &User, us: &Us, window: Option<(Timestamp, Timestamp)>) -> Result<Vec<Memory>> {
    let inside = |at: Timestamp| window.is_none_or(|(from, to)| from <= at && at < to);
    let photos = match window {
        Some((from, to)) => ctx.store.photos_shown_between(us.couple_id, from, to).await?,
        None => ctx.store.shown_photos(us.couple_id).await?,
    };
    let mut all: Vec<Memory> = photos
        .into_iter()
        .map(|p| Memory::Photo { at: p.shown_at.unwrap_or(p.created_at), photo: view(us, p) })
        .collect();
    let filter = OursFilter { deck: Some("memories".into()), ..OursFilter::default() };
    for seen in exchange::ours(ctx, me, &filter).await? {
        let (Some(mine), Some(theirs)) = (seen.mine.as_ref(), seen.partner.revealed_body()) else { continue };
        let at = seen.created_at.unwrap_or(mine.answered_at).max(mine.answered_at);
        if mine.passed || !inside(at) {
            continue;
        }
        all.push(Memory::Exchange {
            at,
            question_id: seen.question.id.clone(),
            question: seen.question.text.clone(),
            mine: mine.body.clone(),
            theirs: theirs.to_owned(),
        });
    }
    let since = window.map_or(Timestamp::UNIX_EPOCH, |(from, _)| from);
    for evening in crate::tech_free::since(ctx, us, since).await? {
        if let Some(note) = evening.evening.note.clone().filter(|n| !n.is_empty() && inside(evening.evening.started_at))
        {
            all.push(Memory::Evening { at: evening.evening.started_at, note });
        }
    }
    let felt = |a: &crate::play::Afterwards| {
        let f = a.feeling;
        if a.note.is_empty() {
            format!("{} {}", f.emoji(), f.label())
        } else {
            format!("{} {}: {}", f.emoji(), f.label(), a.note)
        }
    };
    for plan in crate::play::plans_in(ctx, us).await? {
        if plan.stage != crate::play::PlanStage::Happened || !inside(plan.at) {
            continue;
        }
        all.push(Memory::Tried {
            at: plan.at,
            plan_id: plan.id.0,
            title: plan.idea.title.clone(),
            mine: plan.mine.as_ref().map(felt),
            theirs: plan.theirs.as_ref().map(felt),
        });
    }
    for goal in ctx.store.goals(us.couple_id, us.me.id).await? {
        let Some(done) = goal.done_at.filter(|d| inside(*d)) else { continue };
        all.push(Memory::GoalDone { at: done, goal_id: goal.id.0, mine: goal.owner == us.me.id, title: goal.title });
    }
    Ok(all)
}

/// A photo from this day a year ago (or, for a couple together less than a year, a month
/// ago), for Today.
pub async fn on_this_day(ctx: &Ctx, us: &Us) -> Result<Option<(String, PhotoView)>> {
    let zone = us.me.time_zone.zone();
    let today = ctx.now().to_zoned(zone.clone()).date();
    let young = ctx.now().duration_since(us.since) < jiff::SignedDuration::from_hours(365 * 24);
    let (then, label) = if young {
        (today.checked_sub(jiff::Span::new().months(1)).ok(), "A month ago today")
    } else {
        (today.checked_sub(jiff::Span::new().years(1)).ok(), "A year ago today")
    };
    let Some(then) = then else { return Ok(None) };
    let start = |d: Date| d.to_zoned(zone.clone()).map(|z| z.timestamp());
    let (Ok(from), Ok(to)) = (start(then), start(then.tomorrow().unwrap_or(then))) else { return Ok(None) };
    let found = ctx.store.photos_shown_between(us.couple_id, from, to).await?.into_iter().next();
    Ok(found.map(|p| (label.to_owned(), view(us, p))))
}
