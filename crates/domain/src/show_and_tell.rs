//! The monthly photo show-and-tell, live on two phones.
//!
//! Each partner privately picks up to five photos ([`crate::photo::upload`] with a pick). When
//! they sit down together, either starts: every waiting pick of both joins the show-and-tell,
//! the first teller's first. The photo on screen is the same on both phones; the teller tells
//! its story while the listener's phone offers a gentle prompt, and the listener answers with
//! a reaction or a few words. "Next" moves both phones on; after the first teller's photos the
//! other tells theirs. The server keeps only the step, so a reload resumes where they were,
//! and two taps on "Next" at once move one step (the step is a conditional write).

use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::ids::{ShowAndTellId, UserId};
use crate::photo::{PhotoId, PhotoView, REPLY_MAX, view};
use crate::rhythm::Practice;
use crate::store::User;
use crate::store::photos::StoredShowAndTell;
use crate::{Ctx, text};
use jiff::Timestamp;

/// A gentle prompt for the listener, from `content/memories/photo_prompts.toml`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoPrompt {
    pub id: String,
    pub text: String,
}

/// A reaction the listener can give a photo.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhotoReaction {
    pub id: String,
    pub emoji: String,
    pub label: String,
}

pub fn prompts() -> &'static [PhotoPrompt] {
    &crate::content::photo_texts().prompts
}

pub fn reactions() -> &'static [PhotoReaction] {
    &crate::content::photo_texts().reactions
}

pub fn reaction(id: &str) -> Option<&'static PhotoReaction> {
    reactions().iter().find(|r| r.id == id)
}

/// The listener's prompt for a photo: the same on every load, different from photo to photo.
pub fn prompt_for(photo: &PhotoId) -> Option<&'static PhotoPrompt> {
    let all = prompts();
    let n = photo.as_str().bytes().fold(0usize, |acc, b| acc.wrapping_mul(31).wrapping_add(usize::from(b)));
    all.get(n % all.len().max(1))
}

/// A show-and-tell as one partner sees it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Live {
    pub id: ShowAndTellId,
    pub started_at: Timestamp,
    /// The photo on screen, from 0; equal to `total` once done.
    pub step: i64,
    pub total: i64,
    pub finished: bool,
    /// The photo on screen now (none once done).
    pub current: Option<PhotoView>,
    pub teller_is_me: bool,
    pub teller_name: String,
    pub listener_name: String,
    /// What the listener's phone offers them to ask (the listener's view only).
    pub prompt: Option<&'static PhotoPrompt>,
    /// Which of the teller's photos this is, from 1, and how many they brought.
    pub teller_index: usize,
    pub teller_count: usize,
    /// The next photo is the other partner's: "Next" swaps who tells.
    pub next_swaps: bool,
    /// Every photo shown so far, in order.
    pub shown: Vec<PhotoView>,
}

fn live(us: &Us, s: StoredShowAndTell, photos: Vec<crate::store::photos::PhotoRecord>) -> Live {
    let finished = s.finished_at.is_some() || s.step >= s.total;
    let step = usize::try_from(s.step).unwrap_or(0);
    let on_screen = (!finished).then(|| photos.get(step)).flatten();
    let teller = on_screen.map_or(s.first_teller, |p| p.owner);
    let name = |id: UserId| if id == us.me.id { us.me.display_name.clone() } else { us.partner.display_name.clone() };
    let listener = if teller == us.me.id { us.partner.id } else { us.me.id };
    let teller_count = photos.iter().filter(|p| p.owner == teller).count();
    let teller_index = photos.iter().take(step + 1).filter(|p| p.owner == teller).count();
    let next_swaps = photos.get(step + 1).is_some_and(|next| next.owner != teller);
    let prompt = on_screen.filter(|_| teller != us.me.id).and_then(|p| prompt_for(&p.id));
    let shown: Vec<PhotoView> = photos.into_iter().filter(|p| p.shown_at.is_some()).map(|p| view(us, p)).collect();
    Live {
        id: s.id,
        started_at: s.started_at,
        step: s.step,
        total: s.total,
        finished,
        current: if finished { None } else { shown.get(step).cloned() },
        teller_is_me: teller == us.me.id,
        teller_name: name(teller),
        listener_name: name(listener),
        prompt,
        teller_index,
        teller_count,
        next_swaps,
        shown,
    }
}

/// A past show-and-tell, for the list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Past {
    pub id: ShowAndTellId,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub photos: i64,
}

/// The show-and-tell page: my picks, whether my partner has picked, and the one going, if any.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Hub {
    pub my_picks: Vec<PhotoView>,
    /// How many photos the partner has picked (never which).
    pub partner_picks: i64,
    pub partner_name: String,
    pub max_picks: i64,
    pub open: Option<Live>,
    pub past: Vec<Past>,
}

impl Hub {
    pub fn can_start(&self) -> bool {
        self.open.is_none() && (!self.my_picks.is_empty() || self.partner_picks > 0)
    }

    pub fn can_pick(&self) -> bool {
        i64::try_from(self.my_picks.len()).unwrap_or(i64::MAX) < self.max_picks
    }
}

