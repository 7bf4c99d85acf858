//! The guided practices: the Stress-Reducing Conversation and reflective listening.

use crate::SqliteStore;
use crate::decode::{bad, db, millis, ms, opt_ts, small, ts};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sqlx::SqliteConnection;
use tend_domain::conversation::{Conversation, Rating};
use tend_domain::listening::{Listening, Round, Verdict};
use tend_domain::store::{Practices, StoreError, StoreResult, StoredConversation};
use tend_domain::{ConversationId, CoupleId, ListeningId, UserId};

/// A conversation as every query that reads one selects it.
struct ConversationRow {
    id: i64,
    started_by: i64,
    first_speaker: i64,
    second_speaker: i64,
    minutes: i64,
    turn_ms: i64,
    shared_phone: bool,
    created_at: i64,
    joined_at: Option<i64>,
    first_heard_at: Option<i64>,
    second_heard_at: Option<i64>,
    first_understood: Option<i64>,
    first_cared: Option<i64>,
    second_understood: Option<i64>,
    second_cared: Option<i64>,
    cancelled_at: Option<i64>,
}

/// A rating is stored as two numbers, both set or neither.
fn rating(understood: Option<i64>, cared: Option<i64>) -> StoreResult<Option<Rating>> {
    match (understood, cared) {
        (None, None) => Ok(None),
        (Some(u), Some(c)) => Rating::parse(u, c).map(Some).map_err(|_| bad(format_args!("rating {u} and {c}"))),
        (u, c) => Err(bad(format_args!("half a rating ({u:?}, {c:?})"))),
    }
}

fn rating_parts(r: Option<Rating>) -> (Option<i64>, Option<i64>) {
    r.map_or((None, None), |r| (Some(i64::from(r.understood)), Some(i64::from(r.cared_for))))
}

impl ConversationRow {
    fn into_stored(self) -> StoreResult<StoredConversation> {
        let conversation = Conversation {
            first_speaker: UserId(self.first_speaker),
            second_speaker: UserId(self.second_speaker),
            minutes: small(self.minutes, 1..=60, "conversation minutes")?,
            turn: SignedDuration::from_millis(self.turn_ms),
            shared_phone: self.shared_phone,
            started_by: UserId(self.started_by),
            created_at: ts(self.created_at)?,
            joined_at: opt_ts(self.joined_at)?,
            first_heard_at: opt_ts(self.first_heard_at)?,
            second_heard_at: opt_ts(self.second_heard_at)?,
            first_rating: rating(self.first_understood, self.first_cared)?,
            second_rating: rating(self.second_understood, self.second_cared)?,
            cancelled_at: opt_ts(self.cancelled_at)?,
        };
        Ok(StoredConversation { id: ConversationId(self.id), conversation })
    }
}

struct ListeningRow {
    id: i64,
    speaker_id: i64,
    listener_id: i64,
    created_at: i64,
    closed_at: Option<i64>,
}

impl ListeningRow {
    fn into_listening(self) -> StoreResult<Listening> {
        Ok(Listening {
            id: ListeningId(self.id),
            speaker: UserId(self.speaker_id),
            listener: UserId(self.listener_id),
            created_at: ts(self.created_at)?,
            closed_at: opt_ts(self.closed_at)?,
            rounds: Vec::new(),
        })
    }
}

