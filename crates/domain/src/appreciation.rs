//! The daily appreciation: one thing you appreciate about your partner — gratitude, respect
//! or admiration — which they see at once and can answer with a reaction or a few words.

use crate::Ctx;
use crate::content::{self, Starter};
use crate::couple::{self, Us};
use crate::error::{Error, FieldErrors, Result};
use crate::events::EventKind;
use crate::ids::{AppreciationId, CoupleId, UserId};
use crate::store::User;
use jiff::Timestamp;

pub const BODY_MAX: usize = 500;
pub const REPLY_MAX: usize = 280;
pub const QUERY_MAX: usize = 100;
pub const PAGE_SIZE: u32 = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Gratitude,
    Respect,
    Admiration,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Gratitude, Kind::Respect, Kind::Admiration];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gratitude => "gratitude",
            Self::Respect => "respect",
            Self::Admiration => "admiration",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Gratitude => "Gratitude",
            Self::Respect => "Respect",
            Self::Admiration => "Admiration",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Self::Gratitude => "for something they did",
            Self::Respect => "for how they handle things",
            Self::Admiration => "for who they are",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// The warm answers a partner can give with one tap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    Love,
    Hug,
    Smile,
    Moved,
}

impl Reaction {
    pub const ALL: [Reaction; 4] = [Reaction::Love, Reaction::Hug, Reaction::Smile, Reaction::Moved];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Love => "love",
            Self::Hug => "hug",
            Self::Smile => "smile",
            Self::Moved => "moved",
        }
    }

    /// What the reaction says, as shown to both.
    pub fn label(self) -> &'static str {
        match self {
            Self::Love => "Love this",
            Self::Hug => "Sending a hug",
            Self::Smile => "Made me smile",
            Self::Moved => "Really touched me",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Self::Love => "♥",
            Self::Hug => "🤗",
            Self::Smile => "☺",
            Self::Moved => "✨",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Appreciation {
    pub id: AppreciationId,
    pub author: UserId,
    pub recipient: UserId,
    pub kind: Kind,
    pub body: String,
    pub starter_id: Option<String>,
    pub created_at: Timestamp,
    pub reaction: Option<Reaction>,
    pub reply: String,
    pub reacted_at: Option<Timestamp>,
}

#[derive(Clone, Debug)]
pub struct AppreciationRecord {
    pub couple: CoupleId,
    pub author: UserId,
    pub recipient: UserId,
    pub kind: Kind,
    pub body: String,
    pub starter_id: Option<String>,
    pub now: Timestamp,
}

/// An appreciation as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewAppreciation {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub body: String,
    /// The starter picked, if any. A starter is only an opening line: one of any kind may
    /// go with the kind chosen, which is the person's and is never changed by the starter.
    #[serde(default)]
    pub starter_id: Option<String>,
    /// The recipient; when given it must be the partner.
    #[serde(default)]
    pub to: Option<i64>,
}

pub fn parse(form: &NewAppreciation, us: &Us, now: Timestamp) -> Result<AppreciationRecord> {
    let mut errors = FieldErrors::default();
    let kind = Kind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Please choose gratitude, respect or admiration.");
    }
    let body = errors.take("body", crate::text::clean(&form.body, BODY_MAX, "your appreciation"));
    if body.as_deref() == Some("") {
        errors.add("body", "Please write what you appreciate — a sentence is plenty.");
    }
    let starter_id = form.starter_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(id) = starter_id
        && content::starter(id).is_none()
    {
        errors.add("starter_id", "We don’t know that starter.");
    }
    if let Some(to) = form.to
        && to != us.partner.id.0
    {
        errors.add("to", "Appreciations go to your partner.");
    }
    errors.into_result()?;
    let (Some(kind), Some(body)) = (kind, body) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    Ok(AppreciationRecord {
        couple: us.couple_id,
        author: us.me.id,
        recipient: us.partner.id,
        kind,
        body,
        starter_id: starter_id.map(str::to_owned),
        now,
    })
}

