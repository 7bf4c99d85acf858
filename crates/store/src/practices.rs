//! The guided practices' tables: the Stress-Reducing Conversation and reflective listening.
//! `Store` methods in `sql.rs` delegate here.

use crate::sql::{SqlStore, db, ms, ts};
use jiff::{SignedDuration, Timestamp};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};
use tend_domain::conversation::{Conversation, Rating};
use tend_domain::listening::{Listening, Round, Verdict};
use tend_domain::store::StoreResult;
use tend_domain::{CoupleId, UserId};

const CONVERSATION_COLUMNS: &str = "id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone, \
     created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared, second_understood, \
     second_cared, cancelled_at";

fn opt_ts(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(ts))
}

fn rating(row: &AnyRow, understood: &str, cared: &str) -> Result<Option<Rating>, sqlx::Error> {
    let (u, c) = (row.try_get::<Option<i64>, _>(understood)?, row.try_get::<Option<i64>, _>(cared)?);
    Ok(match (u, c) {
        (Some(u), Some(c)) => Rating::parse(u, c).ok(),
        _ => None,
    })
}

fn conversation_from(row: &AnyRow) -> Result<(i64, Conversation), sqlx::Error> {
    let c = Conversation {
        first_speaker: UserId(row.try_get("first_speaker")?),
        second_speaker: UserId(row.try_get("second_speaker")?),
        minutes: u8::try_from(row.try_get::<i64, _>("minutes")?).unwrap_or(15),
        turn: SignedDuration::from_millis(row.try_get("turn_ms")?),
        shared_phone: row.try_get::<i64, _>("shared_phone")? != 0,
        started_by: UserId(row.try_get("started_by")?),
        created_at: ts(row.try_get("created_at")?),
        joined_at: opt_ts(row, "joined_at")?,
        first_heard_at: opt_ts(row, "first_heard_at")?,
        second_heard_at: opt_ts(row, "second_heard_at")?,
        first_rating: rating(row, "first_understood", "first_cared")?,
        second_rating: rating(row, "second_understood", "second_cared")?,
        cancelled_at: opt_ts(row, "cancelled_at")?,
    };
    Ok((row.try_get("id")?, c))
}

