//! Question decks: the ladder, the exchanges of answers, and the question of the day.

use crate::SqliteStore;
use crate::decode::{bad, day, day_text, db, ms, one_row, opt_ts, small, ts};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::questions::exchange::{Answer, Exchange, Felt};
use tend_domain::store::{NewAnswerRecord, QuestionDraw, Questions, StoreError, StoreResult, StoredLadder};
use tend_domain::{CoupleId, ExchangeId, UserId};

struct ExchangeRow {
    id: i64,
    question_id: String,
    depth: i64,
    created_at: i64,
    completed_at: Option<i64>,
}

impl ExchangeRow {
    fn into_exchange(self) -> StoreResult<Exchange> {
        Ok(Exchange {
            id: ExchangeId(self.id),
            question_id: self.question_id,
            depth: small(self.depth, 1..=3, "question depth")?,
            created_at: ts(self.created_at)?,
            completed_at: opt_ts(self.completed_at)?,
            answers: Vec::new(),
        })
    }
}

struct AnswerRow {
    exchange_id: i64,
    author_id: i64,
    body: String,
    passed: bool,
    answered_at: i64,
    reply_id: Option<String>,
    reply_words: Option<String>,
    responded_at: Option<i64>,
    felt_understood: Option<i64>,
    felt_accepted: Option<i64>,
    felt_cared: Option<i64>,
    favorite: bool,
}

impl AnswerRow {
    fn into_answer(self) -> StoreResult<Answer> {
        // How one felt is stored as three numbers, all set or none.
        let felt = match (self.felt_understood, self.felt_accepted, self.felt_cared) {
            (None, None, None) => None,
            (Some(u), Some(a), Some(c)) => {
                Some(Felt::parse(u, a, c).map_err(|_| bad(format_args!("felt {u}, {a} and {c}")))?)
            }
            (u, a, c) => return Err(bad(format_args!("part of a felt ({u:?}, {a:?}, {c:?})"))),
        };
        Ok(Answer {
            author: UserId(self.author_id),
            body: self.body,
            passed: self.passed,
            answered_at: ts(self.answered_at)?,
            reply_id: self.reply_id,
            // No words is how a response without any is stored.
            reply_words: self.reply_words.unwrap_or_default(),
            responded_at: opt_ts(self.responded_at)?,
            felt,
            favorite: self.favorite,
        })
    }
}

struct LadderRow {
    depth: i64,
    completed: i64,
    ready_first: bool,
    ready_second: bool,
    version: i64,
}

impl SqliteStore {
    async fn ladder_row(&self, couple: CoupleId) -> StoreResult<Option<LadderRow>> {
        sqlx::query_as!(
            LadderRow,
            r#"select depth, completed, ready_first as "ready_first: bool", ready_second as "ready_second: bool",
                      version
               from ladders where couple_id = $1"#,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)
    }
}

/// Gives each exchange its answers, in the order they were given.
fn with_answers(exchanges: Vec<ExchangeRow>, answers: Vec<AnswerRow>) -> StoreResult<Vec<Exchange>> {
    let mut all: Vec<Exchange> = exchanges.into_iter().map(ExchangeRow::into_exchange).collect::<Result<_, _>>()?;
    for a in answers {
        if let Some(e) = all.iter_mut().find(|e| e.id.0 == a.exchange_id) {
            e.answers.push(a.into_answer()?);
        }
    }
    Ok(all)
}

#[async_trait]
impl Questions for SqliteStore {
    async fn ladder(&self, couple: CoupleId) -> StoreResult<StoredLadder> {
        let mut row = self.ladder_row(couple).await?;
        if row.is_none() {
            // A couple's first look at the ladder makes it, at depth 1.
            sqlx::query!("insert into ladders (couple_id) values ($1) on conflict (couple_id) do nothing", couple.0)
                .execute(&self.pool)
                .await
                .map_err(db)?;
            row = self.ladder_row(couple).await?;
        }
        let r = row.ok_or(StoreError::NotFound)?;
        Ok(StoredLadder {
            depth: small(r.depth, 1..=3, "ladder depth")?,
            completed: u32::try_from(r.completed).map_err(|_| bad(format_args!("completed {}", r.completed)))?,
            ready: [r.ready_first, r.ready_second],
            version: r.version,
        })
    }

