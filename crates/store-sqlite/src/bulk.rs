//! Many rows of one kind in one transaction, for the host's tools (`tend demo --couples`).
//!
//! Each batch travels as one JSON array bound to one parameter and is unpacked by SQLite's
//! `json_each`, so a thousand rows are one statement: the SQL stays fixed and checked at
//! compile time, and no row costs a round trip to the connection's thread. Times are Unix
//! milliseconds and days `YYYY-MM-DD`, as everywhere in this crate.

use crate::SqliteStore;
use crate::decode::{bad, day_text, db, is_unique_violation, millis, ms};
use async_trait::async_trait;
use serde_json::{Value, json};
use tend_domain::check_in::CheckInRecord;
use tend_domain::conversation::Rating;
use tend_domain::store::bulk::{
    Bulk, PastAppreciation, PastConversation, PastDraw, PastExchange, PastHug, latest_per_day,
};
use tend_domain::store::{StoreError, StoreResult};

fn array(rows: Vec<Value>) -> StoreResult<String> {
    serde_json::to_string(&Value::Array(rows)).map_err(bad)
}

fn rating(r: Option<Rating>) -> (Option<u8>, Option<u8>) {
    r.map_or((None, None), |r| (Some(r.understood), Some(r.cared_for)))
}

#[async_trait]
impl Bulk for SqliteStore {
    async fn add_check_ins_bulk(&self, records: &[CheckInRecord]) -> StoreResult<u64> {
        if records.is_empty() {
            return Ok(0);
        }
        // The later check-in for an author's day wins, as it would one at a time.
        let rows = latest_per_day(records)
            .into_iter()
            .map(|r| {
                json!({
                    "couple": r.couple.0, "author": r.author.0, "day": day_text(r.day), "high": r.high,
                    "low": r.low, "closeness": r.closeness, "need": r.need, "at": ms(r.now),
                })
            })
            .collect();
        let rows = array(rows)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at) \
             select value ->> 'couple', value ->> 'author', value ->> 'day', value ->> 'high', value ->> 'low', \
                    value ->> 'closeness', value ->> 'need', value ->> 'at', value ->> 'at' \
             from json_each($1) where true \
             on conflict (couple_id, author_id, day) do update set high = excluded.high, low = excluded.low, \
             closeness = excluded.closeness, need = excluded.need, updated_at = excluded.updated_at",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn add_appreciations_bulk(&self, records: &[PastAppreciation]) -> StoreResult<u64> {
        if records.is_empty() {
            return Ok(0);
        }
        let rows = records
            .iter()
            .map(|p| {
                let r = &p.record;
                json!({
                    "couple": r.couple.0, "author": r.author.0, "recipient": r.recipient.0,
                    "kind": r.kind.as_str(), "body": r.body, "starter": r.starter_id, "at": ms(r.now),
                    "reaction": p.reaction.map(|r| r.as_str()), "reply": p.reply, "reacted": p.reacted_at.map(ms),
                })
            })
            .collect();
        let rows = array(rows)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into appreciations \
                 (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply, reacted_at) \
             select value ->> 'couple', value ->> 'author', value ->> 'recipient', value ->> 'kind', \
                    value ->> 'body', value ->> 'starter', value ->> 'at', value ->> 'reaction', value ->> 'reply', \
                    value ->> 'reacted' \
             from json_each($1)",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn add_hugs_bulk(&self, hugs: &[PastHug]) -> StoreResult<u64> {
        if hugs.is_empty() {
            return Ok(0);
        }
        let rows = array(hugs.iter().map(|h| json!({"couple": h.couple.0, "by": h.by.0, "at": ms(h.at)})).collect())?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into hugs (couple_id, logged_by, created_at) \
             select value ->> 'couple', value ->> 'by', value ->> 'at' from json_each($1)",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        // Each couple's last hug, which the next tap is measured against.
        sqlx::query!(
            "update couples set last_hug_at = max(coalesce(last_hug_at, 0), \
                 (select max(value ->> 'at') from json_each($1) where value ->> 'couple' = couples.id)) \
             where id in (select value ->> 'couple' from json_each($1))",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn add_conversations_bulk(&self, conversations: &[PastConversation]) -> StoreResult<u64> {
        if conversations.is_empty() {
            return Ok(0);
        }
        let rows = conversations
            .iter()
            .map(|p| {
                let c = &p.conversation;
                let ((fu, fc), (su, sc)) = (rating(c.first_rating), rating(c.second_rating));
                json!({
                    "couple": p.couple.0, "by": c.started_by.0, "first": c.first_speaker.0,
                    "second": c.second_speaker.0, "minutes": c.minutes, "turn": millis(c.turn),
                    "shared": c.shared_phone, "at": ms(c.created_at), "joined": c.joined_at.map(ms),
                    "first_heard": c.first_heard_at.map(ms), "second_heard": c.second_heard_at.map(ms),
                    "fu": fu, "fc": fc, "su": su, "sc": sc, "cancelled": c.cancelled_at.map(ms),
                })
            })
            .collect();
        let rows = array(rows)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, \
                 shared_phone, created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared, \
                 second_understood, second_cared, cancelled_at, open_slot) \
             select value ->> 'couple', value ->> 'by', value ->> 'first', value ->> 'second', value ->> 'minutes', \
                    value ->> 'turn', value ->> 'shared', value ->> 'at', value ->> 'joined', \
                    value ->> 'first_heard', value ->> 'second_heard', value ->> 'fu', value ->> 'fc', \
                    value ->> 'su', value ->> 'sc', value ->> 'cancelled', null \
             from json_each($1)",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn add_exchanges_bulk(&self, exchanges: &[PastExchange]) -> StoreResult<u64> {
        if exchanges.is_empty() {
            return Ok(0);
        }
        let mut answers = Vec::new();
        let rows = exchanges
            .iter()
            .map(|x| {
                for a in &x.answers {
                    let felt = a.felt.map(|f| (f.understood, f.accepted, f.cared_for));
                    answers.push(json!({
                        "couple": x.couple.0, "question": x.question_id, "author": a.author.0, "body": a.body,
                        "passed": a.passed, "at": ms(a.answered_at), "reply": a.reply_id,
                        // No response is no words; a response without words keeps its empty ones.
                        "words": a.responded_at.map(|_| a.reply_words.as_str()),
                        "responded": a.responded_at.map(ms), "fu": felt.map(|f| f.0), "fa": felt.map(|f| f.1),
                        "fc": felt.map(|f| f.2), "favorite": a.favorite,
                    }));
                }
                json!({
                    "couple": x.couple.0, "question": x.question_id, "deck": x.deck, "depth": x.depth,
                    "at": ms(x.created_at), "completed": x.completed_at.map(ms),
                })
            })
            .collect();
        let (rows, answers) = (array(rows)?, array(answers)?);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let made = sqlx::query!(
            "insert into exchanges (couple_id, question_id, deck, depth, created_at, completed_at) \
             select value ->> 'couple', value ->> 'question', value ->> 'deck', value ->> 'depth', value ->> 'at', \
                    value ->> 'completed' \
             from json_each($1)",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::Conflict("the couple has taken up one of these questions already".into())
            } else {
                db(e)
            }
        })?;
        let answered = sqlx::query!(
            "insert into answers (exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, \
                 responded_at, felt_understood, felt_accepted, felt_cared, favorite) \
             select e.id, j.value ->> 'author', j.value ->> 'body', j.value ->> 'passed', j.value ->> 'at', \
                    j.value ->> 'reply', j.value ->> 'words', j.value ->> 'responded', j.value ->> 'fu', \
                    j.value ->> 'fa', j.value ->> 'fc', j.value ->> 'favorite' \
             from json_each($1) j \
             join exchanges e on e.couple_id = j.value ->> 'couple' and e.question_id = j.value ->> 'question'",
            answers
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(made.rows_affected() + answered.rows_affected())
    }

    async fn add_question_draws_bulk(&self, draws: &[PastDraw]) -> StoreResult<u64> {
        if draws.is_empty() {
            return Ok(0);
        }
        let rows = draws
            .iter()
            .map(|d| json!({"couple": d.couple.0, "day": day_text(d.day), "question": d.question_id, "at": ms(d.at)}))
            .collect();
        let rows = array(rows)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into question_draws (couple_id, day, question_id, drawn_at) \
             select value ->> 'couple', value ->> 'day', value ->> 'question', value ->> 'at' \
             from json_each($1) where true \
             on conflict (couple_id, day, question_id) do nothing",
            rows
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }
}
