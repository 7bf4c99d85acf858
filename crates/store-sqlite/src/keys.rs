//! Data keys, and the rows still in plain text from before sealing (see `Keys`).

use crate::SqliteStore;
use crate::decode::{db, ms, ts};
use async_trait::async_trait;
use tend_domain::UserId;
use tend_domain::store::keys::{Keys, PlainRow, PlainTable, WrappedKey};
use tend_domain::store::{StoreError, StoreResult};

fn key_row(user_id: i64, master_id: String, wrapped: String, created_at: i64) -> StoreResult<WrappedKey> {
    Ok(WrappedKey { user: UserId(user_id), master_id, wrapped, created_at: ts(created_at)? })
}

/// The text at `i`, which `replace_row` needs the row's two versions of.
fn text(row: &PlainRow, i: usize) -> StoreResult<Option<&str>> {
    row.texts
        .get(i)
        .map(|(_, t)| t.as_deref())
        .ok_or_else(|| StoreError::Backend(format!("{:?} row with too few texts", row.table)))
}

/// Text columns that are never NULL.
fn given(row: &PlainRow, i: usize) -> StoreResult<&str> {
    text(row, i)?.ok_or_else(|| StoreError::Backend(format!("{:?} row without its text", row.table)))
}

#[async_trait]
impl Keys for SqliteStore {
    async fn data_key(&self, user: UserId) -> StoreResult<Option<WrappedKey>> {
        let row =
            sqlx::query!("select user_id, master_id, wrapped, created_at from data_keys where user_id = $1", user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.map(|r| key_row(r.user_id, r.master_id, r.wrapped, r.created_at)).transpose()
    }

    async fn add_data_key(&self, key: &WrappedKey) -> StoreResult<WrappedKey> {
        let at = ms(key.created_at);
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!(
            "insert into data_keys (user_id, master_id, wrapped, created_at) \
             select id, $2, $3, $4 from users where id = $1 and deleted_at is null \
             on conflict (user_id) do nothing",
            key.user.0,
            key.master_id,
            key.wrapped,
            at
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let r = sqlx::query!(
            "select user_id, master_id, wrapped, created_at from data_keys where user_id = $1",
            key.user.0
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        // A deleted person gets no new key, so a write racing their deletion is refused.
        .ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db)?;
        key_row(r.user_id, r.master_id, r.wrapped, r.created_at)
    }

    async fn data_keys(&self) -> StoreResult<Vec<WrappedKey>> {
        let rows = sqlx::query!("select user_id, master_id, wrapped, created_at from data_keys order by user_id")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.into_iter().map(|r| key_row(r.user_id, r.master_id, r.wrapped, r.created_at)).collect()
    }

    async fn rewrap_data_keys(&self, from: &str, keys: &[WrappedKey]) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut n = 0;
        for key in keys {
            n += sqlx::query!(
                "update data_keys set master_id = $1, wrapped = $2 where user_id = $3 and master_id = $4",
                key.master_id,
                key.wrapped,
                key.user.0,
                from
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        }
        tx.commit().await.map_err(db)?;
        Ok(n)
    }

    async fn plain_rows(&self, table: PlainTable, mark: &str, limit: i64) -> StoreResult<Vec<PlainRow>> {
        let p = |s: String| Some(s);
        let rows = match table {
            PlainTable::CheckIns => sqlx::query!(
                r#"select id as "id!: i64", author_id, high, low, need from check_ins
                   where (high <> '' and substr(high, 1, 1) <> $1) or (low <> '' and substr(low, 1, 1) <> $1)
                      or (need <> '' and substr(need, 1, 1) <> $1)
                   limit $2"#,
                mark,
                limit
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| {
                let a = UserId(r.author_id);
                PlainRow { table, key: [r.id, 0], texts: vec![(a, p(r.high)), (a, p(r.low)), (a, p(r.need))] }
            })
            .collect(),
            PlainTable::Appreciations => sqlx::query!(
                r#"select id as "id!: i64", author_id, recipient_id, body, reply from appreciations
                   where (body <> '' and substr(body, 1, 1) <> $1) or (reply <> '' and substr(reply, 1, 1) <> $1)
                   limit $2"#,
                mark,
                limit
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| PlainRow {
                table,
                key: [r.id, 0],
                texts: vec![(UserId(r.author_id), p(r.body)), (UserId(r.recipient_id), p(r.reply))],
            })
            .collect(),
            PlainTable::ListeningRounds => sqlx::query!(
                r#"select r.listening_id, r.round, l.speaker_id, l.listener_id, r.share, r.reflection, r.feeling
                   from listening_rounds r join listenings l on l.id = r.listening_id
                   where (r.share <> '' and substr(r.share, 1, 1) <> $1)
                      or (r.reflection <> '' and substr(r.reflection, 1, 1) <> $1)
                      or (r.feeling <> '' and substr(r.feeling, 1, 1) <> $1)
                   limit $2"#,
                mark,
                limit
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| {
                let (s, l) = (UserId(r.speaker_id), UserId(r.listener_id));
                PlainRow {
                    table,
                    key: [r.listening_id, r.round],
                    texts: vec![(s, p(r.share)), (l, r.reflection), (l, r.feeling)],
                }
            })
            .collect(),
            PlainTable::Answers => sqlx::query!(
                r#"select exchange_id, author_id, body, reply_words from answers
                   where (body <> '' and substr(body, 1, 1) <> $1)
                      or (reply_words <> '' and substr(reply_words, 1, 1) <> $1)
                   limit $2"#,
                mark,
                limit
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| {
                let a = UserId(r.author_id);
                PlainRow { table, key: [r.exchange_id, r.author_id], texts: vec![(a, p(r.body)), (a, r.reply_words)] }
            })
            .collect(),
            PlainTable::Evenings => sqlx::query!(
                r#"select id as "id!: i64", noted_by as "noted_by!: i64", note as "note!: String" from evenings
                   where note is not null and noted_by is not null and note <> '' and substr(note, 1, 1) <> $1
                   limit $2"#,
                mark,
                limit
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .into_iter()
            .map(|r| PlainRow { table, key: [r.id, 0], texts: vec![(UserId(r.noted_by), p(r.note))] })
            .collect(),
        };
        Ok(rows)
    }

    async fn replace_row(&self, old: &PlainRow, new: &PlainRow) -> StoreResult<bool> {
        let [k1, k2] = old.key;
        let done = match old.table {
            PlainTable::CheckIns => {
                let (h, l, n) = (given(new, 0)?, given(new, 1)?, given(new, 2)?);
                let (oh, ol, on) = (given(old, 0)?, given(old, 1)?, given(old, 2)?);
                sqlx::query!(
                    "update check_ins set high = $1, low = $2, need = $3 \
                     where id = $4 and high = $5 and low = $6 and need = $7",
                    h,
                    l,
                    n,
                    k1,
                    oh,
                    ol,
                    on
                )
                .execute(&self.pool)
                .await
            }
            PlainTable::Appreciations => {
                let (b, r, ob, or) = (given(new, 0)?, given(new, 1)?, given(old, 0)?, given(old, 1)?);
                sqlx::query!(
                    "update appreciations set body = $1, reply = $2 where id = $3 and body = $4 and reply = $5",
                    b,
                    r,
                    k1,
                    ob,
                    or
                )
                .execute(&self.pool)
                .await
            }
            PlainTable::ListeningRounds => {
                let (s, r, f) = (given(new, 0)?, text(new, 1)?, text(new, 2)?);
                let (os, or, of) = (given(old, 0)?, text(old, 1)?, text(old, 2)?);
                sqlx::query!(
                    "update listening_rounds set share = $1, reflection = $2, feeling = $3 \
                     where listening_id = $4 and round = $5 and share = $6 and reflection is $7 and feeling is $8",
                    s,
                    r,
                    f,
                    k1,
                    k2,
                    os,
                    or,
                    of
                )
                .execute(&self.pool)
                .await
            }
            PlainTable::Answers => {
                let (b, w, ob, ow) = (given(new, 0)?, text(new, 1)?, given(old, 0)?, text(old, 1)?);
                sqlx::query!(
                    "update answers set body = $1, reply_words = $2 \
                     where exchange_id = $3 and author_id = $4 and body = $5 and reply_words is $6",
                    b,
                    w,
                    k1,
                    k2,
                    ob,
                    ow
                )
                .execute(&self.pool)
                .await
            }
            PlainTable::Evenings => {
                let (n, on) = (given(new, 0)?, given(old, 0)?);
                sqlx::query!("update evenings set note = $1 where id = $2 and note = $3", n, k1, on)
                    .execute(&self.pool)
                    .await
            }
        };
        Ok(done.map_err(db)?.rows_affected() == 1)
    }

    async fn scrub(&self) -> StoreResult<()> {
        // Deleted content was zeroed in the file as it went (`secure_delete`); the log still
        // holds the pages as they were until it is checkpointed and emptied.
        // (A pragma with no declared result columns: the one query here sqlx cannot check.)
        sqlx::raw_sql("pragma wal_checkpoint(truncate)").execute(&self.pool).await.map_err(db)?;
        Ok(())
    }
}