    async fn save_ladder(&self, couple: CoupleId, ladder: &StoredLadder) -> StoreResult<bool> {
        let [first, second] = ladder.ready;
        let done = sqlx::query!(
            "update ladders set depth = $1, completed = $2, ready_first = $3, ready_second = $4, version = version + 1 \
             where couple_id = $5 and version = $6",
            ladder.depth,
            ladder.completed,
            first,
            second,
            couple.0,
            ladder.version
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn exchange(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>> {
        let exchanges = sqlx::query_as!(
            ExchangeRow,
            r#"select id as "id!: i64", question_id, depth, created_at, completed_at from exchanges
               where couple_id = $1 and question_id = $2"#,
            couple.0,
            question_id
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        if exchanges.is_empty() {
            return Ok(None);
        }
        let answers = sqlx::query_as!(
            AnswerRow,
            r#"select a.exchange_id, a.author_id, a.body, a.passed as "passed: bool", a.answered_at, a.reply_id,
                      a.reply_words, a.responded_at, a.felt_understood, a.felt_accepted, a.felt_cared,
                      a.favorite as "favorite: bool"
               from answers a join exchanges e on e.id = a.exchange_id
               where e.couple_id = $1 and e.question_id = $2 order by a.answered_at"#,
            couple.0,
            question_id
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(with_answers(exchanges, answers)?.into_iter().next())
    }

    async fn exchanges(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>> {
        let exchanges = sqlx::query_as!(
            ExchangeRow,
            r#"select id as "id!: i64", question_id, depth, created_at, completed_at from exchanges
               where couple_id = $1 order by created_at desc, id desc"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        if exchanges.is_empty() {
            return Ok(Vec::new());
        }
        let answers = sqlx::query_as!(
            AnswerRow,
            r#"select a.exchange_id, a.author_id, a.body, a.passed as "passed: bool", a.answered_at, a.reply_id,
                      a.reply_words, a.responded_at, a.felt_understood, a.felt_accepted, a.felt_cared,
                      a.favorite as "favorite: bool"
               from answers a join exchanges e on e.id = a.exchange_id
               where e.couple_id = $1 order by a.answered_at"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        with_answers(exchanges, answers)
    }

    async fn ensure_exchange(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<ExchangeId> {
        let now = ms(now);
        sqlx::query!(
            "insert into exchanges (couple_id, question_id, deck, depth, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (couple_id, question_id) do nothing",
            couple.0,
            question_id,
            deck,
            depth,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"select id as "id!: i64" from exchanges where couple_id = $1 and question_id = $2"#,
            couple.0,
            question_id
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(ExchangeId(id))
    }

    async fn save_answer(&self, exchange: ExchangeId, a: &NewAnswerRecord) -> StoreResult<bool> {
        let now = ms(a.now);
        // The ladder's depth and the exchange's couple are checked in the same statement, so a
        // step back at the same moment cannot let an answer through; an earlier answer stays,
        // an earlier pass may become an answer.
        let done = sqlx::query!(
            "insert into answers (exchange_id, author_id, body, passed, answered_at) \
             select $1, $2, $3, $4, $5 \
             where exists (select 1 from ladders where couple_id = $6 and depth >= $7) \
             and exists (select 1 from exchanges where id = $1 and couple_id = $6) \
             on conflict (exchange_id, author_id) do update \
             set body = excluded.body, passed = excluded.passed, answered_at = excluded.answered_at \
             where answers.passed = 1",
            exchange.0,
            a.author.0,
            a.body,
            a.passed,
            now,
            a.couple.0,
            a.depth
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
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
        let now = ms(now);
        let done = sqlx::query!(
            "update answers set reply_id = $1, reply_words = $2, responded_at = $3 \
             where exchange_id = $4 and author_id = $5 \
             and exchange_id in (select id from exchanges where couple_id = $6)",
            reply_id,
            words,
            now,
            exchange.0,
            responder.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        one_row(done.rows_affected())
    }

    async fn complete_exchange(
        &self,
        couple: CoupleId,
        exchange: ExchangeId,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "update exchanges set completed_at = $1 where id = $2 and couple_id = $3 and completed_at is null",
            now,
            exchange.0,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query!(
            "update ladders set completed = completed + 1, version = version + 1 where couple_id = $1 and depth = $2",
            couple.0,
            depth
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn save_felt(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, felt: Felt) -> StoreResult<()> {
        let done = sqlx::query!(
            "update answers set felt_understood = $1, felt_accepted = $2, felt_cared = $3 \
             where exchange_id = $4 and author_id = $5 \
             and exchange_id in (select id from exchanges where couple_id = $6)",
            felt.understood,
            felt.accepted,
            felt.cared_for,
            exchange.0,
            author.0,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        one_row(done.rows_affected())
    }

    async fn save_favorite(&self, couple: CoupleId, exchange: ExchangeId, author: UserId, on: bool) -> StoreResult<()> {
        let done = sqlx::query!(
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
        one_row(done.rows_affected())
    }

    async fn question_draws(&self, couple: CoupleId) -> StoreResult<Vec<QuestionDraw>> {
        let rows =
            sqlx::query!("select day, question_id from question_draws where couple_id = $1 order by id", couple.0)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.into_iter().map(|r| Ok(QuestionDraw { day: day(&r.day)?, question_id: r.question_id })).collect()
    }

    async fn question_draws_on(&self, couple: CoupleId, on: Date) -> StoreResult<Vec<QuestionDraw>> {
        let on = day_text(on);
        let rows = sqlx::query!(
            "select day, question_id from question_draws where couple_id = $1 and day = $2 order by id",
            couple.0,
            on
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(|r| Ok(QuestionDraw { day: day(&r.day)?, question_id: r.question_id })).collect()
    }

    async fn add_question_draw(
        &self,
        couple: CoupleId,
        day: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (day, now) = (day_text(day), ms(now));
        sqlx::query!(
            "insert into question_draws (couple_id, day, question_id, drawn_at) values ($1, $2, $3, $4) \
             on conflict (couple_id, day, question_id) do nothing",
            couple.0,
            day,
            question_id,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}
