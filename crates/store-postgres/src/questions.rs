//! Question decks: the couple's ladder, their exchanges and answers, and the question-of-the-day
//! draws.

use crate::{Day, PgStore, Ts, day, db, score, small, ts, unreadable};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::questions::exchange::{Answer, Exchange, Felt};
use tend_domain::store::{NewAnswerRecord, QuestionDraw, Questions, StoreResult, StoredLadder};
use tend_domain::{CoupleId, ExchangeId, StoreError, UserId};

/// An exchange as its queries read it, before its answers are added.
struct ExchangeRow {
    id: i64,
    question_id: String,
    depth: i64,
    created_at: Ts,
    completed_at: Option<Ts>,
}

/// How the one who shared felt, stored in three columns: all or none.
fn felt(understood: Option<i64>, accepted: Option<i64>, cared: Option<i64>) -> StoreResult<Option<Felt>> {
    const WHAT: &str = "how an answer's author felt";
    match (understood, accepted, cared) {
        (None, None, None) => Ok(None),
        (Some(u), Some(a), Some(c)) => {
            Ok(Some(Felt { understood: score(u, WHAT)?, accepted: score(a, WHAT)?, cared_for: score(c, WHAT)? }))
        }
        _ => Err(unreadable(format!("{WHAT} is only partly there"))),
    }
}

fn one_row(n: u64) -> StoreResult<()> {
    if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
}

impl PgStore {
    /// Each exchange with its answers, oldest answer first; one query for all of them.
    async fn with_answers(&self, couple: CoupleId, rows: Vec<ExchangeRow>) -> StoreResult<Vec<Exchange>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let answers = sqlx::query!(
            r#"select a.exchange_id, a.author_id, a.body, a.passed, a.answered_at as "answered_at: Ts", a.reply_id,
                      a.reply_words, a.responded_at as "responded_at: Ts", a.felt_understood, a.felt_accepted,
                      a.felt_cared, a.favorite
               from answers a join exchanges e on e.id = a.exchange_id
               where e.couple_id = $1 and a.exchange_id = any($2)
               order by a.answered_at, a.author_id"#,
            couple.0,
            &ids
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut all = rows
            .into_iter()
            .map(|r| {
                Ok(Exchange {
                    id: ExchangeId(r.id),
                    question_id: r.question_id,
                    depth: small(r.depth, "an exchange's depth")?,
                    created_at: r.created_at.to_jiff(),
                    completed_at: r.completed_at.map(Ts::to_jiff),
                    answers: Vec::new(),
                })
            })
            .collect::<StoreResult<Vec<Exchange>>>()?;
        for a in answers {
            let answer = Answer {
                author: UserId(a.author_id),
                body: a.body,
                passed: a.passed,
                answered_at: a.answered_at.to_jiff(),
                reply_id: a.reply_id,
                reply_words: a.reply_words.unwrap_or_default(),
                responded_at: a.responded_at.map(Ts::to_jiff),
                felt: felt(a.felt_understood, a.felt_accepted, a.felt_cared)?,
                favorite: a.favorite,
            };
            if let Some(e) = all.iter_mut().find(|e| e.id.0 == a.exchange_id) {
                e.answers.push(answer);
            }
        }
        Ok(all)
    }
}

#[async_trait]
impl Questions for PgStore {
    async fn ladder(&self, couple: CoupleId) -> StoreResult<StoredLadder> {
        let read = || {
            sqlx::query!(
                "select depth, completed, ready_first, ready_second, version from ladders where couple_id = $1",
                couple.0
            )
            .fetch_optional(&self.pool)
        };
        let mut row = read().await.map_err(db)?;
        if row.is_none() {
            // A couple's first look at the ladder makes it, at depth 1; a look at the same
            // moment from the other phone finds it made.
            sqlx::query!("insert into ladders (couple_id) values ($1) on conflict (couple_id) do nothing", couple.0)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            row = read().await.map_err(db)?;
        }
        let row = row.ok_or(StoreError::NotFound)?;
        Ok(StoredLadder {
            depth: small(row.depth, "a ladder's depth")?,
            completed: small(row.completed, "a ladder's completed count")?,
            ready: [row.ready_first, row.ready_second],
            version: row.version,
        })
    }

