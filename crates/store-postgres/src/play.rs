//! Play on PostgreSQL: own ideas, private marks and the matches worked out from them, plans
//! and each partner's "how was it?" (see `Play` in the domain).
//!
//! No query here hands out another person's mark: `marks_of` reads the author's own, and
//! `matches` and `set_mark` answer only whether both marked an idea yes or maybe.

use crate::{PgStore, Ts, db, ts, unreadable};
use async_trait::async_trait;
use jiff::Timestamp;
use std::collections::BTreeMap;
use tend_domain::ids::{CoupleId, OwnIdeaId, PlanId, UserId};
use tend_domain::photo::PhotoId;
use tend_domain::play::{Afterwards, Cost, Energy, Feeling, Length, Mark, Match, MyMark, OwnIdea, Place, Plan};
use tend_domain::store::play::{AfterwardsRecord, MarkChange, MarkRecord, NewOwnIdea, NewPlan, Play};
use tend_domain::store::{StoreError, StoreResult};

fn mark(s: &str) -> StoreResult<Mark> {
    Mark::parse(s).ok_or_else(|| unreadable(format!("an idea mark is the unknown {s:?}")))
}

fn tag<T>(s: &str, parse: fn(&str) -> Option<T>, what: &str) -> StoreResult<T> {
    parse(s).ok_or_else(|| unreadable(format!("a {what} is the unknown {s:?}")))
}

#[async_trait]
impl Play for PgStore {
    async fn add_own_idea(&self, idea: &NewOwnIdea) -> StoreResult<OwnIdeaId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into own_ideas (couple_id, author_id, title, detail, place, cost, length, energy, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
            idea.couple.0,
            idea.author.0,
            idea.title,
            idea.detail,
            idea.place.as_str(),
            idea.cost.as_str(),
            idea.length.as_str(),
            idea.energy.as_str(),
            ts(idea.now) as Ts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(OwnIdeaId(id))
    }

    async fn own_ideas(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<OwnIdea>> {
        let rows = sqlx::query!(
            r#"select id, author_id, title, detail, place, cost, length, energy, created_at as "created_at: Ts",
                      shared_at as "shared_at: Ts"
               from own_ideas where couple_id = $1 and (author_id = $2 or shared_at is not null)
               order by created_at desc, id desc"#,
            couple.0,
            viewer.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(OwnIdea {
                    id: OwnIdeaId(r.id),
                    author: UserId(r.author_id),
                    title: r.title,
                    detail: r.detail,
                    place: tag(&r.place, Place::parse, "place")?,
                    cost: tag(&r.cost, Cost::parse, "cost")?,
                    length: tag(&r.length, Length::parse, "length")?,
                    energy: tag(&r.energy, Energy::parse, "energy")?,
                    created_at: r.created_at.to_jiff(),
                    shared_at: r.shared_at.map(|t| t.to_jiff()),
                })
            })
            .collect()
    }

