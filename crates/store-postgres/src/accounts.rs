//! People and their accounts, and the one transaction that registers someone (redeeming a
//! partner's invite on the way in when they came with one).

use crate::{PgStore, Ts, UserRow, db, is_unique_violation, pairing, ts, user_row};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{PgConnection, Postgres, Transaction};
use tend_domain::account::DELETED_NAME;
use tend_domain::store::{Accounts, Gate, NewUserRecord, ProfileChange, RegisterOutcome, StoreResult, User};
use tend_domain::{CoupleId, StoreError, UserId};

/// The user with this id, read on the given connection (inside a transaction, say).
pub(crate) async fn user_on(conn: &mut PgConnection, id: UserId) -> StoreResult<Option<User>> {
    let row = sqlx::query_as!(
        UserRow,
        r#"select id, email, display_name, time_zone, couple_id, created_at as "created_at: Ts", hide_counts
           from users where id = $1"#,
        id.0
    )
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    row.map(UserRow::into_user).transpose()
}

#[async_trait]
impl Accounts for PgStore {
    async fn is_founded(&self) -> StoreResult<bool> {
        sqlx::query_scalar!(r#"select exists (select 1 from instance) as "founded!""#)
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn register(&self, new: &NewUserRecord, gate: &Gate, now: Timestamp) -> StoreResult<RegisterOutcome> {
        let mut tx: Transaction<'_, Postgres> = self.pool.begin().await.map_err(db)?;
        // Only the first account founds the instance; a second "first" finds it taken.
        let founded = sqlx::query!(
            "insert into instance (id, founded_at) values (1, $1) on conflict (id) do nothing",
            ts(now) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if matches!(gate, Gate::FirstAccount) && !founded {
            return Ok(RegisterOutcome::Closed);
        }
        let inserted = sqlx::query_scalar!(
            "insert into users (email, display_name, password_hash, time_zone, created_at, updated_at, admin) \
             values ($1, $2, $3, $4, $5, $5, $6) returning id",
            new.email,
            new.display_name,
            new.password_hash,
            new.time_zone.as_str(),
            ts(now) as Ts,
            // The account that founds the instance is its first admin.
            founded
        )
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => UserId(id),
            Err(e) if is_unique_violation(&e) => return Ok(RegisterOutcome::EmailTaken),
            Err(e) => return Err(db(e)),
        };
        let couple = match gate {
            Gate::Invite(hash) => match pairing::redeem_in(&mut tx, hash, id, now).await? {
                Ok(couple) => Some(couple),
                Err(failure) => return Ok(RegisterOutcome::Invite(failure)),
            },
            Gate::FirstAccount | Gate::Open => None,
        };
        let user = user_on(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db)?;
        Ok(RegisterOutcome::Created { user, couple })
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        user_on(&mut conn, id).await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query_as!(
            UserRow,
            r#"select id, email, display_name, time_zone, couple_id, created_at as "created_at: Ts", hide_counts
               from users where email = $1 and deleted_at is null"#,
            email
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(UserRow::into_user).transpose()
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        sqlx::query_scalar!("select password_hash from users where id = $1", id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str, now: Timestamp) -> StoreResult<()> {
        let n = sqlx::query!(
            "update users set password_hash = $1, updated_at = $2 where id = $3",
            hash,
            ts(now) as Ts,
            id.0
        )
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        if n == 1 { Ok(()) } else { Err(StoreError::NotFound) }
    }

    async fn update_profile(&self, id: UserId, change: &ProfileChange, now: Timestamp) -> StoreResult<User> {
        let result = sqlx::query!(
            "update users set display_name = coalesce($1, display_name), email = coalesce($2, email), \
             time_zone = coalesce($3, time_zone), hide_counts = coalesce($4, hide_counts), updated_at = $5 \
             where id = $6",
            change.display_name.as_deref(),
            change.email.as_deref(),
            change.time_zone.as_ref().map(|z| z.as_str()),
            change.hide_counts,
            ts(now) as Ts,
            id.0
        )
        .execute(&self.pool)
        .await;
        match result {
            Ok(r) if r.rows_affected() == 1 => {}
            Ok(_) => return Err(StoreError::NotFound),
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict("That email is taken.".into())),
            Err(e) => return Err(db(e)),
        }
        self.user(id).await?.ok_or(StoreError::NotFound)
    }

    async fn users_in_couple(&self, couple: CoupleId) -> StoreResult<Vec<User>> {
        let rows = sqlx::query!(
            r#"select id, email, display_name, time_zone, couple_id, created_at as "created_at: Ts", hide_counts
               from users where couple_id = $1 order by id"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(|r| user_row!(r).into_user()).collect()
    }

    async fn seen_at(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        let seen = sqlx::query_scalar!(r#"select today_seen_at as "seen: Ts" from users where id = $1"#, user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(seen.flatten().map(Ts::to_jiff))
    }

    async fn set_seen_at(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        sqlx::query!("update users set today_seen_at = $1 where id = $2", ts(at) as Ts, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn guide_hidden(&self, user: UserId) -> StoreResult<bool> {
        let hidden =
            sqlx::query_scalar!(r#"select guide_hidden_at is not null as "hidden!" from users where id = $1"#, user.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        Ok(hidden.unwrap_or(false))
    }

    async fn hide_guide(&self, user: UserId, at: Timestamp) -> StoreResult<()> {
        sqlx::query!("update users set guide_hidden_at = $1 where id = $2", ts(at) as Ts, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_user(&self, user: UserId, now: Timestamp) -> StoreResult<bool> {
        let id = user.0;
        let mut tx: Transaction<'_, Postgres> = self.pool.begin().await.map_err(db)?;
        // Locks their row for the rest of the transaction, so two deletions of one person
        // cannot interleave: the second finds a tombstone and answers false.
        let Some(row) =
            sqlx::query!("select email, couple_id from users where id = $1 and deleted_at is null for update", id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?
        else {
            return Ok(false);
        };
        // Their couple ends first, exactly as `dissolve_couple` ends it.
        if let Some(couple) = row.couple_id {
            sqlx::query!("update couples set ended_at = $1 where id = $2 and ended_at is null", ts(now) as Ts, couple)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query!(
                "update users set couple_id = null, updated_at = $1 where couple_id = $2",
                ts(now) as Ts,
                couple
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            crate::photos::drop_couple_photos(&mut tx, couple).await?;
        }
        // Ways in.
        sqlx::query!("delete from sessions where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from api_tokens where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        // The row stays (as a deleted account), so its reset links must go by hand.
        sqlx::query!("delete from password_resets where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from invites where inviter_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        // The throttle's counts that name them (see `throttle` and the use cases' keys).
        let keys: Vec<String> = [format!("login:{}", row.email), format!("signup:{}", row.email)]
            .into_iter()
            .chain(
                ["invite", "email-change", "email-change-of", "password-change", "addr-of", "account-delete"]
                    .map(|kind| format!("{kind}:{id}")),
            )
            .collect();
        sqlx::query!("delete from login_failures where key = any($1)", &keys).execute(&mut *tx).await.map_err(db)?;
        // Their words and ratings. What the partner wrote stays theirs: an appreciation to the
        // deleted person keeps its words and loses only the reaction and reply they gave it;
        // a listening loses the deleted person's turns (their share, reflection, feeling or
        // verdict become empty) and keeps the partner's; a conversation loses their rating.
        crate::play::forget_person(&mut tx, id).await?;
        crate::goals::forget_person(&mut tx, id).await?;
        sqlx::query!("delete from check_ins where author_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from intimacy_ratings where author_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from states_of_us where author_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from help_hints where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from appreciations where author_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!(
            "update appreciations set reply = '', reaction = null, reacted_at = null where recipient_id = $1",
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("delete from answers where author_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!(
            "update listening_rounds set share = '', verdict = null, answered_at = null \
             where listening_id in (select id from listenings where speaker_id = $1)",
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!(
            "update listening_rounds set reflection = case when reflection is null then null else '' end, \
             feeling = case when feeling is null then null else '' end \
             where listening_id in (select id from listenings where listener_id = $1)",
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!(
            "update conversations set \
             first_understood = case when first_speaker = $1 then null else first_understood end, \
             first_cared = case when first_speaker = $1 then null else first_cared end, \
             second_understood = case when second_speaker = $1 then null else second_understood end, \
             second_cared = case when second_speaker = $1 then null else second_cared end \
             where first_speaker = $1 or second_speaker = $1",
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("update evenings set note = null, noted_by = null, noted_at = null where noted_by = $1", id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        // Reminders, devices and the calendar address.
        sqlx::query!(
            "delete from reminder_slots where user_id = $1 or reminder_id in (select id from reminders where user_id = $1)",
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("delete from reminders where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from nudges where from_user = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from reminder_settings where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from reminder_choices where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from push_subscriptions where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!("delete from calendar_feeds where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        // Their data key: whatever was sealed with it, here or in any copy, is unreadable now.
        sqlx::query!("delete from data_keys where user_id = $1", id).execute(&mut *tx).await.map_err(db)?;
        // The tombstone: no address (a new account may use theirs), no name, no password that
        // any password matches (the hash cannot even be read).
        sqlx::query!(
            "update users set email = 'deleted-' || id || '@deleted.invalid', display_name = $1, \
             password_hash = '!', couple_id = null, hide_counts = false, today_seen_at = null, \
             guide_hidden_at = null, deleted_at = $2, updated_at = $2 where id = $3",
            DELETED_NAME,
            ts(now) as Ts,
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}
