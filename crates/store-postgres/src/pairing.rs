//! Invites, and the couples they make.

use crate::accounts::user_on;
use crate::{PgStore, Ts, db, ts, user_row};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{Postgres, Transaction};
use tend_domain::couple::InviteRecord;
use tend_domain::secret::SecretHash;
use tend_domain::store::{NewInvite, Pairing, PastCouple, RedeemFailure, StoreResult, User};
use tend_domain::{CoupleId, InviteId, StoreError, UserId};

/// An invite joined with its inviter, as both invite queries read it.
macro_rules! invite_record {
    ($r:expr) => {{
        let r = $r;
        let (id, created_at, expires_at, used_at) = (r.i_id, r.i_created_at, r.i_expires_at, r.i_used_at);
        user_row!(r).into_user().map(|inviter| InviteRecord {
            id: InviteId(id),
            inviter,
            created_at: created_at.to_jiff(),
            expires_at: expires_at.to_jiff(),
            used_at: used_at.map(Ts::to_jiff),
        })
    }};
}

/// Redeems an invite inside `tx`: marks it used, makes the couple and sets both partners'
/// couple. Every condition is part of a write, so two racing redemptions cannot both win.
/// On a failure the caller rolls back (dropping `tx` does).
pub(crate) async fn redeem_in(
    tx: &mut Transaction<'_, Postgres>,
    hash: &SecretHash,
    joiner: UserId,
    now: Timestamp,
) -> StoreResult<Result<CoupleId, RedeemFailure>> {
    let now = ts(now);
    let claimed = sqlx::query_scalar!(
        "update invites set used_at = $1, used_by = $2 \
         where (token_hash = $3 or code_hash = $3) and used_at is null and expires_at > $1 and inviter_id <> $2 \
         and inviter_id in (select id from users where disabled_at is null) \
         returning inviter_id",
        now as Ts,
        joiner.0,
        hash.0
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(db)?;
    let Some(inviter) = claimed else {
        let row = sqlx::query!(
            r#"select inviter_id, used_at as "used_at: Ts" from invites where token_hash = $1 or code_hash = $1"#,
            hash.0
        )
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
        let failure = match row {
            None => RedeemFailure::Unknown,
            Some(r) if r.used_at.is_some() => RedeemFailure::Used,
            Some(r) if r.inviter_id == joiner.0 => RedeemFailure::OwnInvite,
            Some(_) => RedeemFailure::Expired,
        };
        return Ok(Err(failure));
    };
    let couple = sqlx::query_scalar!("insert into couples (created_at) values ($1) returning id", now as Ts)
        .fetch_one(&mut **tx)
        .await
        .map_err(db)?;
    let joined = sqlx::query!(
        "update users set couple_id = $1, updated_at = $2 where id in ($3, $4) and couple_id is null",
        couple,
        now as Ts,
        inviter,
        joiner.0
    )
    .execute(&mut **tx)
    .await
    .map_err(db)?
    .rows_affected();
    if joined != 2 {
        // Whoever was not moved into the new couple was already in another one.
        let joiner_moved = user_on(tx, joiner).await?.is_some_and(|u| u.couple_id == Some(CoupleId(couple)));
        return Ok(Err(if joiner_moved { RedeemFailure::InviterPaired } else { RedeemFailure::JoinerPaired }));
    }
    // The joiner's own invite, if any, has nobody left to invite.
    sqlx::query!("delete from invites where inviter_id in ($1, $2) and used_at is null", inviter, joiner.0)
        .execute(&mut **tx)
        .await
        .map_err(db)?;
    Ok(Ok(CoupleId(couple)))
}

#[async_trait]
impl Pairing for PgStore {
    async fn create_invite(&self, new: &NewInvite) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!("delete from invites where inviter_id = $1 and used_at is null", new.inviter.0)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query!(
            "insert into invites (inviter_id, token_hash, code_hash, created_at, expires_at) \
             values ($1, $2, $3, $4, $5)",
            new.inviter.0,
            new.token_hash.0,
            new.code_hash.0,
            ts(new.now) as Ts,
            ts(new.expires_at) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn open_invite_of(&self, inviter: UserId, now: Timestamp) -> StoreResult<Option<InviteRecord>> {
        let row = sqlx::query!(
            r#"select i.id as i_id, i.created_at as "i_created_at: Ts", i.expires_at as "i_expires_at: Ts",
                      i.used_at as "i_used_at: Ts",
                      u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts
               from invites i join users u on u.id = i.inviter_id
               where i.inviter_id = $1 and i.used_at is null and i.expires_at > $2
               order by i.id desc limit 1"#,
            inviter.0,
            ts(now) as Ts
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| invite_record!(r)).transpose()
    }

    async fn invite_by_hash(&self, hash: &SecretHash) -> StoreResult<Option<InviteRecord>> {
        let row = sqlx::query!(
            r#"select i.id as i_id, i.created_at as "i_created_at: Ts", i.expires_at as "i_expires_at: Ts",
                      i.used_at as "i_used_at: Ts",
                      u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts
               from invites i join users u on u.id = i.inviter_id
               where (i.token_hash = $1 or i.code_hash = $1) and u.disabled_at is null"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| invite_record!(r)).transpose()
    }

    async fn cancel_invites_of(&self, inviter: UserId) -> StoreResult<u64> {
        let n = sqlx::query!("delete from invites where inviter_id = $1 and used_at is null", inviter.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected())
    }

    async fn redeem_invite(
        &self,
        hash: &SecretHash,
        joiner: UserId,
        now: Timestamp,
    ) -> StoreResult<Result<CoupleId, RedeemFailure>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let outcome = redeem_in(&mut tx, hash, joiner, now).await?;
        if outcome.is_ok() {
            tx.commit().await.map_err(db)?;
        } else {
            tx.rollback().await.map_err(db)?;
        }
        Ok(outcome)
    }

    async fn dissolve_couple(&self, couple: CoupleId, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let ended = sqlx::query!(
            "update couples set ended_at = $1 where id = $2 and ended_at is null",
            ts(now) as Ts,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if ended != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query!(
            "update users set couple_id = null, updated_at = $1 where couple_id = $2",
            ts(now) as Ts,
            couple.0
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        crate::photos::drop_couple_photos(&mut tx, couple.0).await?;
        tx.commit().await.map_err(db)
    }

    async fn couple_members(&self, couple: CoupleId) -> StoreResult<Option<(Vec<User>, Timestamp)>> {
        let rows = sqlx::query!(
            r#"select u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts, c.created_at as "since: Ts"
               from couples c join users u on u.couple_id = c.id
               where c.id = $1 and c.ended_at is null order by u.id"#,
            couple.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let Some(since) = rows.first().map(|r| r.since.to_jiff()) else { return Ok(None) };
        let members = rows.into_iter().map(|r| user_row!(r).into_user()).collect::<StoreResult<Vec<_>>>()?;
        Ok(Some((members, since)))
    }

    async fn couples_of(&self, user: UserId) -> StoreResult<Vec<PastCouple>> {
        // No table lists a couple's members: a person was in a couple when they are in it now,
        // when the invite that made it was theirs (a couple is made in the same instant its
        // invite is used), or when they wrote, received or took part in anything of it.
        let rows = sqlx::query!(
            r#"select c.id, c.created_at as "created_at: Ts", c.ended_at as "ended_at: Ts"
               from couples c
               where c.id in (
                   select couple_id from users where id = $1 and couple_id is not null
                   union select c2.id from couples c2 join invites i on i.used_at = c2.created_at
                         where i.inviter_id = $1 or i.used_by = $1
                   union select couple_id from check_ins where author_id = $1
                   union select couple_id from appreciations where author_id = $1 or recipient_id = $1
                   union select e.couple_id from answers a join exchanges e on e.id = a.exchange_id
                         where a.author_id = $1
                   union select couple_id from conversations
                         where first_speaker = $1 or second_speaker = $1 or started_by = $1
                   union select couple_id from listenings where speaker_id = $1 or listener_id = $1
                   union select couple_id from hugs where logged_by = $1
                   union select couple_id from evenings where started_by = $1 or noted_by = $1
                   union select couple_id from intimacy_ratings where author_id = $1
                   union select couple_id from states_of_us where author_id = $1
               )
               order by c.created_at, c.id"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| PastCouple {
                id: CoupleId(r.id),
                since: r.created_at.to_jiff(),
                ended: r.ended_at.map(Ts::to_jiff),
            })
            .collect())
    }
}
