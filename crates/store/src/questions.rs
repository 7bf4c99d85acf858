//! Question decks: the ladder, exchanges and answers, and the question-of-the-day draws.
//! `Store` methods in `sql.rs` delegate here.

use crate::sql::{SqlStore, db, ms, ts};
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use tend_domain::exchange::{Answer, Exchange, Felt};
use tend_domain::store::{NewAnswerRecord, StoreResult};
use tend_domain::{CoupleId, UserId};

fn answer_from(row: &AnyRow) -> Result<Answer, sqlx::Error> {
    let felt = match (
        row.try_get::<Option<i64>, _>("felt_understood")?,
        row.try_get::<Option<i64>, _>("felt_accepted")?,
        row.try_get::<Option<i64>, _>("felt_cared")?,
    ) {
        (Some(u), Some(a), Some(c)) => Felt::parse(u, a, c).ok(),
        _ => None,
    };
    Ok(Answer {
        author: UserId(row.try_get("author_id")?),
        body: row.try_get("body")?,
        passed: row.try_get::<i64, _>("passed")? != 0,
        answered_at: ts(row.try_get("answered_at")?),
        reply_id: row.try_get("reply_id")?,
        reply_words: row.try_get::<Option<String>, _>("reply_words")?.unwrap_or_default(),
        responded_at: row.try_get::<Option<i64>, _>("responded_at")?.map(ts),
        felt,
        favorite: row.try_get::<i64, _>("favorite")? != 0,
    })
}

fn exchange_from(row: &AnyRow) -> Result<Exchange, sqlx::Error> {
    Ok(Exchange {
        id: row.try_get("id")?,
        question_id: row.try_get("question_id")?,
        depth: u8::try_from(row.try_get::<i64, _>("depth")?).unwrap_or(1),
        created_at: ts(row.try_get("created_at")?),
        completed_at: row.try_get::<Option<i64>, _>("completed_at")?.map(ts),
        answers: Vec::new(),
    })
}

const ANSWER_COLUMNS: &str = "a.exchange_id, a.author_id, a.body, a.passed, a.answered_at, a.reply_id, a.reply_words, \
     a.responded_at, a.felt_understood, a.felt_accepted, a.felt_cared, a.favorite";

impl SqlStore {
    pub(crate) async fn ladder_row(&self, couple: CoupleId) -> StoreResult<(u8, u32, [bool; 2], i64)> {
        let select = "select depth, completed, ready_first, ready_second, version from ladders where couple_id = $1";
        let mut row = sqlx::query(select).bind(couple.0).fetch_optional(self.pool()).await.map_err(db)?;
        if row.is_none() {
            // A couple's first look at the ladder: it starts at depth 1.
            sqlx::query("insert into ladders (couple_id) values ($1) on conflict (couple_id) do nothing")
                .bind(couple.0)
                .execute(self.pool())
                .await
                .map_err(db)?;
            row = sqlx::query(select).bind(couple.0).fetch_optional(self.pool()).await.map_err(db)?;
        }
        let row = row.ok_or(tend_domain::StoreError::NotFound)?;
        let get = |c: &str| row.try_get::<i64, _>(c).map_err(db);
        Ok((
            u8::try_from(get("depth")?).unwrap_or(1),
            u32::try_from(get("completed")?).unwrap_or(0),
            [get("ready_first")? != 0, get("ready_second")? != 0],
            get("version")?,
        ))
    }

    pub(crate) async fn save_ladder_row(
        &self,
        couple: CoupleId,
        version: i64,
        depth: u8,
        completed: u32,
        ready: [bool; 2],
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "update ladders set depth = $1, completed = $2, ready_first = $3, ready_second = $4, version = version + 1 \
             where couple_id = $5 and version = $6",
        )
        .bind(i64::from(depth))
        .bind(i64::from(completed))
        .bind(i64::from(ready[0]))
        .bind(i64::from(ready[1]))
        .bind(couple.0)
        .bind(version)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    /// Exchanges matching `filter` (with `$1` the couple), each with both parts.
    async fn exchange_rows(&self, filter: &str, couple: CoupleId, arg: Option<&str>) -> StoreResult<Vec<Exchange>> {
        let sql = format!(
            "select id, question_id, depth, created_at, completed_at from exchanges where couple_id = $1 {filter} \
             order by created_at desc, id desc"
        );
        let mut query = sqlx::query(&sql).bind(couple.0);
        if let Some(arg) = arg {
            query = query.bind(arg);
        }
        let rows = query.fetch_all(self.pool()).await.map_err(db)?;
        let mut all: Vec<Exchange> = rows.iter().map(exchange_from).collect::<Result<_, _>>().map_err(db)?;
        if all.is_empty() {
            return Ok(all);
        }
        let sql = format!(
            "select {ANSWER_COLUMNS} from answers a join exchanges e on e.id = a.exchange_id \
             where e.couple_id = $1 {} order by a.answered_at",
            filter.replace("question_id", "e.question_id")
        );
        let mut query = sqlx::query(&sql).bind(couple.0);
        if let Some(arg) = arg {
            query = query.bind(arg);
        }
        for row in query.fetch_all(self.pool()).await.map_err(db)? {
            let owner: i64 = row.try_get("exchange_id").map_err(db)?;
            if let Some(e) = all.iter_mut().find(|e| e.id == owner) {
                e.answers.push(answer_from(&row).map_err(db)?);
            }
        }
        Ok(all)
    }

