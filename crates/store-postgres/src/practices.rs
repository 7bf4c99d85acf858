//! The guided practices: the Stress-Reducing Conversation and reflective listening.
//!
//! Each couple has at most one open conversation and one open listening exchange: the row that
//! holds the place has `open_slot` true, every other row NULL, and a unique index on
//! (couple_id, open_slot) lets only one true row in. Two partners starting at the same moment
//! make one row; the other insert does nothing and its caller joins the first.

use crate::{PgStore, Ts, db, score, small, ts, ts_opt, unreadable};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sqlx::PgConnection;
use tend_domain::conversation::{Conversation, Rating};
use tend_domain::listening::{Listening, Round, Verdict};
use tend_domain::store::{Practices, StoreResult, StoredConversation};
use tend_domain::{ConversationId, CoupleId, ListeningId, StoreError, UserId};

/// A conversation as its queries read it.
struct ConversationRow {
    id: i64,
    started_by: i64,
    first_speaker: i64,
    second_speaker: i64,
    minutes: i64,
    turn_ms: i64,
    shared_phone: bool,
    created_at: Ts,
    joined_at: Option<Ts>,
    first_heard_at: Option<Ts>,
    second_heard_at: Option<Ts>,
    first_understood: Option<i64>,
    first_cared: Option<i64>,
    second_understood: Option<i64>,
    second_cared: Option<i64>,
    cancelled_at: Option<Ts>,
}

/// A rating as stored in two columns: both or neither.
fn rating(understood: Option<i64>, cared: Option<i64>, whose: &str) -> StoreResult<Option<Rating>> {
    match (understood, cared) {
        (None, None) => Ok(None),
        (Some(u), Some(c)) => Ok(Some(Rating { understood: score(u, whose)?, cared_for: score(c, whose)? })),
        _ => Err(unreadable(format!("{whose} is only half there"))),
    }
}

fn parts(r: Option<Rating>) -> (Option<i64>, Option<i64>) {
    r.map_or((None, None), |r| (Some(i64::from(r.understood)), Some(i64::from(r.cared_for))))
}

fn turn_ms(d: SignedDuration) -> StoreResult<i64> {
    i64::try_from(d.as_millis()).map_err(|_| StoreError::Backend(format!("a turn of {d:?} is too long to store")))
}

impl ConversationRow {
    fn into_stored(self) -> StoreResult<StoredConversation> {
        let conversation = Conversation {
            first_speaker: UserId(self.first_speaker),
            second_speaker: UserId(self.second_speaker),
            minutes: small(self.minutes, "a conversation's minutes")?,
            turn: SignedDuration::from_millis(self.turn_ms),
            shared_phone: self.shared_phone,
            started_by: UserId(self.started_by),
            created_at: self.created_at.to_jiff(),
            joined_at: self.joined_at.map(Ts::to_jiff),
            first_heard_at: self.first_heard_at.map(Ts::to_jiff),
            second_heard_at: self.second_heard_at.map(Ts::to_jiff),
            first_rating: rating(self.first_understood, self.first_cared, "the first speaker's rating")?,
            second_rating: rating(self.second_understood, self.second_cared, "the second speaker's rating")?,
            cancelled_at: self.cancelled_at.map(Ts::to_jiff),
        };
        Ok(StoredConversation { id: ConversationId(self.id), conversation })
    }
}

/// A listening exchange as its queries read it, before its rounds are added.
struct ListeningRow {
    id: i64,
    speaker_id: i64,
    listener_id: i64,
    created_at: Ts,
    closed_at: Option<Ts>,
}