pub async fn hub(ctx: &Ctx, me: &User) -> Result<Hub> {
    let us = couple::us(ctx, me).await?;
    let my_picks = ctx.store.waiting_picks(us.couple_id, us.me.id).await?;
    let counts = ctx.store.waiting_counts(us.couple_id).await?;
    let partner_picks = counts.iter().find(|(who, _)| *who == us.partner.id).map_or(0, |(_, n)| *n);
    let open = match ctx.store.open_show_and_tell(us.couple_id).await? {
        Some(s) => Some(load(ctx, &us, s).await?),
        None => None,
    };
    let mut past = Vec::new();
    for s in ctx.store.show_and_tells(us.couple_id).await? {
        if s.finished_at.is_some() {
            past.push(Past { id: s.id, started_at: s.started_at, finished_at: s.finished_at, photos: s.total });
        }
    }
    Ok(Hub {
        my_picks: my_picks.into_iter().map(|p| view(&us, p)).collect(),
        partner_picks,
        partner_name: us.partner.display_name.clone(),
        max_picks: crate::photo::MAX_PICKS,
        open,
        past,
    })
}

async fn load(ctx: &Ctx, us: &Us, s: StoredShowAndTell) -> Result<Live> {
    let photos = ctx.store.show_and_tell_photos(us.couple_id, s.id).await?;
    Ok(live(us, s, photos))
}

/// The show-and-tell going on now, if any (for Today).
pub async fn open_in(ctx: &Ctx, us: &Us) -> Result<Option<ShowAndTellId>> {
    Ok(ctx.store.open_show_and_tell(us.couple_id).await?.map(|s| s.id))
}

pub async fn get(ctx: &Ctx, me: &User, id: ShowAndTellId) -> Result<Live> {
    let us = couple::us(ctx, me).await?;
    let s = ctx.store.show_and_tell(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    load(ctx, &us, s).await
}

/// Who tells first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum First {
    Me,
    Partner,
}

/// Starts the show-and-tell with every photo both have picked; when one is already going
/// (the partner tapped first), that one is the answer.
pub async fn start(ctx: &Ctx, me: &User, first: First) -> Result<Live> {
    let us = couple::us(ctx, me).await?;
    let counts = ctx.store.waiting_counts(us.couple_id).await?;
    let picked = |who: UserId| counts.iter().any(|(w, n)| *w == who && *n > 0);
    let mut teller = match first {
        First::Me => us.me.id,
        First::Partner => us.partner.id,
    };
    if !picked(teller) {
        teller = if teller == us.me.id { us.partner.id } else { us.me.id };
    }
    match ctx.store.start_show_and_tell(us.couple_id, us.me.id, teller, ctx.now()).await? {
        Some(id) => {
            ctx.notify(us.couple_id, EventKind::ShowAndTell).await;
            get(ctx, me, id).await
        }
        None => match ctx.store.open_show_and_tell(us.couple_id).await? {
            Some(open) => load(ctx, &us, open).await,
            None => Err(Error::rejected(
                "There are no photos to show yet. Each of you can pick up to five; then start together.",
            )),
        },
    }
}

/// "Next photo" (or "Finish" on the last): moves both phones on from `from`. A tap that comes
/// after the other phone already moved changes nothing.
pub async fn next(ctx: &Ctx, me: &User, id: ShowAndTellId, from: i64) -> Result<Live> {
    let us = couple::us(ctx, me).await?;
    let s = ctx.store.show_and_tell(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    let now = ctx.now();
    if s.finished_at.is_none() && from == s.step && ctx.store.advance_show_and_tell(us.couple_id, id, from, now).await?
    {
        if from + 1 >= s.total {
            ctx.store.mark_practice(us.couple_id, Practice::ShowAndTell, us.me.id, now).await?;
            ctx.notify(us.couple_id, EventKind::Rhythm).await;
        }
        ctx.notify(us.couple_id, EventKind::ShowAndTell).await;
    }
    get(ctx, me, id).await
}

/// The listener answers a photo they have been shown: a reaction, a few words, or both.
pub async fn reply(ctx: &Ctx, me: &User, photo: &PhotoId, reaction_id: &str, words: &str) -> Result<PhotoView> {
    let us = couple::us(ctx, me).await?;
    let reaction_id = reaction_id.trim();
    let chosen = match reaction_id {
        "" => None,
        id => Some(reaction(id).ok_or_else(|| Error::field("reaction", "Please choose one of the reactions."))?),
    };
    let words = text::one_line(words, REPLY_MAX, "your answer").map_err(|m| Error::field("reply", m))?;
    if chosen.is_none() && words.is_none() {
        return Err(Error::field("reply", "Choose a reaction or write a few words."));
    }
    let record = ctx.store.photo(us.couple_id, photo).await?.ok_or(Error::NotFound)?;
    if record.owner == us.me.id {
        return Err(Error::rejected("This is your own photo: your partner answers it."));
    }
    let words = words.unwrap_or_default();
    let reaction_id = chosen.map(|r| r.id.as_str());
    if !ctx.store.reply_to_photo(us.couple_id, photo, us.me.id, reaction_id, &words, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    ctx.notify(us.couple_id, EventKind::ShowAndTell).await;
    crate::photo::get(ctx, me, photo).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_photo_gets_a_prompt_and_the_same_one_each_time() {
        assert!(prompts().len() >= 30);
        let id = PhotoId::generate();
        assert_eq!(prompt_for(&id), prompt_for(&id));
        let distinct: std::collections::HashSet<&str> =
            (0..200).filter_map(|_| prompt_for(&PhotoId::generate())).map(|p| p.id.as_str()).collect();
        assert!(distinct.len() > 15, "prompts vary from photo to photo: {}", distinct.len());
        assert!(reaction("love").is_some() && reaction("nope").is_none());
    }
}