    pub(crate) async fn exchange_row(&self, couple: CoupleId, question_id: &str) -> StoreResult<Option<Exchange>> {
        Ok(self.exchange_rows("and question_id = $2", couple, Some(question_id)).await?.into_iter().next())
    }

    pub(crate) async fn exchange_list(&self, couple: CoupleId) -> StoreResult<Vec<Exchange>> {
        self.exchange_rows("", couple, None).await
    }

    pub(crate) async fn ensure_exchange_row(
        &self,
        couple: CoupleId,
        question_id: &str,
        deck: &str,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<i64> {
        sqlx::query(
            "insert into exchanges (couple_id, question_id, deck, depth, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (couple_id, question_id) do nothing",
        )
        .bind(couple.0)
        .bind(question_id)
        .bind(deck)
        .bind(i64::from(depth))
        .bind(ms(now))
        .execute(self.pool())
        .await
        .map_err(db)?;
        let row = sqlx::query("select id from exchanges where couple_id = $1 and question_id = $2")
            .bind(couple.0)
            .bind(question_id)
            .fetch_one(self.pool())
            .await
            .map_err(db)?;
        row.try_get("id").map_err(db)
    }

    pub(crate) async fn save_answer_row(&self, exchange: i64, a: &NewAnswerRecord) -> StoreResult<bool> {
        let n = sqlx::query(
            "insert into answers (exchange_id, author_id, body, passed, answered_at) \
             select $1, $2, $3, $4, $5 where exists (select 1 from ladders where couple_id = $6 and depth >= $7) \
             and exists (select 1 from exchanges where id = $1 and couple_id = $6) \
             on conflict (exchange_id, author_id) do update \
             set body = excluded.body, passed = excluded.passed, answered_at = excluded.answered_at \
             where answers.passed = 1",
        )
        .bind(exchange)
        .bind(a.author.0)
        .bind(&a.body)
        .bind(i64::from(a.passed))
        .bind(ms(a.now))
        .bind(a.couple.0)
        .bind(i64::from(a.depth))
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    pub(crate) async fn save_response_row(
        &self,
        couple: CoupleId,
        exchange: i64,
        responder: UserId,
        reply_id: Option<&str>,
        words: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "update answers set reply_id = $1, reply_words = $2, responded_at = $3 \
             where exchange_id = $4 and author_id = $5 and exchange_id in (select id from exchanges where couple_id = $6)",
        )
        .bind(reply_id)
        .bind(words)
        .bind(ms(now))
        .bind(exchange)
        .bind(responder.0)
        .bind(couple.0)
        .execute(self.pool())
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    pub(crate) async fn complete_exchange_row(
        &self,
        couple: CoupleId,
        exchange: i64,
        depth: u8,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await.map_err(db)?;
        let n = sqlx::query(
            "update exchanges set completed_at = $1 where id = $2 and couple_id = $3 and completed_at is null",
        )
        .bind(ms(now))
        .bind(exchange)
        .bind(couple.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if n.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "update ladders set completed = completed + 1, version = version + 1 where couple_id = $1 and depth = $2",
        )
        .bind(couple.0)
        .bind(i64::from(depth))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    pub(crate) async fn save_felt_row(
        &self,
        couple: CoupleId,
        exchange: i64,
        author: UserId,
        felt: Felt,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "update answers set felt_understood = $1, felt_accepted = $2, felt_cared = $3 \
             where exchange_id = $4 and author_id = $5 and exchange_id in (select id from exchanges where couple_id = $6)",
        )
        .bind(i64::from(felt.understood))
        .bind(i64::from(felt.accepted))
        .bind(i64::from(felt.cared_for))
        .bind(exchange)
        .bind(author.0)
        .bind(couple.0)
        .execute(self.pool())
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    pub(crate) async fn save_favorite_row(
        &self,
        couple: CoupleId,
        exchange: i64,
        author: UserId,
        on: bool,
    ) -> StoreResult<()> {
        let n = sqlx::query(
            "update answers set favorite = $1 where exchange_id = $2 and author_id = $3 and exchange_id in (select id from exchanges where couple_id = $4)",
        )
        .bind(i64::from(on))
        .bind(exchange)
        .bind(author.0)
        .bind(couple.0)
        .execute(self.pool())
        .await
        .map_err(db)?;
        one_row(n.rows_affected())
    }

    pub(crate) async fn question_draw_rows(&self, couple: CoupleId) -> StoreResult<Vec<(Date, String)>> {
        let rows = sqlx::query("select day, question_id from question_draws where couple_id = $1 order by id")
            .bind(couple.0)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let day: String = r.try_get("day")?;
                let day = day.parse().map_err(|e: jiff::Error| sqlx::Error::Decode(e.into()))?;
                Ok((day, r.try_get("question_id")?))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db)
    }

    pub(crate) async fn add_question_draw_row(
        &self,
        couple: CoupleId,
        day: Date,
        question_id: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query(
            "insert into question_draws (couple_id, day, question_id, drawn_at) values ($1, $2, $3, $4) \
             on conflict (couple_id, day, question_id) do nothing",
        )
        .bind(couple.0)
        .bind(day.to_string())
        .bind(question_id)
        .bind(ms(now))
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(())
    }
}

fn one_row(n: u64) -> StoreResult<()> {
    if n == 1 { Ok(()) } else { Err(tend_domain::StoreError::NotFound) }
}
