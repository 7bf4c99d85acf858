//! The reflective practices on PostgreSQL: Our intimacy map in rounds, the weekly State of
//! Us, the lean facts the insights draw, and the help hint (see `Reflections` in the domain).

use crate::{Day, PgStore, Ts, day, db, score, ts, unreadable};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::appreciation::Kind;
use tend_domain::intimacy_map::{self, MapRecord, StoredRating};
use tend_domain::state_of_us::{StateOfUs, StateOfUsRecord};
use tend_domain::store::reflections::{AppreciationMark, ClosenessMark, FeltMark, FeltSource, Reflections};
use tend_domain::store::{StoreError, StoreResult};
use tend_domain::{CoupleId, UserId};

#[async_trait]
impl Reflections for PgStore {
    async fn save_intimacy_map(&self, record: &MapRecord) -> StoreResult<i64> {
        let (couple, author) = (record.couple.0, record.author.0);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // The couple's row is the lock: both partners, or one person's two phones, saving at
        // once take their turns, so each decides its round from what the other committed.
        sqlx::query_scalar!("select id from couples where id = $1 for update", couple)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound)?;
        let latest = sqlx::query!(
            r#"select round, bool_or(author_id = $2) as "mine!", bool_or(author_id <> $2) as "theirs!"
               from intimacy_ratings
               where couple_id = $1 and round = (select max(round) from intimacy_ratings where couple_id = $1)
               group by round"#,
            couple,
            author
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let round = match latest {
            None => 1,
            // The author alone: a retake before the partner answered replaces their map.
            Some(r) if r.mine && !r.theirs => {
                sqlx::query!(
                    "delete from intimacy_ratings where couple_id = $1 and round = $2 and author_id = $3",
                    couple,
                    r.round,
                    author
                )
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                r.round
            }
            // The partner alone: the two maps meet.
            Some(r) if !r.mine => r.round,
            Some(r) => r.round + 1,
        };
        for r in &record.ratings {
            sqlx::query!(
                "insert into intimacy_ratings (couple_id, round, author_id, kind, nourished, wish, words, taken_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
                couple,
                round,
                author,
                r.kind.as_str(),
                i64::from(r.nourished),
                r.wish.as_str(),
                r.words,
                ts(record.now) as Ts
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(round)
    }

    async fn intimacy_ratings(&self, couple: CoupleId) -> StoreResult<Vec<StoredRating>> {
        let rows = sqlx::query!(
            r#"select round, author_id, kind, nourished, wish, words, taken_at as "taken_at: Ts"
               from intimacy_ratings where couple_id = $1 order by round, author_id, kind"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredRating {
                    round: r.round,
                    author: UserId(r.author_id),
                    taken_at: r.taken_at.to_jiff(),
                    rating: intimacy_map::stored(&r.kind, r.nourished, &r.wish, r.words).map_err(unreadable)?,
                })
            })
            .collect()
    }

    async fn save_state_of_us(&self, r: &StateOfUsRecord) -> StoreResult<()> {
        sqlx::query!(
            "insert into states_of_us (couple_id, author_id, week, went_well, need_more, need_less, feeling, topic, \
                                       stuck, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             on conflict (couple_id, author_id, week) do update set went_well = excluded.went_well, \
             need_more = excluded.need_more, need_less = excluded.need_less, feeling = excluded.feeling, \
             topic = excluded.topic, stuck = excluded.stuck, updated_at = excluded.updated_at",
            r.couple.0,
            r.author.0,
            day(r.week) as Day,
            r.went_well,
            r.need_more,
            r.need_less,
            r.feeling,
            r.topic,
            r.stuck,
            ts(r.now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn states_of_us(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<StateOfUs>> {
        let rows = sqlx::query!(
            r#"select author_id, week as "week: Day", went_well, need_more, need_less, feeling, topic, stuck,
                      created_at as "created_at: Ts", updated_at as "updated_at: Ts"
               from states_of_us where couple_id = $1 and week >= $2 and week <= $3
               order by week desc, author_id"#,
            couple.0,
            day(from) as Day,
            day(to) as Day
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| StateOfUs {
                author: UserId(r.author_id),
                week: r.week.to_jiff(),
                went_well: r.went_well,
                need_more: r.need_more,
                need_less: r.need_less,
                feeling: r.feeling,
                topic: r.topic,
                stuck: r.stuck,
                created_at: r.created_at.to_jiff(),
                updated_at: r.updated_at.to_jiff(),
            })
            .collect())
    }

    async fn closeness_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<ClosenessMark>> {
        let rows = sqlx::query!(
            r#"select author_id, day as "day: Day", closeness from check_ins
               where couple_id = $1 and day >= $2 and day <= $3 order by day, author_id"#,
            couple.0,
            day(from) as Day,
            day(to) as Day
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(ClosenessMark {
                    author: UserId(r.author_id),
                    day: r.day.to_jiff(),
                    closeness: score(r.closeness, "a check-in's closeness")?,
                })
            })
            .collect()
    }

    async fn appreciation_marks(
        &self,
        couple: CoupleId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<AppreciationMark>> {
        let rows = sqlx::query!(
            r#"select author_id, kind, created_at as "created_at: Ts" from appreciations
               where couple_id = $1 and created_at >= $2 and created_at < $3 order by created_at, id"#,
            couple.0,
            ts(from) as Ts,
            ts(to) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(AppreciationMark {
                    author: UserId(r.author_id),
                    kind: Kind::parse(&r.kind)
                        .ok_or_else(|| unreadable(format!("an appreciation has the unknown kind {:?}", r.kind)))?,
                    at: r.created_at.to_jiff(),
                })
            })
            .collect()
    }

    async fn felt_marks(
        &self,
        couple: CoupleId,
        author: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<FeltMark>> {
        // The author's own rating of a conversation is in the columns of the turn they spoke
        // in; the partner's rating of the same conversation is never read.
        let talks = sqlx::query!(
            r#"select created_at as "created_at: Ts",
                      case when first_speaker = $2 then first_understood else second_understood end
                          as "understood!",
                      case when first_speaker = $2 then first_cared else second_cared end as "cared!"
               from conversations
               where couple_id = $1 and (first_speaker = $2 or second_speaker = $2)
                 and created_at >= $3 and created_at < $4
                 and case when first_speaker = $2 then first_understood else second_understood end is not null
                 and case when first_speaker = $2 then first_cared else second_cared end is not null
               order by created_at, id"#,
            couple.0,
            author.0,
            ts(from) as Ts,
            ts(to) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        // How the author felt about the partner's response to their own answer, at the time
        // they answered.
        let answers = sqlx::query!(
            r#"select a.answered_at as "answered_at: Ts", a.felt_understood as "understood!",
                      a.felt_cared as "cared!"
               from answers a join exchanges e on e.id = a.exchange_id
               where e.couple_id = $1 and a.author_id = $2 and a.answered_at >= $3 and a.answered_at < $4
                 and a.felt_understood is not null and a.felt_cared is not null
               order by a.answered_at, a.exchange_id"#,
            couple.0,
            author.0,
            ts(from) as Ts,
            ts(to) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mark = |source, at: Ts, understood: i64, cared: i64| -> StoreResult<FeltMark> {
            Ok(FeltMark {
                source,
                at: at.to_jiff(),
                understood: score(understood, "felt understood")?,
                cared_for: score(cared, "felt cared for")?,
            })
        };
        let mut out = talks
            .into_iter()
            .map(|r| mark(FeltSource::Conversation, r.created_at, r.understood, r.cared))
            .chain(answers.into_iter().map(|r| mark(FeltSource::Question, r.answered_at, r.understood, r.cared)))
            .collect::<StoreResult<Vec<_>>>()?;
        out.sort_by_key(|m| m.at);
        Ok(out)
    }

    async fn help_hint_off(&self, user: UserId) -> StoreResult<bool> {
        let off = sqlx::query_scalar!("select off from help_hints where user_id = $1", user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(off.unwrap_or(false))
    }

    async fn set_help_hint_off(&self, user: UserId, off: bool, now: Timestamp) -> StoreResult<()> {
        sqlx::query!(
            "insert into help_hints (user_id, off, updated_at) values ($1, $2, $3) \
             on conflict (user_id) do update set off = excluded.off, updated_at = excluded.updated_at",
            user.0,
            off,
            ts(now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}