impl SqliteStore {
    /// The exchanges read by one of the queries below, each given its rounds.
    async fn with_rounds(&self, couple: CoupleId, rows: Vec<ListeningRow>) -> StoreResult<Vec<Listening>> {
        let mut all: Vec<Listening> = rows.into_iter().map(ListeningRow::into_listening).collect::<Result<_, _>>()?;
        let (Some(lo), Some(hi)) = (all.iter().map(|l| l.id.0).min(), all.iter().map(|l| l.id.0).max()) else {
            return Ok(all);
        };
        let rounds = sqlx::query!(
            r#"select r.listening_id, r.round, r.share, r.shared_at, r.reflection, r.feeling, r.reflected_at,
                      r.verdict, r.answered_at
               from listening_rounds r join listenings l on l.id = r.listening_id
               where l.couple_id = $1 and r.listening_id between $2 and $3
               order by r.listening_id, r.round"#,
            couple.0,
            lo,
            hi
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        for r in rounds {
            let Some(owner) = all.iter_mut().find(|l| l.id.0 == r.listening_id) else { continue };
            let verdict = match r.verdict.as_deref() {
                None => None,
                Some(v) => Some(Verdict::parse(v).ok_or_else(|| bad(format_args!("verdict {v:?}")))?),
            };
            owner.rounds.push(Round {
                round: small(r.round, 1..=9, "listening round")?,
                share: r.share,
                shared_at: ts(r.shared_at)?,
                reflection: r.reflection,
                feeling: r.feeling,
                reflected_at: opt_ts(r.reflected_at)?,
                verdict,
                answered_at: opt_ts(r.answered_at)?,
            });
        }
        Ok(all)
    }
}

async fn insert_round(conn: &mut SqliteConnection, id: i64, round: i64, share: &str, now: i64) -> StoreResult<()> {
    sqlx::query!(
        "insert into listening_rounds (listening_id, round, share, shared_at) values ($1, $2, $3, $4)",
        id,
        round,
        share,
        now
    )
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Closes the exchange and gives up the couple's open place.
async fn close(conn: &mut SqliteConnection, couple: CoupleId, id: ListeningId, now: i64) -> StoreResult<()> {
    sqlx::query!(
        "update listenings set closed_at = coalesce(closed_at, $1), open_slot = null where id = $2 and couple_id = $3",
        now,
        id.0,
        couple.0
    )
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl Practices for SqliteStore {
    async fn open_conversation(&self, couple: CoupleId) -> StoreResult<Option<StoredConversation>> {
        let row = sqlx::query_as!(
            ConversationRow,
            r#"select id as "id!: i64", started_by, first_speaker, second_speaker, minutes, turn_ms,
                      shared_phone as "shared_phone: bool", created_at, joined_at, first_heard_at, second_heard_at,
                      first_understood, first_cared, second_understood, second_cared, cancelled_at
               from conversations where couple_id = $1 and open_slot = 1"#,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(ConversationRow::into_stored).transpose()
    }

    async fn insert_conversation(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<ConversationId>> {
        let (fu, fc) = rating_parts(c.first_rating);
        let (su, sc) = rating_parts(c.second_rating);
        let (turn, created_at) = (millis(c.turn), ms(c.created_at));
        let (joined_at, first_heard_at, second_heard_at, cancelled_at) =
            (c.joined_at.map(ms), c.first_heard_at.map(ms), c.second_heard_at.map(ms), c.cancelled_at.map(ms));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms,
                   shared_phone, created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared,
                   second_understood, second_cared, cancelled_at, open_slot)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1)
               on conflict (couple_id, open_slot) do nothing
               returning id as "id!: i64""#,
            couple.0,
            c.started_by.0,
            c.first_speaker.0,
            c.second_speaker.0,
            c.minutes,
            turn,
            c.shared_phone,
            created_at,
            joined_at,
            first_heard_at,
            second_heard_at,
            fu,
            fc,
            su,
            sc,
            cancelled_at
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id.map(ConversationId))
    }

    async fn update_conversation(
        &self,
        couple: CoupleId,
        id: ConversationId,
        c: &Conversation,
        open: bool,
    ) -> StoreResult<Conversation> {
        let (fu, fc) = rating_parts(c.first_rating);
        let (su, sc) = rating_parts(c.second_rating);
        let (joined_at, first_heard_at, second_heard_at, cancelled_at) =
            (c.joined_at.map(ms), c.first_heard_at.map(ms), c.second_heard_at.map(ms), c.cancelled_at.map(ms));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A time already set stays; a rating replaces the earlier one; the open place is given
        // up for good once `open` is false.
        let row = sqlx::query_as!(
            ConversationRow,
            r#"update conversations set joined_at = coalesce(joined_at, $1),
                   first_heard_at = coalesce(first_heard_at, $2), second_heard_at = coalesce(second_heard_at, $3),
                   first_understood = coalesce($4, first_understood), first_cared = coalesce($5, first_cared),
                   second_understood = coalesce($6, second_understood), second_cared = coalesce($7, second_cared),
                   cancelled_at = coalesce(cancelled_at, $8),
                   open_slot = case when $9 then open_slot else null end
               where id = $10 and couple_id = $11
               returning id as "id!: i64", started_by, first_speaker, second_speaker, minutes, turn_ms,
                         shared_phone as "shared_phone: bool", created_at, joined_at, first_heard_at,
                         second_heard_at, first_understood, first_cared, second_understood, second_cared,
                         cancelled_at"#,
            joined_at,
            first_heard_at,
            second_heard_at,
            fu,
            fc,
            su,
            sc,
            cancelled_at,
            open,
            id.0,
            couple.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let row = row.ok_or(StoreError::NotFound)?;
        // Read before the commit, so that a row we could not read is not stored either.
        let updated = row.into_stored()?.conversation;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    async fn conversation(&self, couple: CoupleId, id: ConversationId) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query_as!(
            ConversationRow,
            r#"select id as "id!: i64", started_by, first_speaker, second_speaker, minutes, turn_ms,
                      shared_phone as "shared_phone: bool", created_at, joined_at, first_heard_at, second_heard_at,
                      first_understood, first_cared, second_understood, second_cared, cancelled_at
               from conversations where id = $1 and couple_id = $2"#,
            id.0,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(ConversationRow::into_stored).transpose()?.map(|s| s.conversation))
    }

    async fn conversations(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<StoredConversation>> {
        let rows = sqlx::query_as!(
            ConversationRow,
            r#"select id as "id!: i64", started_by, first_speaker, second_speaker, minutes, turn_ms,
                      shared_phone as "shared_phone: bool", created_at, joined_at, first_heard_at, second_heard_at,
                      first_understood, first_cared, second_understood, second_cared, cancelled_at
               from conversations where couple_id = $1 order by created_at desc, id desc limit $2"#,
            couple.0,
            limit
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(ConversationRow::into_stored).collect()
    }

    async fn open_listening(&self, couple: CoupleId) -> StoreResult<Option<Listening>> {
        let rows = sqlx::query_as!(
            ListeningRow,
            r#"select id as "id!: i64", speaker_id, listener_id, created_at, closed_at from listenings
               where couple_id = $1 and open_slot = 1"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(self.with_rounds(couple, rows).await?.into_iter().next())
    }

    async fn insert_listening(
        &self,
        couple: CoupleId,
        speaker: UserId,
        listener: UserId,
        share: &str,
        now: Timestamp,
    ) -> StoreResult<Option<ListeningId>> {
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            r#"insert into listenings (couple_id, speaker_id, listener_id, created_at, open_slot)
               values ($1, $2, $3, $4, 1) on conflict (couple_id, open_slot) do nothing
               returning id as "id!: i64""#,
            couple.0,
            speaker.0,
            listener.0,
            now
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(id) = id else { return Ok(None) };
        insert_round(&mut tx, id, 1, share, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(ListeningId(id)))
    }

    async fn listening(&self, couple: CoupleId, id: ListeningId) -> StoreResult<Option<Listening>> {
        let rows = sqlx::query_as!(
            ListeningRow,
            r#"select id as "id!: i64", speaker_id, listener_id, created_at, closed_at from listenings
               where couple_id = $1 and id = $2"#,
            couple.0,
            id.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(self.with_rounds(couple, rows).await?.into_iter().next())
    }

    async fn listenings(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<Listening>> {
        let rows = sqlx::query_as!(
            ListeningRow,
            r#"select id as "id!: i64", speaker_id, listener_id, created_at, closed_at from listenings
               where couple_id = $1 order by created_at desc, id desc limit $2"#,
            couple.0,
            limit
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        self.with_rounds(couple, rows).await
    }

    async fn reflect_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        reflection: &str,
        feeling: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let now = ms(now);
        let done = sqlx::query!(
            "update listening_rounds set reflection = $1, feeling = $2, reflected_at = $3 \
             where listening_id = $4 and round = $5 and reflection is null \
             and listening_id in (select id from listenings where couple_id = $6)",
            reflection,
            feeling,
            now,
            id.0,
            round,
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn answer_listening(
        &self,
        couple: CoupleId,
        id: ListeningId,
        round: u8,
        verdict: Verdict,
        next: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (verdict, now) = (verdict.as_str(), ms(now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let done = sqlx::query!(
            "update listening_rounds set verdict = $1, answered_at = $2 \
             where listening_id = $3 and round = $4 and reflection is not null and verdict is null \
             and listening_id in (select id from listenings where couple_id = $5)",
            verdict,
            now,
            id.0,
            round,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        match next {
            Some(share) => insert_round(&mut tx, id.0, i64::from(round) + 1, share, now).await?,
            None => close(&mut tx, couple, id, now).await?,
        }
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn close_listening(&self, couple: CoupleId, id: ListeningId, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        close(&mut tx, couple, id, ms(now)).await?;
        tx.commit().await.map_err(db)
    }
}