impl PgStore {
    /// Each exchange with its rounds, in order; one query for all of their rounds.
    async fn with_rounds(&self, couple: CoupleId, rows: Vec<ListeningRow>) -> StoreResult<Vec<Listening>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let rounds = sqlx::query!(
            r#"select r.listening_id, r.round, r.share, r.shared_at as "shared_at: Ts", r.reflection, r.feeling,
                      r.reflected_at as "reflected_at: Ts", r.verdict, r.answered_at as "answered_at: Ts"
               from listening_rounds r join listenings l on l.id = r.listening_id
               where l.couple_id = $1 and r.listening_id = any($2)
               order by r.listening_id, r.round"#,
            couple.0,
            &ids
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut all: Vec<Listening> = rows
            .into_iter()
            .map(|r| Listening {
                id: ListeningId(r.id),
                speaker: UserId(r.speaker_id),
                listener: UserId(r.listener_id),
                created_at: r.created_at.to_jiff(),
                closed_at: r.closed_at.map(Ts::to_jiff),
                rounds: Vec::new(),
            })
            .collect();
        for r in rounds {
            let verdict = match r.verdict.as_deref() {
                None => None,
                Some(v) => Some(Verdict::parse(v).ok_or_else(|| {
                    unreadable(format!("listening {} round {} has the unknown verdict {v:?}", r.listening_id, r.round))
                })?),
            };
            let round = Round {
                round: small(r.round, "a listening round")?,
                share: r.share,
                shared_at: r.shared_at.to_jiff(),
                reflection: r.reflection,
                feeling: r.feeling,
                reflected_at: r.reflected_at.map(Ts::to_jiff),
                verdict,
                answered_at: r.answered_at.map(Ts::to_jiff),
            };
            if let Some(l) = all.iter_mut().find(|l| l.id.0 == r.listening_id) {
                l.rounds.push(round);
            }
        }
        Ok(all)
    }
}

