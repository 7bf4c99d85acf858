//! The reflective practices on SQLite: Our intimacy map in rounds, the weekly State of Us,
//! the lean facts the insights draw, and the help hint (see `Reflections` in the domain).

use crate::SqliteStore;
use crate::decode::{bad, day, day_text, db, ms, small, ts};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::appreciation::Kind;
use tend_domain::intimacy_map::{self, MapRecord, StoredRating};
use tend_domain::state_of_us::{StateOfUs, StateOfUsRecord};
use tend_domain::store::StoreResult;
use tend_domain::store::reflections::{AppreciationMark, ClosenessMark, FeltMark, FeltSource, Reflections};
use tend_domain::{CoupleId, UserId};

#[async_trait]
impl Reflections for SqliteStore {
    async fn save_intimacy_map(&self, record: &MapRecord) -> StoreResult<i64> {
        let (couple, author, now) = (record.couple.0, record.author.0, ms(record.now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A retake by the author alone in the latest round replaces their map there. Written
        // first, so the transaction takes SQLite's write lock at once and every read below sees
        // what the last writer committed (a read first would have to upgrade to a write later,
        // which fails when another writer committed in between).
        let replaced = sqlx::query_scalar!(
            r#"delete from intimacy_ratings
               where couple_id = $1 and author_id = $2
                 and round = (select max(round) from intimacy_ratings where couple_id = $1)
                 and not exists (select 1 from intimacy_ratings
                                 where couple_id = $1 and author_id <> $2
                                   and round = (select max(round) from intimacy_ratings where couple_id = $1))
               returning round as "round!: i64""#,
            couple,
            author
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let round = match replaced.first() {
            Some(&round) => round,
            None => {
                // Who is in the latest round: the partner alone (join it), or nobody, or both
                // (a new one; the author alone was handled above).
                let latest = sqlx::query!(
                    r#"select round as "round!: i64", max(author_id = $2) as "mine!: bool"
                       from intimacy_ratings
                       where couple_id = $1 and round = (select max(round) from intimacy_ratings where couple_id = $1)
                       group by round"#,
                    couple,
                    author
                )
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                match latest {
                    None => 1,
                    Some(r) if !r.mine => r.round,
                    Some(r) => r.round + 1,
                }
            }
        };
        for r in &record.ratings {
            let (kind, nourished, wish) = (r.kind.as_str(), i64::from(r.nourished), r.wish.as_str());
            sqlx::query!(
                "insert into intimacy_ratings (couple_id, round, author_id, kind, nourished, wish, words, taken_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
                couple,
                round,
                author,
                kind,
                nourished,
                wish,
                r.words,
                now
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
            "select round, author_id, kind, nourished, wish, words, taken_at from intimacy_ratings \
             where couple_id = $1 order by round, author_id, kind",
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
                    taken_at: ts(r.taken_at)?,
                    rating: intimacy_map::stored(&r.kind, r.nourished, &r.wish, r.words).map_err(bad)?,
                })
            })
            .collect()
    }

    async fn save_state_of_us(&self, r: &StateOfUsRecord) -> StoreResult<()> {
        let (week, now) = (day_text(r.week), ms(r.now));
        sqlx::query!(
            "insert into states_of_us (couple_id, author_id, week, went_well, need_more, need_less, feeling, topic, \
                                       stuck, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             on conflict (couple_id, author_id, week) do update set went_well = excluded.went_well, \
             need_more = excluded.need_more, need_less = excluded.need_less, feeling = excluded.feeling, \
             topic = excluded.topic, stuck = excluded.stuck, updated_at = excluded.updated_at",
            r.couple.0,
            r.author.0,
            week,
            r.went_well,
            r.need_more,
            r.need_less,
            r.feeling,
            r.topic,
            r.stuck,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn states_of_us(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<StateOfUs>> {
        let (from, to) = (day_text(from), day_text(to));
        let rows = sqlx::query!(
            r#"select author_id, week, went_well, need_more, need_less, feeling, topic, stuck as "stuck: bool",
                      created_at, updated_at
               from states_of_us where couple_id = $1 and week >= $2 and week <= $3
               order by week desc, author_id"#,
            couple.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(StateOfUs {
                    author: UserId(r.author_id),
                    week: day(&r.week)?,
                    went_well: r.went_well,
                    need_more: r.need_more,
                    need_less: r.need_less,
                    feeling: r.feeling,
                    topic: r.topic,
                    stuck: r.stuck,
                    created_at: ts(r.created_at)?,
                    updated_at: ts(r.updated_at)?,
                })
            })
            .collect()
    }

    async fn closeness_between(&self, couple: CoupleId, from: Date, to: Date) -> StoreResult<Vec<ClosenessMark>> {
        let (from, to) = (day_text(from), day_text(to));
        let rows = sqlx::query!(
            "select author_id, day, closeness from check_ins \
             where couple_id = $1 and day >= $2 and day <= $3 order by day, author_id",
            couple.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(ClosenessMark {
                    author: UserId(r.author_id),
                    day: day(&r.day)?,
                    closeness: small(r.closeness, 1..=7, "closeness")?,
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
        let (from, to) = (ms(from), ms(to));
        let rows = sqlx::query!(
            "select author_id, kind, created_at from appreciations \
             where couple_id = $1 and created_at >= $2 and created_at < $3 order by created_at, id",
            couple.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(AppreciationMark {
                    author: UserId(r.author_id),
                    kind: Kind::parse(&r.kind).ok_or_else(|| bad(format_args!("appreciation kind {:?}", r.kind)))?,
                    at: ts(r.created_at)?,
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
        let (from, to) = (ms(from), ms(to));
        // The author's own rating of a conversation is in the columns of the turn they spoke
        // in; the partner's rating of the same conversation is never read.
        let talks = sqlx::query!(
            r#"select created_at,
                      case when first_speaker = $2 then first_understood else second_understood end
                          as "understood!: i64",
                      case when first_speaker = $2 then first_cared else second_cared end as "cared!: i64"
               from conversations
               where couple_id = $1 and (first_speaker = $2 or second_speaker = $2)
                 and created_at >= $3 and created_at < $4
                 and case when first_speaker = $2 then first_understood else second_understood end is not null
                 and case when first_speaker = $2 then first_cared else second_cared end is not null
               order by created_at, id"#,
            couple.0,
            author.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        // How the author felt about the partner's response to their own answer, at the time
        // they answered.
        let answers = sqlx::query!(
            r#"select a.answered_at, a.felt_understood as "understood!: i64", a.felt_cared as "cared!: i64"
               from answers a join exchanges e on e.id = a.exchange_id
               where e.couple_id = $1 and a.author_id = $2 and a.answered_at >= $3 and a.answered_at < $4
                 and a.felt_understood is not null and a.felt_cared is not null
               order by a.answered_at, a.exchange_id"#,
            couple.0,
            author.0,
            from,
            to
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mark = |source, at: i64, understood: i64, cared: i64| -> StoreResult<FeltMark> {
            Ok(FeltMark {
                source,
                at: ts(at)?,
                understood: small(understood, 1..=7, "felt understood")?,
                cared_for: small(cared, 1..=7, "felt cared for")?,
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
        let off = sqlx::query_scalar!(r#"select off as "off: bool" from help_hints where user_id = $1"#, user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(off.unwrap_or(false))
    }

    async fn set_help_hint_off(&self, user: UserId, off: bool, now: Timestamp) -> StoreResult<()> {
        let now = ms(now);
        sqlx::query!(
            "insert into help_hints (user_id, off, updated_at) values ($1, $2, $3) \
             on conflict (user_id) do update set off = excluded.off, updated_at = excluded.updated_at",
            user.0,
            off,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }
}