pub async fn give(ctx: &Ctx, me: &User, form: NewAppreciation) -> Result<Appreciation> {
    let us = couple::us(ctx, me).await?;
    let record = parse(&form, &us, ctx.now())?;
    let saved = ctx.store.create_appreciation(&record).await?;
    ctx.notify(us.couple_id, EventKind::Appreciation).await;
    Ok(saved)
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewReaction {
    #[serde(default)]
    pub reaction: Option<String>,
    #[serde(default)]
    pub reply: String,
}

/// The recipient answers an appreciation with a reaction, a few words, or both. The two are
/// kept side by side: a new reaction takes the old one's place and keeps the words, and new
/// words take the old words' place and keep the reaction. The store merges them in one write,
/// so a heart from one phone and words from the other at the same moment are both kept.
pub async fn react(ctx: &Ctx, me: &User, id: AppreciationId, form: NewReaction) -> Result<Appreciation> {
    let us = couple::us(ctx, me).await?;
    let mut errors = FieldErrors::default();
    let reaction = match form.reaction.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(r) => {
            let parsed = Reaction::parse(r);
            if parsed.is_none() {
                errors.add("reaction", "Please pick one of the reactions shown.");
            }
            parsed
        }
        None => None,
    };
    let reply = errors.take("reply", crate::text::clean(&form.reply, REPLY_MAX, "your reply")).unwrap_or_default();
    if errors.is_empty() && reaction.is_none() && reply.is_empty() {
        errors.add("reply", "Pick a reaction or write a few words.");
    }
    errors.into_result()?;
    let appreciation = ctx.store.appreciation(us.couple_id, id).await?.ok_or(Error::NotFound)?;
    if appreciation.recipient != us.me.id {
        return Err(Error::rejected("Only the person who received an appreciation can react to it."));
    }
    if !ctx.store.react_to_appreciation(us.couple_id, id, us.me.id, reaction, &reply, ctx.now()).await? {
        return Err(Error::NotFound);
    }
    ctx.notify(us.couple_id, EventKind::Reaction).await;
    ctx.store.appreciation(us.couple_id, id).await?.ok_or(Error::NotFound)
}

/// Which appreciations to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Box {
    #[default]
    Received,
    Given,
}

/// What the store filters by; scoped to one couple always.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub author: Option<UserId>,
    pub query: Option<String>,
    pub since: Option<Timestamp>,
    /// Only those made before this moment.
    pub until: Option<Timestamp>,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub items: Vec<Appreciation>,
    pub page: u32,
    pub has_more: bool,
}

/// Appreciations received or given, newest first, paged, optionally matching `query`.
/// The last page of appreciations anyone can ask for; beyond it a list would be empty anyway.
pub const LAST_PAGE: u32 = 10_000;

pub async fn list(ctx: &Ctx, me: &User, which: Box, query: Option<&str>, page: u32) -> Result<Page> {
    let us = couple::us(ctx, me).await?;
    // Control characters become spaces here, for every caller: the search text is bound into
    // SQL, where a NUL would be refused by PostgreSQL.
    let query = query.map(crate::text::search_terms);
    let query = query.as_deref().filter(|q| !q.is_empty());
    if query.is_some_and(|q| q.chars().count() > QUERY_MAX) {
        return Err(Error::field("q", format!("Please search with fewer than {QUERY_MAX} characters.")));
    }
    let page = page.clamp(1, LAST_PAGE);
    let author = match which {
        Box::Received => us.partner.id,
        Box::Given => us.me.id,
    };
    let filter = Filter {
        author: Some(author),
        query: query.map(str::to_owned),
        since: None,
        until: None,
        limit: PAGE_SIZE + 1,
        offset: (page - 1) * PAGE_SIZE,
    };
    let mut items = ctx.store.appreciations(us.couple_id, &filter).await?;
    let has_more = items.len() > PAGE_SIZE as usize;
    items.truncate(PAGE_SIZE as usize);
    Ok(Page { items, page, has_more })
}