    async fn save_ladder(&self, couple: CoupleId, ladder: &StoredLadder) -> StoreResult<bool> {
        let n = sqlx::query!(
            "update ladders set depth = $1, completed = $2, ready_first = $3, ready_second = $4, \
             version = version + 1 where couple_id = $5 and version = $6",
            i64::from(ladder.depth),
            i64::from(ladder.completed),
            ladder.ready[0],
            ladder.ready[1],
            couple.0,
            ladder.version
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn exchange(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>> {
        let rows = sqlx::query_as!(
            ExchangeRow,
            r#"select id, question_id, depth, created_at as "created_at: Ts", completed_at as "completed_at: Ts"
               from exchanges where couple_id = $1 and question_id = $2"#,
            couple.0,
            question_id
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(self.with_answers(couple, rows).await?.into_iter().next())
    }

    async fn exchanges(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>> {
        let rows = sqlx::query_as!(
            ExchangeRow,
            r#"select id, question_id, depth, created_at as "created_at: Ts", completed_at as "completed_at: Ts"
               from exchanges where couple_id = $1 order by created_at desc, id desc"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        self.with_answers(couple, rows).await
    }

    async fn ensure_exchange(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<ExchangeId> {
        sqlx::query!(
            "insert into exchanges (couple_id, question_id, deck, depth, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (couple_id, question_id) do nothing",
            couple.0,
            question_id,
            deck,
            i64::from(depth),
            ts(now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        let id = sqlx::query_scalar!(
            "select id from exchanges where couple_id = $1 and question_id = $2",
            couple.0,
            question_id
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(ExchangeId(id))
    }

    async fn save_answer(&self, exchange: ExchangeId, a: &NewAnswerRecord) -> StoreResult<bool> {
        // The ladder's depth is checked by the same statement that writes, so a step back at
        // the same moment cannot let a deeper answer through. A pass may become an answer; an
        // answer stays.
        let n = sqlx::query!(
            "insert into answers (exchange_id, author_id, body, passed, answered_at) \
             select $1, $2, $3, $4, $5 where exists (select 1 from ladders where couple_id = $6 and depth >= $7) \
             and exists (select 1 from exchanges where id = $1 and couple_id = $6) \
             on conflict (exchange_id, author_id) do update \
             set body = excluded.body, passed = excluded.passed, answered_at = excluded.answered_at \
             where answers.passed",
            exchange.0,
            a.author.0,
            a.body,
            a.passed,
            ts(a.now) as Ts,
            a.couple.0,
            i64::from(a.depth)
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn save_response(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        responder: UserId,
        reply_id: Option<&str>,
        words: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = sqlx::query!(
            "update answers set reply_id = $1, reply_words = $2, responded_at = $3 \
             where exchange_id = $4 and author_id = $5 \
             and exchange_id in (select id from exchanges where couple_id = $6)",
            reply_id,
            words,
            ts(now) as Ts,
            exchange.0,
            responder.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    async fn complete_exchange(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query!(
            "update exchanges set completed_at = $1 where id = $2 and couple_id = $3 and completed_at is null",
            ts(now) as Ts,
            exchange.0,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if n.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query!(
            "update ladders set completed = completed + 1, version = version + 1 where couple_id = $1 and depth = $2",
            couple.0,
            i64::from(depth)
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn save_felt(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, felt: Felt) -> StoreResult<()> {
        let n = sqlx::query!(
            "update answers set felt_understood = $1, felt_accepted = $2, felt_cared = $3 \
             where exchange_id = $4 and author_id = $5 \
             and exchange_id in (select id from exchanges where couple_id = $6)",
            i64::from(felt.understood),
            i64::from(felt.accepted),
            i64::from(felt.cared_for),
            exchange.0,
            author.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    async fn save_favorite(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, on: bool) -> StoreResult<()> {
        let n = sqlx::query!(
            "update answers set favorite = $1 where exchange_id = $2 and author_id = $3 \
             and exchange_id in (select id from exchanges where couple_id = $4)",
            on,
            exchange.0,
            author.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    async fn question_draws(&self, couple: CoupleId) -> StoreResult<Vec<QuestionDraw>> {
        let rows = sqlx::query!(
            r#"select day as "day: Day", question_id from question_draws where couple_id = $1 order by id"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| QuestionDraw { day: r.day.to_jiff(), question_id: r.question_id }).collect())
    }

    async fn question_draws_on(&self, couple: CoupleId, on: Date) -> StoreResult<Vec<QuestionDraw>> {
        let rows = sqlx::query!(
            r#"select day as "day: Day", question_id from question_draws where couple_id = $1 and day = $2 order by id"#,
            couple.0,
            day(on) as Day
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows.into_iter().map(|r| QuestionDraw { day: r.day.to_jiff(), question_id: r.question_id }).collect())
    }

    async fn add_question_draw(
        &self,
        couple: CoupleId,
        day_drawn: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query!(
            "insert into question_draws (couple_id, day, question_id, drawn_at) values ($1, $2, $3, $4) \
             on conflict (couple_id, day, question_id) do nothing",
            couple.0,
            day(day_drawn) as Day,
            question_id,
            ts(now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}
