//! Each other's goals on SQLite: goals, the partner's cheers, the owner's progress notes and
//! the partner's reactions (see `Goals` in the domain).
//!
//! Privacy is in every statement: a read or a partner's write only reaches a goal where
//! `owner_id = viewer or private = 0`, always within the couple. "Once" is a conditional write
//! (`… where done_at is null`, `… where accepted_at is null`), and SQLite's single writer makes
//! each one whole: two phones finishing a goal at once find one of them already done.

use crate::SqliteStore;
use crate::decode::{bad, day, day_text, db, ms, opt_ts, ts};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::goals::{Cheer, CheerKind, DueAsk, Goal, GoalDetail, Progress, ProgressReaction};
use tend_domain::ids::{CheerId, CoupleId, GoalId, ProgressId, UserId};
use tend_domain::store::StoreResult;
use tend_domain::store::goals::{GoalChange, Goals, NewCheer, NewGoal, NewProgress};

struct GoalRow {
    id: i64,
    owner_id: i64,
    title: String,
    why: String,
    next_step: String,
    due: Option<String>,
    private: bool,
    created_at: i64,
    updated_at: i64,
    done_at: Option<i64>,
}

impl GoalRow {
    fn into_goal(self) -> StoreResult<Goal> {
        Ok(Goal {
            id: GoalId(self.id),
            owner: UserId(self.owner_id),
            title: self.title,
            why: self.why,
            next_step: self.next_step,
            due: self.due.as_deref().map(day).transpose()?,
            private: self.private,
            created_at: ts(self.created_at)?,
            updated_at: ts(self.updated_at)?,
            done_at: opt_ts(self.done_at)?,
        })
    }
}

struct CheerRow {
    id: i64,
    goal_id: i64,
    author_id: i64,
    kind: String,
    words: String,
    ask_on: Option<String>,
    accepted_at: Option<i64>,
    created_at: i64,
}

impl CheerRow {
    fn into_cheer(self) -> StoreResult<Cheer> {
        Ok(Cheer {
            id: CheerId(self.id),
            goal: GoalId(self.goal_id),
            author: UserId(self.author_id),
            kind: CheerKind::parse(&self.kind).ok_or_else(|| bad(format_args!("cheer kind {:?}", self.kind)))?,
            words: self.words,
            ask_on: self.ask_on.as_deref().map(day).transpose()?,
            accepted_at: opt_ts(self.accepted_at)?,
            at: ts(self.created_at)?,
        })
    }
}

struct ProgressRow {
    id: i64,
    goal_id: i64,
    note: String,
    created_at: i64,
    reaction: Option<String>,
    reacted_at: Option<i64>,
}

impl ProgressRow {
    fn into_progress(self) -> StoreResult<Progress> {
        let reaction = match self.reaction {
            None => None,
            Some(r) => Some(ProgressReaction::parse(&r).ok_or_else(|| bad(format_args!("progress reaction {r:?}")))?),
        };
        Ok(Progress {
            id: ProgressId(self.id),
            goal: GoalId(self.goal_id),
            note: self.note,
            at: ts(self.created_at)?,
            reaction,
            reacted_at: opt_ts(self.reacted_at)?,
        })
    }
}

