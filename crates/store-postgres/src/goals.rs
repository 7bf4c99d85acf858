//! Each other's goals on PostgreSQL: goals, the partner's cheers, the owner's progress notes
//! and the partner's reactions (see `Goals` in the domain).
//!
//! Privacy is in every statement: a read or a partner's write only reaches a goal where
//! `owner_id = viewer or not private`, always within the couple. "Once" is a conditional
//! write (`… where done_at is null`, `… where accepted_at is null`): under READ COMMITTED a
//! second writer waits for the first and checks the condition again on the row it committed.
//! What is added under a goal (a cheer, a progress note) locks the goal's row `for share` in
//! the same statement, and what deletes a goal locks it `for update` first, so a note never
//! lands on a goal that was finished, made private or deleted a moment before.

use crate::{Day, PgStore, Ts, day, db, ts, unreadable};
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
    due: Option<Day>,
    private: bool,
    created_at: Ts,
    updated_at: Ts,
    done_at: Option<Ts>,
}

impl GoalRow {
    fn into_goal(self) -> Goal {
        Goal {
            id: GoalId(self.id),
            owner: UserId(self.owner_id),
            title: self.title,
            why: self.why,
            next_step: self.next_step,
            due: self.due.map(|d| d.to_jiff()),
            private: self.private,
            created_at: self.created_at.to_jiff(),
            updated_at: self.updated_at.to_jiff(),
            done_at: self.done_at.map(|t| t.to_jiff()),
        }
    }
}

struct CheerRow {
    id: i64,
    goal_id: i64,
    author_id: i64,
    kind: String,
    words: String,
    ask_on: Option<Day>,
    accepted_at: Option<Ts>,
    created_at: Ts,
}

impl CheerRow {
    fn into_cheer(self) -> StoreResult<Cheer> {
        Ok(Cheer {
            id: CheerId(self.id),
            goal: GoalId(self.goal_id),
            author: UserId(self.author_id),
            kind: CheerKind::parse(&self.kind)
                .ok_or_else(|| unreadable(format!("a cheer has the unknown kind {:?}", self.kind)))?,
            words: self.words,
            ask_on: self.ask_on.map(|d| d.to_jiff()),
            accepted_at: self.accepted_at.map(|t| t.to_jiff()),
            at: self.created_at.to_jiff(),
        })
    }
}

struct ProgressRow {
    id: i64,
    goal_id: i64,
    note: String,
    created_at: Ts,
    reaction: Option<String>,
    reacted_at: Option<Ts>,
}

impl ProgressRow {
    fn into_progress(self) -> StoreResult<Progress> {
        let reaction = match self.reaction {
            None => None,
            Some(r) => Some(
                ProgressReaction::parse(&r)
                    .ok_or_else(|| unreadable(format!("a progress note has the unknown reaction {r:?}")))?,
            ),
        };
        Ok(Progress {
            id: ProgressId(self.id),
            goal: GoalId(self.goal_id),
            note: self.note,
            at: self.created_at.to_jiff(),
            reaction,
            reacted_at: self.reacted_at.map(|t| t.to_jiff()),
        })
    }
}

