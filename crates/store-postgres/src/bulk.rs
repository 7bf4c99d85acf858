//! Many rows of one kind in one transaction, for the host's tools (`tend demo --couples`).
//!
//! Each batch travels as one array per column and is unpacked by `unnest`, so a thousand rows
//! are one statement and one round trip, with the SQL fixed and checked at compile time.

use crate::{Day, PgStore, Ts, db, is_unique_violation, ts};
use async_trait::async_trait;
use tend_domain::check_in::CheckInRecord;
use tend_domain::conversation::Rating;
use tend_domain::store::bulk::{
    Bulk, PastAppreciation, PastConversation, PastDraw, PastExchange, PastHug, latest_per_day,
};
use tend_domain::store::{StoreError, StoreResult};

fn score(r: Option<Rating>, part: fn(Rating) -> u8) -> Option<i64> {
    r.map(|r| i64::from(part(r)))
}

fn turn_ms(d: jiff::SignedDuration) -> StoreResult<i64> {
    i64::try_from(d.as_millis()).map_err(|_| StoreError::Backend(format!("a turn of {d:?} is too long to store")))
}

#[async_trait]
impl Bulk for PgStore {
    async fn add_check_ins_bulk(&self, records: &[CheckInRecord]) -> StoreResult<u64> {
        if records.is_empty() {
            return Ok(0);
        }
        // One statement may not update a row twice: the later check-in for an author's day wins,
        // as it would one at a time.
        let kept = latest_per_day(records);
        let couples: Vec<i64> = kept.iter().map(|r| r.couple.0).collect();
        let authors: Vec<i64> = kept.iter().map(|r| r.author.0).collect();
        let days: Vec<Day> = kept.iter().map(|r| r.day.into()).collect();
        let highs: Vec<&str> = kept.iter().map(|r| r.high.as_str()).collect();
        let lows: Vec<&str> = kept.iter().map(|r| r.low.as_str()).collect();
        let closeness: Vec<i64> = kept.iter().map(|r| i64::from(r.closeness)).collect();
        let needs: Vec<&str> = kept.iter().map(|r| r.need.as_str()).collect();
        let times: Vec<Ts> = kept.iter().map(|r| ts(r.now)).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into check_ins (couple_id, author_id, day, high, low, closeness, need, created_at, updated_at) \
             select c.couple, c.author, c.day, c.high, c.low, c.closeness, c.need, c.at, c.at \
             from unnest($1::bigint[], $2::bigint[], $3::date[], $4::text[], $5::text[], $6::bigint[], $7::text[], \
                         $8::timestamptz[]) as c (couple, author, day, high, low, closeness, need, at) \
             on conflict (couple_id, author_id, day) do update set high = excluded.high, low = excluded.low, \
             closeness = excluded.closeness, need = excluded.need, updated_at = excluded.updated_at",
            &couples,
            &authors,
            &days as &[Day],
            &highs as &[&str],
            &lows as &[&str],
            &closeness,
            &needs as &[&str],
            &times as &[Ts]
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
        let couples: Vec<i64> = records.iter().map(|p| p.record.couple.0).collect();
        let authors: Vec<i64> = records.iter().map(|p| p.record.author.0).collect();
        let recipients: Vec<i64> = records.iter().map(|p| p.record.recipient.0).collect();
        let kinds: Vec<&str> = records.iter().map(|p| p.record.kind.as_str()).collect();
        let bodies: Vec<&str> = records.iter().map(|p| p.record.body.as_str()).collect();
        let starters: Vec<Option<&str>> = records.iter().map(|p| p.record.starter_id.as_deref()).collect();
        let times: Vec<Ts> = records.iter().map(|p| ts(p.record.now)).collect();
        let reactions: Vec<Option<&str>> = records.iter().map(|p| p.reaction.map(|r| r.as_str())).collect();
        let replies: Vec<&str> = records.iter().map(|p| p.reply.as_str()).collect();
        let reacted: Vec<Option<Ts>> = records.iter().map(|p| p.reacted_at.map(ts)).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into appreciations \
                 (couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply, reacted_at) \
             select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], \
                                  $7::timestamptz[], $8::text[], $9::text[], $10::timestamptz[])",
            &couples,
            &authors,
            &recipients,
            &kinds as &[&str],
            &bodies as &[&str],
            &starters as &[Option<&str>],
            &times as &[Ts],
            &reactions as &[Option<&str>],
            &replies as &[&str],
            &reacted as &[Option<Ts>]
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
        let couples: Vec<i64> = hugs.iter().map(|h| h.couple.0).collect();
        let by: Vec<i64> = hugs.iter().map(|h| h.by.0).collect();
        let times: Vec<Ts> = hugs.iter().map(|h| ts(h.at)).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into hugs (couple_id, logged_by, created_at) \
             select * from unnest($1::bigint[], $2::bigint[], $3::timestamptz[])",
            &couples,
            &by,
            &times as &[Ts]
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        // Each couple's last hug, which the next tap is measured against.
        sqlx::query!(
            "update couples c set last_hug_at = greatest(c.last_hug_at, h.at) \
             from (select couple, max(at) as at from unnest($1::bigint[], $2::timestamptz[]) as u (couple, at) \
                   group by couple) h \
             where c.id = h.couple",
            &couples,
            &times as &[Ts]
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
        let all = conversations;
        let couples: Vec<i64> = all.iter().map(|p| p.couple.0).collect();
        let by: Vec<i64> = all.iter().map(|p| p.conversation.started_by.0).collect();
        let first: Vec<i64> = all.iter().map(|p| p.conversation.first_speaker.0).collect();
        let second: Vec<i64> = all.iter().map(|p| p.conversation.second_speaker.0).collect();
        let minutes: Vec<i64> = all.iter().map(|p| i64::from(p.conversation.minutes)).collect();
        let turns: Vec<i64> = all.iter().map(|p| turn_ms(p.conversation.turn)).collect::<StoreResult<_>>()?;
        let shared: Vec<bool> = all.iter().map(|p| p.conversation.shared_phone).collect();
        let created: Vec<Ts> = all.iter().map(|p| ts(p.conversation.created_at)).collect();
        let joined: Vec<Option<Ts>> = all.iter().map(|p| p.conversation.joined_at.map(ts)).collect();
        let first_heard: Vec<Option<Ts>> = all.iter().map(|p| p.conversation.first_heard_at.map(ts)).collect();
        let second_heard: Vec<Option<Ts>> = all.iter().map(|p| p.conversation.second_heard_at.map(ts)).collect();
        let fu: Vec<Option<i64>> = all.iter().map(|p| score(p.conversation.first_rating, |r| r.understood)).collect();
        let fc: Vec<Option<i64>> = all.iter().map(|p| score(p.conversation.first_rating, |r| r.cared_for)).collect();
        let su: Vec<Option<i64>> = all.iter().map(|p| score(p.conversation.second_rating, |r| r.understood)).collect();
        let sc: Vec<Option<i64>> = all.iter().map(|p| score(p.conversation.second_rating, |r| r.cared_for)).collect();
        let cancelled: Vec<Option<Ts>> = all.iter().map(|p| p.conversation.cancelled_at.map(ts)).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, \
                 shared_phone, created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared, \
                 second_understood, second_cared, cancelled_at) \
             select * from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], \
                                  $6::bigint[], $7::boolean[], $8::timestamptz[], $9::timestamptz[], \
                                  $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::bigint[], \
                                  $14::bigint[], $15::bigint[], $16::timestamptz[])",
            &couples,
            &by,
            &first,
            &second,
            &minutes,
            &turns,
            &shared,
            &created as &[Ts],
            &joined as &[Option<Ts>],
            &first_heard as &[Option<Ts>],
            &second_heard as &[Option<Ts>],
            &fu as &[Option<i64>],
            &fc as &[Option<i64>],
            &su as &[Option<i64>],
            &sc as &[Option<i64>],
            &cancelled as &[Option<Ts>]
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
        let couples: Vec<i64> = exchanges.iter().map(|x| x.couple.0).collect();
        let questions: Vec<&str> = exchanges.iter().map(|x| x.question_id.as_str()).collect();
        let decks: Vec<&str> = exchanges.iter().map(|x| x.deck.as_str()).collect();
        let depths: Vec<i64> = exchanges.iter().map(|x| i64::from(x.depth)).collect();
        let created: Vec<Ts> = exchanges.iter().map(|x| ts(x.created_at)).collect();
        let completed: Vec<Option<Ts>> = exchanges.iter().map(|x| x.completed_at.map(ts)).collect();
        let parts: Vec<_> = exchanges.iter().flat_map(|x| x.answers.iter().map(move |a| (x, a))).collect();
        let a_couples: Vec<i64> = parts.iter().map(|(x, _)| x.couple.0).collect();
        let a_questions: Vec<&str> = parts.iter().map(|(x, _)| x.question_id.as_str()).collect();
        let authors: Vec<i64> = parts.iter().map(|(_, a)| a.author.0).collect();
        let bodies: Vec<&str> = parts.iter().map(|(_, a)| a.body.as_str()).collect();
        let passed: Vec<bool> = parts.iter().map(|(_, a)| a.passed).collect();
        let answered: Vec<Ts> = parts.iter().map(|(_, a)| ts(a.answered_at)).collect();
        let replies: Vec<Option<&str>> = parts.iter().map(|(_, a)| a.reply_id.as_deref()).collect();
        // No response is no words; a response without words keeps its empty ones.
        let words: Vec<Option<&str>> =
            parts.iter().map(|(_, a)| a.responded_at.map(|_| a.reply_words.as_str())).collect();
        let responded: Vec<Option<Ts>> = parts.iter().map(|(_, a)| a.responded_at.map(ts)).collect();
        let felt = |part: fn(&tend_domain::questions::exchange::Felt) -> u8| -> Vec<Option<i64>> {
            parts.iter().map(|(_, a)| a.felt.as_ref().map(|f| i64::from(part(f)))).collect()
        };
        let (fu, fa, fc) = (felt(|f| f.understood), felt(|f| f.accepted), felt(|f| f.cared_for));
        let favorite: Vec<bool> = parts.iter().map(|(_, a)| a.favorite).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let made = sqlx::query!(
            "insert into exchanges (couple_id, question_id, deck, depth, created_at, completed_at) \
             select * from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[], \
                                  $6::timestamptz[])",
            &couples,
            &questions as &[&str],
            &decks as &[&str],
            &depths,
            &created as &[Ts],
            &completed as &[Option<Ts>]
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
        let parts_made = sqlx::query!(
            "insert into answers (exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, \
                 responded_at, felt_understood, felt_accepted, felt_cared, favorite) \
             select e.id, a.author, a.body, a.passed, a.at, a.reply, a.words, a.responded, a.fu, a.fa, a.fc, a.favorite \
             from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::boolean[], $6::timestamptz[], \
                         $7::text[], $8::text[], $9::timestamptz[], $10::bigint[], $11::bigint[], $12::bigint[], \
                         $13::boolean[]) \
                  as a (couple, question, author, body, passed, at, reply, words, responded, fu, fa, fc, favorite) \
             join exchanges e on e.couple_id = a.couple and e.question_id = a.question",
            &a_couples,
            &a_questions as &[&str],
            &authors,
            &bodies as &[&str],
            &passed,
            &answered as &[Ts],
            &replies as &[Option<&str>],
            &words as &[Option<&str>],
            &responded as &[Option<Ts>],
            &fu as &[Option<i64>],
            &fa as &[Option<i64>],
            &fc as &[Option<i64>],
            &favorite
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(made.rows_affected() + parts_made.rows_affected())
    }

    async fn add_question_draws_bulk(&self, draws: &[PastDraw]) -> StoreResult<u64> {
        if draws.is_empty() {
            return Ok(0);
        }
        let couples: Vec<i64> = draws.iter().map(|d| d.couple.0).collect();
        let days: Vec<Day> = draws.iter().map(|d| d.day.into()).collect();
        let questions: Vec<&str> = draws.iter().map(|d| d.question_id.as_str()).collect();
        let times: Vec<Ts> = draws.iter().map(|d| ts(d.at)).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "insert into question_draws (couple_id, day, question_id, drawn_at) \
             select * from unnest($1::bigint[], $2::date[], $3::text[], $4::timestamptz[]) \
             on conflict (couple_id, day, question_id) do nothing",
            &couples,
            &days as &[Day],
            &questions as &[&str],
            &times as &[Ts]
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(done.rows_affected())
    }
}