#[async_trait]
impl Goals for SqliteStore {
    async fn create_goal(&self, goal: &NewGoal) -> StoreResult<GoalId> {
        let (due, now) = (goal.due.map(day_text), ms(goal.now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into goals (couple_id, owner_id, title, why, next_step, due, private, created_at, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
               returning id as "id!: i64""#,
            goal.couple.0,
            goal.owner.0,
            goal.title,
            goal.why,
            goal.next_step,
            due,
            goal.private,
            now
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(GoalId(id))
    }

    async fn update_goal(
        &self,
        couple: CoupleId,
        id: GoalId,
        owner: UserId,
        change: &GoalChange,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (due, now) = (change.due.map(day_text), ms(now));
        let done = sqlx::query!(
            "update goals set title = $1, why = $2, next_step = $3, due = $4, private = $5, updated_at = $6 \
             where id = $7 and couple_id = $8 and owner_id = $9 and done_at is null",
            change.title,
            change.why,
            change.next_step,
            due,
            change.private,
            now,
            id.0,
            couple.0,
            owner.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_goal(&self, couple: CoupleId, id: GoalId, owner: UserId, now: Timestamp) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update goals set done_at = $1 where id = $2 and couple_id = $3 and owner_id = $4 and done_at is null",
            now,
            id.0,
            couple.0,
            owner.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_goal(&self, couple: CoupleId, id: GoalId, owner: UserId) -> StoreResult<bool> {
        let (id, couple, owner) = (id.0, couple.0, owner.0);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Each statement deletes only under the owner's goal, and the first one, a write, takes
        // SQLite's write lock, so nothing is added to the goal between these statements.
        sqlx::query!(
            "delete from goal_cheers where goal_id = $1 and couple_id = $2 \
             and goal_id in (select id from goals where id = $1 and couple_id = $2 and owner_id = $3)",
            id,
            couple,
            owner
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!(
            "delete from goal_progress where goal_id = $1 and couple_id = $2 \
             and goal_id in (select id from goals where id = $1 and couple_id = $2 and owner_id = $3)",
            id,
            couple,
            owner
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let deleted =
            sqlx::query!("delete from goals where id = $1 and couple_id = $2 and owner_id = $3", id, couple, owner)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(deleted == 1)
    }

    async fn goals(&self, couple: CoupleId, viewer: UserId) -> StoreResult<Vec<Goal>> {
        let rows = sqlx::query_as!(
            GoalRow,
            r#"select id as "id!: i64", owner_id, title, why, next_step, due, private as "private: bool",
                      created_at, updated_at, done_at
               from goals where couple_id = $1 and (owner_id = $2 or private = 0)
               order by created_at desc, id desc"#,
            couple.0,
            viewer.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(GoalRow::into_goal).collect()
    }

    async fn goal(&self, couple: CoupleId, id: GoalId, viewer: UserId) -> StoreResult<Option<GoalDetail>> {
        let (couple, id, viewer) = (couple.0, id.0, viewer.0);
        let row = sqlx::query_as!(
            GoalRow,
            r#"select id as "id!: i64", owner_id, title, why, next_step, due, private as "private: bool",
                      created_at, updated_at, done_at
               from goals where id = $1 and couple_id = $2 and (owner_id = $3 or private = 0)"#,
            id,
            couple,
            viewer
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let goal = row.into_goal()?;
        // Each read keeps the viewer's filter, so a goal made private in between shows nothing.
        let cheers = sqlx::query_as!(
            CheerRow,
            r#"select c.id as "id!: i64", c.goal_id as "goal_id!: i64", c.author_id as "author_id!: i64",
                      c.kind as "kind!: String", c.words as "words!: String", c.ask_on as "ask_on?: String",
                      c.accepted_at as "accepted_at?: i64", c.created_at as "created_at!: i64"
               from goal_cheers c join goals g on g.id = c.goal_id
               where c.goal_id = $1 and c.couple_id = $2 and g.couple_id = $2 and (g.owner_id = $3 or g.private = 0)
               order by c.created_at, c.id"#,
            id,
            couple,
            viewer
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let progress = sqlx::query_as!(
            ProgressRow,
            r#"select p.id as "id!: i64", p.goal_id as "goal_id!: i64", p.note as "note!: String",
                      p.created_at as "created_at!: i64", p.reaction as "reaction?: String",
                      p.reacted_at as "reacted_at?: i64"
               from goal_progress p join goals g on g.id = p.goal_id
               where p.goal_id = $1 and p.couple_id = $2 and g.couple_id = $2 and (g.owner_id = $3 or g.private = 0)
               order by p.created_at, p.id"#,
            id,
            couple,
            viewer
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(Some(GoalDetail {
            goal,
            cheers: cheers.into_iter().map(CheerRow::into_cheer).collect::<StoreResult<_>>()?,
            progress: progress.into_iter().map(ProgressRow::into_progress).collect::<StoreResult<_>>()?,
        }))
    }

    async fn add_cheer(&self, cheer: &NewCheer) -> StoreResult<Option<CheerId>> {
        let (kind, ask_on, now) = (cheer.kind.as_str(), cheer.ask_on.map(day_text), ms(cheer.now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One statement decides and writes: the couple's goal, not the author's own, not
        // private, not done.
        let id = sqlx::query_scalar!(
            r#"insert into goal_cheers (goal_id, couple_id, author_id, kind, words, ask_on, created_at)
               select id, couple_id, $3, $4, $5, $6, $7 from goals
               where id = $1 and couple_id = $2 and owner_id <> $3 and private = 0 and done_at is null
               returning id as "id!: i64""#,
            cheer.goal.0,
            cheer.couple.0,
            cheer.author.0,
            kind,
            cheer.words,
            ask_on,
            now
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(CheerId))
    }

    async fn accept_help(
        &self,
        couple: CoupleId,
        goal: GoalId,
        cheer: CheerId,
        owner: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update goal_cheers set accepted_at = $1 \
             where id = $2 and goal_id = $3 and couple_id = $4 and kind = 'help' and accepted_at is null \
             and goal_id in (select id from goals where id = $3 and couple_id = $4 and owner_id = $5)",
            now,
            cheer.0,
            goal.0,
            couple.0,
            owner.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_progress(&self, progress: &NewProgress) -> StoreResult<Option<ProgressId>> {
        let now = ms(progress.now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into goal_progress (goal_id, couple_id, note, created_at)
               select id, couple_id, $3, $4 from goals
               where id = $1 and couple_id = $2 and owner_id = $5 and done_at is null
               returning id as "id!: i64""#,
            progress.goal.0,
            progress.couple.0,
            progress.note,
            now,
            progress.owner.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(ProgressId))
    }

    async fn react_to_progress(
        &self,
        couple: CoupleId,
        goal: GoalId,
        progress: ProgressId,
        by: UserId,
        reaction: Option<ProgressReaction>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        // Taking a reaction back clears who gave it and when, too.
        let reaction = reaction.map(ProgressReaction::as_str);
        let (reacted_by, reacted_at) = (reaction.map(|_| by.0), reaction.map(|_| ms(now)));
        let done = sqlx::query!(
            "update goal_progress set reaction = $1, reacted_by = $2, reacted_at = $3 \
             where id = $4 and goal_id = $5 and couple_id = $6 \
             and goal_id in (select id from goals where id = $5 and couple_id = $6 and owner_id <> $7 and private = 0)",
            reaction,
            reacted_by,
            reacted_at,
            progress.0,
            goal.0,
            couple.0,
            by.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn asks_between(&self, couple: CoupleId, asker: UserId, from: Date, to: Date) -> StoreResult<Vec<DueAsk>> {
        let (from, to) = (day_text(from), day_text(to));
        let rows = sqlx::query!(
            r#"select g.id as "g_id!: i64", g.owner_id as "g_owner_id!: i64", g.title as "g_title!: String",
                      g.why as "g_why!: String", g.next_step as "g_next_step!: String", g.due as "g_due?: String",
                      g.private as "g_private!: bool", g.created_at as "g_created_at!: i64",
                      g.updated_at as "g_updated_at!: i64", g.done_at as "g_done_at?: i64",
                      c.id as "c_id!: i64", c.author_id as "c_author_id!: i64", c.kind as "c_kind!: String",
                      c.words as "c_words!: String", c.ask_on as "c_ask_on?: String",
                      c.accepted_at as "c_accepted_at?: i64", c.created_at as "c_created_at!: i64"
               from goal_cheers c join goals g on g.id = c.goal_id and g.couple_id = c.couple_id
               where c.couple_id = $1 and c.author_id = $2 and c.kind = 'ask' and c.ask_on >= $3 and c.ask_on <= $4
                 and (g.owner_id = $2 or g.private = 0)
               order by c.ask_on, c.created_at, c.id"#,
            couple.0,
            asker.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                let goal = GoalRow {
                    id: r.g_id,
                    owner_id: r.g_owner_id,
                    title: r.g_title,
                    why: r.g_why,
                    next_step: r.g_next_step,
                    due: r.g_due,
                    private: r.g_private,
                    created_at: r.g_created_at,
                    updated_at: r.g_updated_at,
                    done_at: r.g_done_at,
                };
                let cheer = CheerRow {
                    id: r.c_id,
                    goal_id: r.g_id,
                    author_id: r.c_author_id,
                    kind: r.c_kind,
                    words: r.c_words,
                    ask_on: r.c_ask_on,
                    accepted_at: r.c_accepted_at,
                    created_at: r.c_created_at,
                };
                Ok(DueAsk { goal: goal.into_goal()?, cheer: cheer.into_cheer()? })
            })
            .collect()
    }
}

/// Deletes what a person wrote here, for `delete_user`, in its transaction: their goals with
/// everything on them, their cheers on the partner's goals, and their reactions.
pub(crate) async fn forget_person(tx: &mut sqlx::SqliteConnection, user: i64) -> StoreResult<()> {
    sqlx::query!("delete from goal_cheers where goal_id in (select id from goals where owner_id = $1)", user)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query!("delete from goal_progress where goal_id in (select id from goals where owner_id = $1)", user)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    sqlx::query!("delete from goals where owner_id = $1", user).execute(&mut *tx).await.map_err(db)?;
    sqlx::query!("delete from goal_cheers where author_id = $1", user).execute(&mut *tx).await.map_err(db)?;
    sqlx::query!(
        "update goal_progress set reaction = null, reacted_by = null, reacted_at = null where reacted_by = $1",
        user
    )
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    Ok(())
}