    async fn share_own_idea(
        &self,
        couple: CoupleId,
        id: OwnIdeaId,
        author: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let done = sqlx::query!(
            "update own_ideas set shared_at = $1 \
             where couple_id = $2 and id = $3 and author_id = $4 and shared_at is null",
            ts(now) as Ts,
            couple.0,
            id.0,
            author.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_mark(&self, record: &MarkRecord) -> StoreResult<MarkChange> {
        let (couple, author, idea) = (record.couple.0, record.author.0, record.idea.as_str());
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The couple's row is the lock: both partners marking at once take their turns, so
        // each one's before and after count the other's committed mark, and exactly one of
        // them makes the match. (`no key update` still lets inserts that only point at the
        // couple go ahead.)
        sqlx::query_scalar!("select id from couples where id = $1 for no key update", couple)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound)?;
        let before = sqlx::query!(
            r#"delete from idea_marks where couple_id = $1 and author_id = $2 and idea = $3
               returning mark, updated_at as "updated_at: Ts""#,
            couple,
            author,
            idea
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let was_open = match &before {
            Some(b) => mark(&b.mark)?.is_open(),
            None => false,
        };
        if let Some(new) = record.mark {
            // The same mark again changes nothing, not even since when it was given.
            let at = match before {
                Some(b) if b.mark == new.as_str() => b.updated_at,
                _ => ts(record.now),
            };
            sqlx::query!(
                "insert into idea_marks (couple_id, author_id, idea, mark, updated_at) values ($1, $2, $3, $4, $5)",
                couple,
                author,
                idea,
                new.as_str(),
                at as Ts
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        // Only whether the partner's mark is open: never which mark it is.
        let partner_open = sqlx::query_scalar!(
            r#"select exists (select 1 from idea_marks
                              where couple_id = $1 and idea = $2 and author_id <> $3
                                and mark in ('yes', 'maybe')) as "open!""#,
            couple,
            idea,
            author
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        let is_open = record.mark.is_some_and(Mark::is_open);
        Ok(MarkChange { was_match: partner_open && was_open, is_match: partner_open && is_open })
    }

    async fn marks_of(&self, couple: CoupleId, author: UserId) -> StoreResult<Vec<MyMark>> {
        let rows = sqlx::query!(
            r#"select idea, mark, updated_at as "updated_at: Ts" from idea_marks
               where couple_id = $1 and author_id = $2 order by updated_at desc, idea"#,
            couple.0,
            author.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| Ok(MyMark { mark: mark(&r.mark)?, idea: r.idea, at: r.updated_at.to_jiff() }))
            .collect()
    }

    async fn matches(&self, couple: CoupleId) -> StoreResult<Vec<Match>> {
        let rows = sqlx::query!(
            r#"select m1.idea, greatest(m1.updated_at, m2.updated_at) as "since!: Ts"
               from idea_marks m1
               join idea_marks m2 on m2.couple_id = m1.couple_id and m2.idea = m1.idea and m2.author_id > m1.author_id
               where m1.couple_id = $1 and m1.mark in ('yes', 'maybe') and m2.mark in ('yes', 'maybe')
               order by 2 desc, m1.idea"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| Match { idea: r.idea, since: r.since.to_jiff() }).collect())
    }

    async fn propose_plan(&self, plan: &NewPlan) -> StoreResult<Option<PlanId>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The match is checked in the insert itself, so a mark cleared a moment before cannot
        // slip in between a check and the write.
        let id = sqlx::query_scalar!(
            "insert into idea_plans (couple_id, idea, proposed_by, at, proposed_at) \
             select $1::bigint, $2::text, $3::bigint, $4::timestamptz, $5::timestamptz \
             where exists (select 1 from idea_marks mine \
                           join idea_marks theirs on theirs.couple_id = mine.couple_id and theirs.idea = mine.idea \
                                                  and theirs.author_id <> mine.author_id \
                           where mine.couple_id = $1 and mine.idea = $2 and mine.author_id = $3 \
                             and mine.mark in ('yes', 'maybe') and theirs.mark in ('yes', 'maybe')) \
             returning id",
            plan.couple.0,
            plan.idea,
            plan.proposed_by.0,
            ts(plan.at) as Ts,
            ts(plan.now) as Ts
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(PlanId))
    }

    async fn accept_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query!(
            "update idea_plans set accepted_at = $1, accepted_by = $2 \
             where couple_id = $3 and id = $4 and proposed_by <> $2 \
               and accepted_at is null and cancelled_at is null and at > $1",
            ts(now) as Ts,
            by.0,
            couple.0,
            id.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn cancel_plan(&self, couple: CoupleId, id: PlanId, by: UserId, now: Timestamp) -> StoreResult<bool> {
        let done = sqlx::query!(
            "update idea_plans set cancelled_at = $1, cancelled_by = $2 \
             where couple_id = $3 and id = $4 and cancelled_at is null and at > $1",
            ts(now) as Ts,
            by.0,
            couple.0,
            id.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn plans(&self, couple: CoupleId) -> StoreResult<Vec<Plan>> {
        self.load_plans(couple, None).await
    }

    async fn plan(&self, couple: CoupleId, id: PlanId) -> StoreResult<Option<Plan>> {
        Ok(self.load_plans(couple, Some(id)).await?.pop())
    }

    async fn save_afterwards(&self, r: &AfterwardsRecord) -> StoreResult<bool> {
        // Only for the couple's own plan, accepted, not called off, and whose time has come:
        // decided in the same statement as the write.
        let done = sqlx::query!(
            "insert into plan_afterwards (plan_id, couple_id, author_id, feeling, note, photo_id, at) \
             select id, couple_id, $1::bigint, $2::text, $3::text, $4::text, $5::timestamptz from idea_plans \
             where couple_id = $6 and id = $7 and accepted_at is not null and cancelled_at is null and at <= $5 \
             on conflict (plan_id, author_id) do update set feeling = excluded.feeling, note = excluded.note, \
             photo_id = excluded.photo_id, at = excluded.at",
            r.author.0,
            r.feeling.as_str(),
            r.note,
            r.photo.as_ref().map(PhotoId::as_str),
            ts(r.now) as Ts,
            r.couple.0,
            r.plan.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}

impl PgStore {
    /// The couple's plans (or the one `only`), latest time first, each with its afterwards.
    async fn load_plans(&self, couple: CoupleId, only: Option<PlanId>) -> StoreResult<Vec<Plan>> {
        let only = only.map(|p| p.0);
        let rows = sqlx::query!(
            r#"select id, idea, proposed_by, at as "at: Ts", proposed_at as "proposed_at: Ts",
                      accepted_at as "accepted_at: Ts", cancelled_at as "cancelled_at: Ts"
               from idea_plans where couple_id = $1 and ($2::bigint is null or id = $2)
               order by at desc, id desc"#,
            couple.0,
            only
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let words = sqlx::query!(
            r#"select a.plan_id, a.author_id, a.feeling, a.note, a.photo_id, a.at as "at: Ts"
               from plan_afterwards a join idea_plans p on p.id = a.plan_id
               where a.couple_id = $1 and p.couple_id = $1 and ($2::bigint is null or p.id = $2) order by a.plan_id, a.author_id"#,
            couple.0,
            only
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut afterwards: BTreeMap<i64, Vec<Afterwards>> = BTreeMap::new();
        for w in words {
            afterwards.entry(w.plan_id).or_default().push(Afterwards {
                author: UserId(w.author_id),
                feeling: tag(&w.feeling, Feeling::parse, "feeling")?,
                note: w.note,
                photo: w.photo_id.map(PhotoId::from_stored),
                at: w.at.to_jiff(),
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| Plan {
                id: PlanId(r.id),
                idea: r.idea,
                proposed_by: UserId(r.proposed_by),
                at: r.at.to_jiff(),
                proposed_at: r.proposed_at.to_jiff(),
                accepted_at: r.accepted_at.map(|t| t.to_jiff()),
                cancelled_at: r.cancelled_at.map(|t| t.to_jiff()),
                afterwards: afterwards.remove(&r.id).unwrap_or_default(),
            })
            .collect())
    }
}

/// Deletes what a person wrote here, for `delete_user`, in its transaction: their own ideas,
/// marks and afterwards. Plans they proposed, accepted or called off stay with the partner:
/// they hold no words, and the person's row stays as a tombstone for them to point at.
pub(crate) async fn forget_person(tx: &mut sqlx::PgConnection, user: i64) -> StoreResult<()> {
    sqlx::query!("delete from plan_afterwards where author_id = $1", user).execute(&mut *tx).await.map_err(db)?;
    sqlx::query!("delete from idea_marks where author_id = $1", user).execute(&mut *tx).await.map_err(db)?;
    sqlx::query!("delete from own_ideas where author_id = $1", user).execute(&mut *tx).await.map_err(db)?;
    Ok(())
}