/// Both directions since a moment, newest first: for Today and history.
pub async fn since(ctx: &Ctx, us: &Us, since: Timestamp, until: Option<Timestamp>) -> Result<Vec<Appreciation>> {
    // Both ends are in the query: filtering the end afterwards would lose a page's
    // appreciations whenever the newest 500 since its start were all after its end.
    let filter = Filter { since: Some(since), until, limit: 500, ..Filter::default() };
    Ok(ctx.store.appreciations(us.couple_id, &filter).await?)
}

/// The starters to choose from, by kind.
pub fn starters(kind: Option<Kind>) -> Vec<&'static Starter> {
    content::starters().iter().filter(|s| kind.is_none_or(|k| s.kind == k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeZoneName;

    fn us() -> Us {
        let user = |id| User {
            id: UserId(id),
            email: format!("{id}@example.org"),
            display_name: format!("U{id}"),
            time_zone: TimeZoneName::default(),
            couple_id: Some(CoupleId(1)),
            created_at: Timestamp::UNIX_EPOCH,
            hide_counts: false,
        };
        Us { couple_id: CoupleId(1), me: user(1), partner: user(2), since: Timestamp::UNIX_EPOCH }
    }

    fn form(kind: &str, body: &str) -> NewAppreciation {
        NewAppreciation { kind: kind.into(), body: body.into(), ..NewAppreciation::default() }
    }

    #[test]
    fn appreciations_go_to_the_partner_with_a_kind() {
        let record = parse(&form("respect", "  How you handled today. "), &us(), Timestamp::UNIX_EPOCH).expect("valid");
        assert_eq!(
            (record.recipient, record.kind, record.body.as_str()),
            (UserId(2), Kind::Respect, "How you handled today.")
        );
        assert!(parse(&form("love", "x"), &us(), Timestamp::UNIX_EPOCH).is_err());
        assert!(parse(&form("gratitude", "   "), &us(), Timestamp::UNIX_EPOCH).is_err());
        assert!(parse(&form("gratitude", &"x".repeat(BODY_MAX + 1)), &us(), Timestamp::UNIX_EPOCH).is_err());
        let to_self = NewAppreciation { to: Some(1), ..form("gratitude", "x") };
        let Err(Error::Invalid(e)) = parse(&to_self, &us(), Timestamp::UNIX_EPOCH) else { panic!("to self accepted") };
        assert!(e.get("to").is_some());
        let to_partner = NewAppreciation { to: Some(2), ..form("gratitude", "x") };
        assert!(parse(&to_partner, &us(), Timestamp::UNIX_EPOCH).is_ok());
        let bad_starter = NewAppreciation { starter_id: Some("nope-99".into()), ..form("gratitude", "x") };
        assert!(parse(&bad_starter, &us(), Timestamp::UNIX_EPOCH).is_err());
        let starter = NewAppreciation { starter_id: Some("gratitude-01".into()), ..form("gratitude", "x") };
        assert_eq!(
            parse(&starter, &us(), Timestamp::UNIX_EPOCH).expect("valid").starter_id.as_deref(),
            Some("gratitude-01")
        );
    }

    #[test]
    fn a_starter_never_changes_the_kind_chosen() {
        let respect =
            NewAppreciation { starter_id: Some("gratitude-01".into()), ..form("respect", "Thank you for…") };
        let record = parse(&respect, &us(), Timestamp::UNIX_EPOCH).expect("a starter of another kind is fine");
        assert_eq!((record.kind, record.starter_id.as_deref()), (Kind::Respect, Some("gratitude-01")));
        let no_kind = NewAppreciation { starter_id: Some("respect-01".into()), ..form("", "I respect…") };
        let Err(Error::Invalid(e)) = parse(&no_kind, &us(), Timestamp::UNIX_EPOCH) else {
            panic!("a starter chose the kind")
        };
        assert!(e.get("kind").is_some(), "the kind is the person's to choose");
    }

    #[test]
    fn there_are_enough_starters_of_every_kind() {
        assert!(starters(None).len() >= 60);
        for kind in Kind::ALL {
            assert!(starters(Some(kind)).len() >= 20, "{kind:?}");
        }
    }
}