#[async_trait]
impl Goals for PgStore {
    async fn create_goal(&self, goal: &NewGoal) -> StoreResult<GoalId> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into goals (couple_id, owner_id, title, why, next_step, due, private, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id",
            goal.couple.0,
            goal.owner.0,
            goal.title,
            goal.why,
            goal.next_step,
            goal.due.map(day) as Option<Day>,
            goal.private,
            ts(goal.now) as Ts
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
        let done = sqlx::query!(
            "update goals set title = $1, why = $2, next_step = $3, due = $4, private = $5, updated_at = $6 \
             where id = $7 and couple_id = $8 and owner_id = $9 and done_at is null",
            change.title,
            change.why,
            change.next_step,
            change.due.map(day) as Option<Day>,
            change.private,
            ts(now) as Ts,
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
        let done = sqlx::query!(
            "update goals set done_at = $1 where id = $2 and couple_id = $3 and owner_id = $4 and done_at is null",
            ts(now) as Ts,
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
        // The goal's row is the lock: a cheer or a note being added waits, then finds no goal.
        let found = sqlx::query_scalar!(
            "select id from goals where id = $1 and couple_id = $2 and owner_id = $3 for update",
            id,
            couple,
            owner
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if found.is_none() {
            return Ok(false);
        }
        sqlx::query!("delete from goal_cheers where goal_id = $1 and couple_id = $2", id, couple)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!("delete from goal_progress where goal_id = $1 and couple_id = $2", id, couple)
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
            r#"select id, owner_id, title, why, next_step, due as "due: Day", private,
                      created_at as "created_at: Ts", updated_at as "updated_at: Ts", done_at as "done_at: Ts"
               from goals where couple_id = $1 and (owner_id = $2 or not private)
               order by created_at desc, id desc"#,
            couple.0,
            viewer.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(GoalRow::into_goal).collect())
    }

    async fn goal(&self, couple: CoupleId, id: GoalId, viewer: UserId) -> StoreResult<Option<GoalDetail>> {
        let (couple, id, viewer) = (couple.0, id.0, viewer.0);
        let row = sqlx::query_as!(
            GoalRow,
            r#"select id, owner_id, title, why, next_step, due as "due: Day", private,
                      created_at as "created_at: Ts", updated_at as "updated_at: Ts", done_at as "done_at: Ts"
               from goals where id = $1 and couple_id = $2 and (owner_id = $3 or not private)"#,
            id,
            couple,
            viewer
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        // Each read keeps the viewer's filter, so a goal made private in between shows nothing.
        let cheers = sqlx::query_as!(
            CheerRow,
            r#"select c.id, c.goal_id, c.author_id, c.kind, c.words, c.ask_on as "ask_on: Day",
                      c.accepted_at as "accepted_at: Ts", c.created_at as "created_at: Ts"
               from goal_cheers c join goals g on g.id = c.goal_id
               where c.goal_id = $1 and c.couple_id = $2 and g.couple_id = $2 and (g.owner_id = $3 or not g.private)
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
            r#"select p.id, p.goal_id, p.note, p.created_at as "created_at: Ts", p.reaction,
                      p.reacted_at as "reacted_at: Ts"
               from goal_progress p join goals g on g.id = p.goal_id
               where p.goal_id = $1 and p.couple_id = $2 and g.couple_id = $2 and (g.owner_id = $3 or not g.private)
               order by p.created_at, p.id"#,
            id,
            couple,
            viewer
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(Some(GoalDetail {
            goal: row.into_goal(),
            cheers: cheers.into_iter().map(CheerRow::into_cheer).collect::<StoreResult<_>>()?,
            progress: progress.into_iter().map(ProgressRow::into_progress).collect::<StoreResult<_>>()?,
        }))
    }

    async fn add_cheer(&self, cheer: &NewCheer) -> StoreResult<Option<CheerId>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One statement decides and writes: the couple's goal, not the author's own, not
        // private, not done, as it stands once any change to it being made has committed.
        let id = sqlx::query_scalar!(
            "insert into goal_cheers (goal_id, couple_id, author_id, kind, words, ask_on, created_at) \
             select id, couple_id, $3, $4, $5, $6, $7 from goals \
             where id = $1 and couple_id = $2 and owner_id <> $3 and not private and done_at is null \
             for share \
             returning id",
            cheer.goal.0,
            cheer.couple.0,
            cheer.author.0,
            cheer.kind.as_str(),
            cheer.words,
            cheer.ask_on.map(day) as Option<Day>,
            ts(cheer.now) as Ts
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
        let done = sqlx::query!(
            "update goal_cheers set accepted_at = $1 \
             where id = $2 and goal_id = $3 and couple_id = $4 and kind = 'help' and accepted_at is null \
             and goal_id in (select id from goals where id = $3 and couple_id = $4 and owner_id = $5)",
            ts(now) as Ts,
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into goal_progress (goal_id, couple_id, note, created_at) \
             select id, couple_id, $3, $4 from goals \
             where id = $1 and couple_id = $2 and owner_id = $5 and done_at is null \
             for share \
             returning id",
            progress.goal.0,
            progress.couple.0,
            progress.note,
            ts(progress.now) as Ts,
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
        let (reacted_by, reacted_at) = (reaction.map(|_| by.0), reaction.map(|_| ts(now)));
        let done = sqlx::query!(
            "update goal_progress set reaction = $1, reacted_by = $2, reacted_at = $3 \
             where id = $4 and goal_id = $5 and couple_id = $6 \
             and goal_id in (select id from goals where id = $5 and couple_id = $6 and owner_id <> $7 and not private)",
            reaction,
            reacted_by,
            reacted_at as Option<Ts>,
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
        let rows = sqlx::query!(
            r#"select g.id as "g_id!", g.owner_id as "g_owner_id!", g.title as "g_title!", g.why as "g_why!",
                      g.next_step as "g_next_step!", g.due as "g_due?: Day", g.private as "g_private!",
                      g.created_at as "g_created_at!: Ts", g.updated_at as "g_updated_at!: Ts",
                      g.done_at as "g_done_at?: Ts",
                      c.id as "c_id!", c.author_id as "c_author_id!", c.kind as "c_kind!", c.words as "c_words!",
                      c.ask_on as "c_ask_on?: Day", c.accepted_at as "c_accepted_at?: Ts",
                      c.created_at as "c_created_at!: Ts"
               from goal_cheers c join goals g on g.id = c.goal_id and g.couple_id = c.couple_id
               where c.couple_id = $1 and c.author_id = $2 and c.kind = 'ask' and c.ask_on >= $3 and c.ask_on <= $4
                 and (g.owner_id = $2 or not g.private)
               order by c.ask_on, c.created_at, c.id"#,
            couple.0,
            asker.0,
            day(from) as Day,
            day(to) as Day
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
                Ok(DueAsk { goal: goal.into_goal(), cheer: cheer.into_cheer()? })
            })
            .collect()
    }
}

/// Deletes what a person wrote here, for `delete_user`, in its transaction: their goals with
/// everything on them, their cheers on the partner's goals, and their reactions.
pub(crate) async fn forget_person(tx: &mut sqlx::PgConnection, user: i64) -> StoreResult<()> {
    // Their goals' rows first, so a cheer being added to one waits, then finds it gone.
    sqlx::query_scalar!("select id from goals where owner_id = $1 for update", user)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
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