async fn insert_round(
    conn: &mut PgConnection,
    id: ListeningId,
    round: i64,
    share: &str,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query!(
        "insert into listening_rounds (listening_id, round, share, shared_at) values ($1, $2, $3, $4)",
        id.0,
        round,
        share,
        ts(now) as Ts
    )
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// Closes the exchange (keeping an earlier closing time) and frees the couple's open place.
async fn close(conn: &mut PgConnection, couple: CoupleId, id: ListeningId, now: Timestamp) -> StoreResult<()> {
    sqlx::query!(
        "update listenings set closed_at = coalesce(closed_at, $1), open_slot = null where id = $2 and couple_id = $3",
        ts(now) as Ts,
        id.0,
        couple.0
    )
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl Practices for PgStore {
    async fn open_conversation(&self, couple: CoupleId) -> StoreResult<Option<StoredConversation>> {
        let row = sqlx::query_as!(
            ConversationRow,
            r#"select id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                      created_at as "created_at: Ts", joined_at as "joined_at: Ts",
                      first_heard_at as "first_heard_at: Ts", second_heard_at as "second_heard_at: Ts",
                      first_understood, first_cared, second_understood, second_cared,
                      cancelled_at as "cancelled_at: Ts"
               from conversations where couple_id = $1 and open_slot"#,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(ConversationRow::into_stored).transpose()
    }

    async fn insert_conversation(&self, couple: CoupleId, c: &Conversation) -> StoreResult<Option<ConversationId>> {
        let (fu, fc) = parts(c.first_rating);
        let (su, sc) = parts(c.second_rating);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into conversations (couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, \
             shared_phone, created_at, joined_at, first_heard_at, second_heard_at, first_understood, first_cared, \
             second_understood, second_cared, cancelled_at, open_slot) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, true) \
             on conflict (couple_id, open_slot) do nothing returning id",
            couple.0,
            c.started_by.0,
            c.first_speaker.0,
            c.second_speaker.0,
            i64::from(c.minutes),
            turn_ms(c.turn)?,
            c.shared_phone,
            ts(c.created_at) as Ts,
            ts_opt(c.joined_at) as Option<Ts>,
            ts_opt(c.first_heard_at) as Option<Ts>,
            ts_opt(c.second_heard_at) as Option<Ts>,
            fu,
            fc,
            su,
            sc,
            ts_opt(c.cancelled_at) as Option<Ts>
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
        let (fu, fc) = parts(c.first_rating);
        let (su, sc) = parts(c.second_rating);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A time already set stays; a rating given replaces the earlier one.
        let row = sqlx::query_as!(
            ConversationRow,
            r#"update conversations set joined_at = coalesce(joined_at, $1),
                      first_heard_at = coalesce(first_heard_at, $2), second_heard_at = coalesce(second_heard_at, $3),
                      first_understood = coalesce($4, first_understood), first_cared = coalesce($5, first_cared),
                      second_understood = coalesce($6, second_understood), second_cared = coalesce($7, second_cared),
                      cancelled_at = coalesce(cancelled_at, $8),
                      open_slot = case when $9 then open_slot else null end
               where id = $10 and couple_id = $11
               returning id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                      created_at as "created_at: Ts", joined_at as "joined_at: Ts",
                      first_heard_at as "first_heard_at: Ts", second_heard_at as "second_heard_at: Ts",
                      first_understood, first_cared, second_understood, second_cared,
                      cancelled_at as "cancelled_at: Ts""#,
            ts_opt(c.joined_at) as Option<Ts>,
            ts_opt(c.first_heard_at) as Option<Ts>,
            ts_opt(c.second_heard_at) as Option<Ts>,
            fu,
            fc,
            su,
            sc,
            ts_opt(c.cancelled_at) as Option<Ts>,
            open,
            id.0,
            couple.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let row = row.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db)?;
        row.into_stored().map(|s| s.conversation)
    }

    async fn conversation(&self, couple: CoupleId, id: ConversationId) -> StoreResult<Option<Conversation>> {
        let row = sqlx::query_as!(
            ConversationRow,
            r#"select id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                      created_at as "created_at: Ts", joined_at as "joined_at: Ts",
                      first_heard_at as "first_heard_at: Ts", second_heard_at as "second_heard_at: Ts",
                      first_understood, first_cared, second_understood, second_cared,
                      cancelled_at as "cancelled_at: Ts"
               from conversations where id = $1 and couple_id = $2"#,
            id.0,
            couple.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| r.into_stored().map(|s| s.conversation)).transpose()
    }

    async fn conversations(&self, couple: CoupleId, limit: i64) -> StoreResult<Vec<StoredConversation>> {
        let rows = sqlx::query_as!(
            ConversationRow,
            r#"select id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone,
                      created_at as "created_at: Ts", joined_at as "joined_at: Ts",
                      first_heard_at as "first_heard_at: Ts", second_heard_at as "second_heard_at: Ts",
                      first_understood, first_cared, second_understood, second_cared,
                      cancelled_at as "cancelled_at: Ts"
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
            r#"select id, speaker_id, listener_id, created_at as "created_at: Ts", closed_at as "closed_at: Ts"
               from listenings where couple_id = $1 and open_slot"#,
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        let id = sqlx::query_scalar!(
            "insert into listenings (couple_id, speaker_id, listener_id, created_at, open_slot) \
             values ($1, $2, $3, $4, true) on conflict (couple_id, open_slot) do nothing returning id",
            couple.0,
            speaker.0,
            listener.0,
            ts(now) as Ts
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some(id) = id.map(ListeningId) else { return Ok(None) };
        insert_round(&mut tx, id, 1, share, now).await?;
        tx.commit().await.map_err(db)?;
        Ok(Some(id))
    }

    async fn listening(&self, couple: CoupleId, id: ListeningId) -> StoreResult<Option<Listening>> {
        let rows = sqlx::query_as!(
            ListeningRow,
            r#"select id, speaker_id, listener_id, created_at as "created_at: Ts", closed_at as "closed_at: Ts"
               from listenings where couple_id = $1 and id = $2"#,
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
            r#"select id, speaker_id, listener_id, created_at as "created_at: Ts", closed_at as "closed_at: Ts"
               from listenings where couple_id = $1 order by created_at desc, id desc limit $2"#,
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
        let n = sqlx::query!(
            "update listening_rounds set reflection = $1, feeling = $2, reflected_at = $3 \
             where listening_id = $4 and round = $5 and reflection is null \
             and listening_id in (select id from listenings where couple_id = $6)",
            reflection,
            feeling,
            ts(now) as Ts,
            id.0,
            i64::from(round),
            couple.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query!(
            "update listening_rounds set verdict = $1, answered_at = $2 \
             where listening_id = $3 and round = $4 and reflection is not null and verdict is null \
             and listening_id in (select id from listenings where couple_id = $5)",
            verdict.as_str(),
            ts(now) as Ts,
            id.0,
            i64::from(round),
            couple.0
        )
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

    async fn close_listening(&self, couple: CoupleId, id: ListeningId, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        close(&mut tx, couple, id, now).await?;
        tx.commit().await.map_err(db)
    }
}