fn millis(d: SignedDuration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn parts(r: Option<Rating>) -> (Option<i64>, Option<i64>) {
    r.map_or((None, None), |r| (Some(i64::from(r.understood)), Some(i64::from(r.cared_for))))
}

fn round_from(row: &AnyRow) -> Result<Round, sqlx::Error> {
    let verdict: Option<String> = row.try_get("verdict")?;
    Ok(Round {
        round: u8::try_from(row.try_get::<i64, _>("round")?).unwrap_or(1),
        share: row.try_get("share")?,
        shared_at: ts(row.try_get("shared_at")?),
        reflection: row.try_get("reflection")?,
        feeling: row.try_get("feeling")?,
        reflected_at: opt_ts(row, "reflected_at")?,
        verdict: verdict.as_deref().and_then(Verdict::parse),
        answered_at: opt_ts(row, "answered_at")?,
    })
}

fn listening_from(row: &AnyRow) -> Result<Listening, sqlx::Error> {
    Ok(Listening {
        id: row.try_get("id")?,
        speaker: UserId(row.try_get("speaker_id")?),
        listener: UserId(row.try_get("listener_id")?),
        created_at: ts(row.try_get("created_at")?),
        closed_at: opt_ts(row, "closed_at")?,
        rounds: Vec::new(),
    })
}

const LISTENING_COLUMNS: &str = "id, speaker_id, listener_id, created_at, closed_at";

impl SqlStore {
    pub(crate) async fn open_conversation_row(&self, couple: CoupleId) -> StoreResult<Option<(i64, Conversation)>> {
        let row = sqlx::query(&format!(
            "select {CONVERSATION_COLUMNS} from conversations where couple_id = $1 and open_slot = 1"
        ))
        .bind(couple.0)
        .fetch_optional(self.pool())
        .await
        .map_err(db)?;
        row.as_ref().map(conversation_from).transpose().map_err(db)
    }

    pub(crate) async fn insert_conversation_row(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<i64>> {
        let (fu, fc) = parts(c.first_rating);
        let (su, sc) = parts(c.second_rating);
        let mut tx = self.pool().begin().await.map_err(db)?;
        let row = sqlx::query(
            "insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, \
             shared_phone, created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared, \
             second_understood, second_cared, cancelled_at, open_slot) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1) \
             on conflict (couple_id, open_slot) do nothing returning id",
        )
        .bind(couple.0)
        .bind(c.started_by.0)
        .bind(c.first_speaker.0)
        .bind(c.second_speaker.0)
        .bind(i64::from(c.minutes))
        .bind(millis(c.turn))
        .bind(i64::from(c.shared_phone))
        .bind(ms(c.created_at))
        .bind(c.joined_at.map(ms))
        .bind(c.first_heard_at.map(ms))
        .bind(c.second_heard_at.map(ms))
        .bind(fu)
        .bind(fc)
        .bind(su)
        .bind(sc)
        .bind(c.cancelled_at.map(ms))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let id = row.map(|r| r.try_get::<i64, _>("id")).transpose().map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    pub(crate) async fn update_conversation_row(
        &self,
        couple: CoupleId,
        id: i64,
        c: &Conversation,
        open: bool,
    ) -> StoreResult<Conversation> {
        let (fu, fc) = parts(c.first_rating);
        let (su, sc) = parts(c.second_rating);
        let mut tx = self.pool().begin().await.map_err(db)?;
        let row = sqlx::query(&format!(
            "update conversations set joined_at = coalesce(joined_at, $1), \
             first_heard_at = coalesce(first_heard_at, $2), second_heard_at = coalesce(second_heard_at, $3), \
             first_understood = coalesce($4, first_understood), first_cared = coalesce($5, first_cared), \
             second_understood = coalesce($6, second_understood), second_cared = coalesce($7, second_cared), \
             cancelled_at = coalesce(cancelled_at, $8), \
             open_slot = case when $9 = 1 then open_slot else null end \
             where id = $10 and couple_id = $11 returning {CONVERSATION_COLUMNS}"
        ))
        .bind(c.joined_at.map(ms))
        .bind(c.first_heard_at.map(ms))
        .bind(c.second_heard_at.map(ms))
        .bind(fu)
        .bind(fc)
        .bind(su)
        .bind(sc)
        .bind(c.cancelled_at.map(ms))
        .bind(i64::from(open))
        .bind(id)
        .bind(couple.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let row = row.ok_or(tend_domain::StoreError::NotFound)?;
        let updated = conversation_from(&row).map(|(_, c)| c).map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    pub(crate) async fn conversation_row(&self, couple: CoupleId, id: i64) -> StoreResult<Option<Conversation>> {
        let row =
            sqlx::query(&format!("select {CONVERSATION_COLUMNS} from conversations where id = $1 and couple_id = $2"))
                .bind(id)
                .bind(couple.0)
                .fetch_optional(self.pool())
                .await
                .map_err(db)?;
        row.as_ref().map(conversation_from).transpose().map(|c| c.map(|(_, c)| c)).map_err(db)
    }

    pub(crate) async fn conversation_rows(
        &self,
        couple: CoupleId,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Conversation)>> {
        let rows = sqlx::query(&format!(
            "select {CONVERSATION_COLUMNS} from conversations where couple_id = $1 \
             order by created_at desc, id desc limit $2"
        ))
        .bind(couple.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        rows.iter().map(conversation_from).collect::<Result<_, _>>().map_err(db)
    }

    /// Listening exchanges matching `filter` (with `$1` the couple), each with its rounds.
    async fn listening_rows(&self, filter: &str, couple: CoupleId, arg: i64) -> StoreResult<Vec<Listening>> {
        let rows = sqlx::query(&format!("select {LISTENING_COLUMNS} from listenings where couple_id = $1 {filter}"))
            .bind(couple.0)
            .bind(arg)
            .fetch_all(self.pool())
            .await
            .map_err(db)?;
        let mut all: Vec<Listening> = rows.iter().map(listening_from).collect::<Result<_, _>>().map_err(db)?;
        let (Some(lo), Some(hi)) = (all.iter().map(|l| l.id).min(), all.iter().map(|l| l.id).max()) else {
            return Ok(all);
        };
        let rounds = sqlx::query(
            "select r.listening_id, r.round, r.share, r.shared_at, r.reflection, r.feeling, r.reflected_at, \
             r.verdict, r.answered_at from listening_rounds r join listenings l on l.id = r.listening_id \
             where l.couple_id = $1 and r.listening_id between $2 and $3 order by r.listening_id, r.round",
        )
        .bind(couple.0)
        .bind(lo)
        .bind(hi)
        .fetch_all(self.pool())
        .await
        .map_err(db)?;
        for row in &rounds {
            let owner: i64 = row.try_get("listening_id").map_err(db)?;
            if let Some(l) = all.iter_mut().find(|l| l.id == owner) {
                l.rounds.push(round_from(row).map_err(db)?);
            }
        }
        Ok(all)
    }

    pub(crate) async fn open_listening_row(&self, couple: CoupleId) -> StoreResult<Option<Listening>> {
        Ok(self.listening_rows("and open_slot = $2", couple, 1).await?.into_iter().next())
    }

    pub(crate) async fn listening_row(&self, couple: CoupleId, id: i64) -> StoreResult<Option<Listening>> {
        Ok(self.listening_rows("and id = $2", couple, id).await?.into_iter().next())
    }

    pub(crate) async fn listening_list(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<Listening>> {
        self.listening_rows("order by created_at desc, id desc limit $2", couple, limit).await
    }

    pub(crate) async fn insert_listening_row(
        &self,
        couple: CoupleId,
        speaker: UserId,
        listener: UserId,
        share: &str,
        now: Timestamp,
    ) -> StoreResult<Option<i64>> {
        let mut tx = self.pool().begin().await.map_err(db)?;
        let row = sqlx::query(
            "insert into listenings (couple_id, speaker_id, listener_id, created_at, open_slot) \
             values ($1, $2, $3, $4, 1) on conflict (couple_id, open_slot) do nothing returning id",
        )
        .bind(couple.0)
        .bind(speaker.0)
        .bind(listener.0)
        .bind(ms(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id").map_err(db)?;
        insert_round(&mut tx, id, 1, share, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(id))
    }

    pub(crate) async fn reflect_listening_row(
        &self,
        couple: CoupleId,
        id: i64,
        round: u8,
        reflection: &str,
        feeling: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = sqlx::query(
            "update listening_rounds set reflection = $1, feeling = $2, reflected_at = $3 \
             where listening_id = $4 and round = $5 and reflection is null \
             and listening_id in (select id from listenings where couple_id = $6)",
        )
        .bind(reflection)
        .bind(feeling)
        .bind(ms(now))
        .bind(id)
        .bind(i64::from(round))
        .bind(couple.0)
        .execute(self.pool())
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    pub(crate) async fn answer_listening_row(
        &self,
        couple: CoupleId,
        id: i64,
        round: u8,
        verdict: Verdict,
        next: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.pool().begin().await.map_err(db)?;
        let n = sqlx::query(
            "update listening_rounds set verdict = $1, answered_at = $2 \
             where listening_id = $3 and round = $4 and reflection is not null and verdict is null \
             and listening_id in (select id from listenings where couple_id = $5)",
        )
        .bind(verdict.as_str())
        .bind(ms(now))
        .bind(id)
        .bind(i64::from(round))
        .bind(couple.0)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if n.rows_affected() != 1 {
            return Ok(false);
        }
        match next {
            Some(share) => insert_round(&mut tx, id, i64::from(round) + 1, share, now).await?,
            None => close(&mut tx, couple, id, now).await?,
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    pub(crate) async fn close_listening_row(&self, couple: CoupleId, id: i64, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool().begin().await.map_err(db)?;
        close(&mut tx, couple, id, now).await?;
        tx.commit().await.map_err(db)
    }
}

async fn insert_round(
    tx: &mut sqlx::Transaction<'_, Any>,
    id: i64,
    round: impl Into<i64>,
    share: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query("insert into listening_rounds (listening_id, round, share, shared_at) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(round.into())
        .bind(share)
        .bind(ms(now))
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(())
}

async fn close(tx: &mut sqlx::Transaction<'_, Any>, couple: CoupleId, id: i64, now: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "update listenings set closed_at = coalesce(closed_at, $1), open_slot = null where id = $2 and couple_id = $3",
    )
    .bind(ms(now))
    .bind(id)
    .bind(couple.0)
    .execute(&mut **tx)
    .await
    .map_err(db)?;
    Ok(())
}
