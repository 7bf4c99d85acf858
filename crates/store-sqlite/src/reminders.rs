//! Reminders: each person's choices and devices, their calendar feed, the outbox every node
//! claims reminders from, the daily limit, nudges, periodic jobs and the instance's secrets.
//!
//! Once means once without locks: SQLite has one writer at a time, so a single statement that
//! reads and writes (the claim's `update … returning`, the daily limit's
//! `insert … select … where (select count(*) …) < max`) is atomic against every other node
//! writing to the same file.

use crate::SqliteStore;
use crate::decode::{bad, day_text, db, ms, ts, user_row};
use crate::rhythm::{SlotRow, at_minute, practice, time_of_day};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::reminder::{Channel, Choices, QuietHours};
use tend_domain::rhythm::Practice;
use tend_domain::secret::SecretHash;
use tend_domain::store::reminders::{
    Candidate, NewPushSubscription, NewReminder, PushSubscription, QueuedReminder, Reminders, SentReminder, Settled,
};
use tend_domain::store::{StoreResult, User};
use tend_domain::{CoupleId, PushSubscriptionId, ReminderId, UserId};

fn channel(id: &str) -> StoreResult<Channel> {
    Channel::parse(id).filter(|c| c.as_str() == id).ok_or_else(|| bad(format_args!("channel {id:?}")))
}

/// A queued reminder as the claim reads it back.
struct QueuedRow {
    id: i64,
    user_id: i64,
    couple_id: i64,
    practice: String,
    occurrence: String,
    channel: String,
    nudged_by: Option<i64>,
    due_at: i64,
    expires_at: i64,
    attempts: i64,
    next_attempt_at: i64,
}

impl QueuedRow {
    fn into_queued(self) -> StoreResult<QueuedReminder> {
        let attempts = u32::try_from(self.attempts)
            .map_err(|_| bad(format_args!("{} attempts at reminder {}", self.attempts, self.id)))?;
        Ok(QueuedReminder {
            id: ReminderId(self.id),
            reminder: NewReminder {
                user_id: UserId(self.user_id),
                couple_id: CoupleId(self.couple_id),
                practice: practice(&self.practice)?,
                occurrence: self.occurrence,
                channel: channel(&self.channel)?,
                nudged_by: self.nudged_by.map(UserId),
                due_at: ts(self.due_at)?,
                expires_at: ts(self.expires_at)?,
            },
            attempts,
        })
    }
}

#[async_trait]
impl Reminders for SqliteStore {
    async fn reminder_choices(&self, user: UserId) -> StoreResult<Choices> {
        let quiet = sqlx::query!("select quiet_from, quiet_until from reminder_settings where user_id = $1", user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let quiet = match quiet {
            None => QuietHours::default(),
            Some(q) => QuietHours { from: time_of_day(q.quiet_from)?, until: time_of_day(q.quiet_until)? },
        };
        let rows = sqlx::query!("select practice, channel from reminder_choices where user_id = $1", user.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut wanted = rows
            .into_iter()
            .map(|r| Ok((practice(&r.practice)?, channel(&r.channel)?)))
            .collect::<StoreResult<Vec<_>>>()?;
        // In the domain's order (the order practices are listed), not the text's.
        wanted.sort();
        Ok(Choices { quiet, wanted })
    }

    async fn save_reminder_choices(&self, user: UserId, choices: &Choices, now: Timestamp) -> StoreResult<()> {
        let (from, until, now) = (at_minute(choices.quiet.from)?, at_minute(choices.quiet.until)?, ms(now));
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!(
            "insert into reminder_settings (user_id, quiet_from, quiet_until, updated_at) values ($1, $2, $3, $4) \
             on conflict (user_id) do update set quiet_from = excluded.quiet_from, \
                 quiet_until = excluded.quiet_until, updated_at = excluded.updated_at",
            user.0,
            from,
            until,
            now
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("delete from reminder_choices where user_id = $1", user.0).execute(&mut *tx).await.map_err(db)?;
        for (p, c) in &choices.wanted {
            let (p, c) = (p.as_str(), c.as_str());
            sqlx::query!(
                "insert into reminder_choices (user_id, practice, channel) values ($1, $2, $3) \
                 on conflict (user_id, practice, channel) do nothing",
                user.0,
                p,
                c
            )
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn stop_email(&self, user: UserId, _now: Timestamp) -> StoreResult<()> {
        let email = Channel::Email.as_str();
        sqlx::query!("delete from reminder_choices where user_id = $1 and channel = $2", user.0, email)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn save_push_subscription(
        &self,
        user: UserId,
        sub: &NewPushSubscription,
        now: Timestamp,
    ) -> StoreResult<PushSubscriptionId> {
        let now = ms(now);
        let mut tx = self.pool.begin().await.map_err(db)?;
        // An endpoint that changes hands is new to its new owner; one re-subscribed by the same
        // person keeps the date it was first added.
        let id = sqlx::query_scalar!(
            r#"insert into push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at)
               values ($1, $2, $3, $4, $5, $6)
               on conflict (endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh,
                   auth = excluded.auth, label = excluded.label,
                   created_at = case when push_subscriptions.user_id = excluded.user_id
                                     then push_subscriptions.created_at else excluded.created_at end
               returning id as "id!: i64""#,
            user.0,
            sub.endpoint,
            sub.p256dh,
            sub.auth,
            sub.label,
            now
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(PushSubscriptionId(id))
    }

    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>> {
        let rows = sqlx::query!(
            r#"select id as "id!: i64", user_id, endpoint, p256dh, auth, label, created_at from push_subscriptions
               where user_id = $1 order by created_at, id"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(PushSubscription {
                    id: PushSubscriptionId(r.id),
                    user_id: UserId(r.user_id),
                    endpoint: r.endpoint,
                    p256dh: r.p256dh,
                    auth: r.auth,
                    label: r.label,
                    created_at: ts(r.created_at)?,
                })
            })
            .collect()
    }

    async fn delete_push_subscription(&self, user: UserId, id: PushSubscriptionId) -> StoreResult<bool> {
        let done = sqlx::query!("delete from push_subscriptions where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        sqlx::query!("delete from push_subscriptions where endpoint = $1", endpoint)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn set_calendar_token(&self, user: UserId, hash: Option<&SecretHash>, now: Timestamp) -> StoreResult<()> {
        let now = ms(now);
        match hash {
            Some(hash) => sqlx::query!(
                "insert into calendar_feeds (user_id, token_hash, created_at) values ($1, $2, $3) \
                 on conflict (user_id) do update set token_hash = excluded.token_hash, \
                     created_at = excluded.created_at",
                user.0,
                hash.0,
                now
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
            None => sqlx::query!("delete from calendar_feeds where user_id = $1", user.0)
                .execute(&self.pool)
                .await
                .map_err(db)?,
        };
        Ok(())
    }

    async fn calendar_token_made(&self, user: UserId) -> StoreResult<Option<Timestamp>> {
        let made = sqlx::query_scalar!("select created_at from calendar_feeds where user_id = $1", user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        made.map(ts).transpose()
    }

    async fn calendar_owner(&self, hash: &SecretHash) -> StoreResult<Option<User>> {
        let row = sqlx::query!(
            r#"select u.id as "u_id!: i64", u.email as u_email, u.display_name as u_display_name,
                      u.time_zone as u_time_zone, u.couple_id as u_couple_id, u.created_at as u_created_at,
                      u.hide_counts as "u_hide_counts: bool"
               from calendar_feeds f join users u on u.id = f.user_id
               where f.token_hash = $1 and u.disabled_at is null"#,
            hash.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| user_row!(r).into_user()).transpose()
    }

    async fn reminder_candidates(&self) -> StoreResult<Vec<Candidate>> {
        let rows = sqlx::query!(
            r#"select c.user_id, u.couple_id as "couple_id!: i64", c.practice, c.channel,
                      s.weekday, s.nth, s.at_minute, s.minutes, s.zone, s.proposed_by, s.proposed_at, s.agreed_at
               from reminder_choices c
               join users u on u.id = c.user_id
               join rhythm_slots s on s.couple_id = u.couple_id and s.practice = c.practice and s.agreed = 1
               where u.disabled_at is null
               order by c.user_id, c.practice, c.channel"#
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                let stored = SlotRow {
                    practice: r.practice,
                    weekday: r.weekday,
                    nth: r.nth,
                    at_minute: r.at_minute,
                    minutes: r.minutes,
                    zone: r.zone,
                    proposed_by: r.proposed_by,
                    proposed_at: r.proposed_at,
                    agreed_at: r.agreed_at,
                }
                .into_stored()?;
                Ok(Candidate {
                    user_id: UserId(r.user_id),
                    couple_id: CoupleId(r.couple_id),
                    practice: stored.practice,
                    channel: channel(&r.channel)?,
                    slot: stored.slot,
                })
            })
            .collect()
    }

    async fn queue_reminder(&self, r: &NewReminder) -> StoreResult<bool> {
        let (practice, channel) = (r.practice.as_str(), r.channel.as_str());
        let (nudged_by, due_at, expires_at) = (r.nudged_by.map(|u| u.0), ms(r.due_at), ms(r.expires_at));
        let done = sqlx::query!(
            "insert into reminders (user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at, \
                 state, attempts, next_attempt_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $7) \
             on conflict (user_id, practice, occurrence, channel) do nothing",
            r.user_id.0,
            r.couple_id.0,
            practice,
            r.occurrence,
            channel,
            nudged_by,
            due_at,
            expires_at
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<QueuedReminder>> {
        let (now, lease_until, limit) = (ms(now), ms(lease_until), i64::from(limit));
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One statement: SQLite runs it as the only writer, so no other node claims the same row.
        let mut rows = sqlx::query_as!(
            QueuedRow,
            r#"update reminders set lease_until = $1, attempts = attempts + 1
               where id in (select id from reminders
                            where state = 'queued' and next_attempt_at <= $2
                              and (lease_until is null or lease_until <= $2)
                            order by next_attempt_at, id limit $3)
               returning id as "id!: i64", user_id as "user_id!: i64", couple_id as "couple_id!: i64",
                         practice as "practice!: String", occurrence as "occurrence!: String",
                         channel as "channel!: String", nudged_by as "nudged_by?: i64", due_at as "due_at!: i64",
                         expires_at as "expires_at!: i64", attempts as "attempts!: i64",
                         next_attempt_at as "next_attempt_at!: i64""#,
            lease_until,
            now,
            limit
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // RETURNING gives no order: oldest first, as claimed.
        rows.sort_by_key(|r| (r.next_attempt_at, r.id));
        rows.into_iter().map(QueuedRow::into_queued).collect()
    }

    async fn settle_reminder(&self, id: ReminderId, settled: &Settled, now: Timestamp) -> StoreResult<()> {
        let now = ms(now);
        // Only a queued reminder is settled: one another node already sent stays sent.
        match settled {
            Settled::Sent => sqlx::query!(
                "update reminders set state = 'sent', settled_at = $1, lease_until = null \
                 where id = $2 and state = 'queued'",
                now,
                id.0
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
            Settled::Dropped(reason) => sqlx::query!(
                "update reminders set state = 'dropped', settled_at = $1, lease_until = null, last_error = $2 \
                 where id = $3 and state = 'queued'",
                now,
                reason,
                id.0
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
            Settled::Later { at, error } => {
                let at = ms(*at);
                sqlx::query!(
                    "update reminders set next_attempt_at = $1, lease_until = null, last_error = $2 \
                     where id = $3 and state = 'queued'",
                    at,
                    error,
                    id.0
                )
                .execute(&self.pool)
                .await
                .map_err(db)?
            }
        };
        Ok(())
    }

    async fn take_reminder_slot(&self, user: UserId, day: Date, max: u32, reminder: ReminderId) -> StoreResult<bool> {
        let (day, max) = (day_text(day), i64::from(max));
        // One statement counts and inserts, as the only writer: two nodes cannot both take the
        // last place of the day.
        let taken = sqlx::query!(
            "insert into reminder_slots (reminder_id, user_id, day) \
             select $1, $2, $3 where (select count(*) from reminder_slots where user_id = $2 and day = $3) < $4 \
             on conflict (reminder_id) do nothing",
            reminder.0,
            user.0,
            day,
            max
        )
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected()
            == 1;
        if taken {
            return Ok(true);
        }
        // Counted already (a retry), or the day is full.
        sqlx::query_scalar!(
            r#"select exists (select 1 from reminder_slots where reminder_id = $1) as "counted!: bool""#,
            reminder.0
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db)
    }

    async fn reminders_sent(&self, user: UserId, since: Timestamp) -> StoreResult<Vec<SentReminder>> {
        let since = ms(since);
        let rows = sqlx::query!(
            r#"select practice, channel, nudged_by, settled_at as "settled_at!: i64" from reminders
               where user_id = $1 and state = 'sent' and settled_at >= $2
               order by settled_at desc, id desc"#,
            user.0,
            since
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|r| {
                Ok(SentReminder {
                    practice: practice(&r.practice)?,
                    channel: channel(&r.channel)?,
                    nudged_by: r.nudged_by.map(UserId),
                    sent_at: ts(r.settled_at)?,
                })
            })
            .collect()
    }

    async fn record_nudge(
        &self,
        couple: CoupleId,
        from: UserId,
        practice: Practice,
        day: Date,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (practice, day, now) = (practice.as_str(), day_text(day), ms(now));
        let done = sqlx::query!(
            "insert into nudges (couple_id, from_user, practice, day, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (from_user, day) do nothing",
            couple.0,
            from.0,
            practice,
            day,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn nudges_since(
        &self,
        couple: CoupleId,
        since: Timestamp,
    ) -> StoreResult<Vec<(UserId, Practice, Timestamp)>> {
        let since = ms(since);
        let rows = sqlx::query!(
            "select from_user, practice, created_at from nudges where couple_id = $1 and created_at >= $2 \
             order by created_at desc, from_user",
            couple.0,
            since
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(|r| Ok((UserId(r.from_user), practice(&r.practice)?, ts(r.created_at)?))).collect()
    }

    async fn prune_reminders(&self, before: Timestamp, day_before: Date) -> StoreResult<u64> {
        let (before, day_before) = (ms(before), day_text(day_before));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let slots = sqlx::query!("delete from reminder_slots where day < $1", day_before)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let nudges = sqlx::query!("delete from nudges where day < $1", day_before)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        // A reminder still counted on a day that is kept stays until that day goes.
        let reminders = sqlx::query!(
            "delete from reminders \
             where ((state <> 'queued' and settled_at < $1) or (state = 'queued' and expires_at < $1)) \
             and not exists (select 1 from reminder_slots s where s.reminder_id = reminders.id)",
            before
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(slots + nudges + reminders)
    }

    async fn claim_job(&self, name: &str, now: Timestamp, next: Timestamp) -> StoreResult<bool> {
        let (now, next) = (ms(now), ms(next));
        let mut tx = self.pool.begin().await.map_err(db)?;
        let claimed = sqlx::query_scalar!(
            r#"insert into jobs (name, run_after) values ($1, $3)
               on conflict (name) do update set run_after = excluded.run_after where jobs.run_after <= $2
               returning name as "name!: String""#,
            name,
            now,
            next
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(claimed.is_some())
    }

    async fn instance_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        // Not a time any rule reads: it only says when the secret was first written.
        let now = ms(Timestamp::now());
        sqlx::query!(
            "insert into instance_secrets (name, value, created_at) values ($1, $2, $3) on conflict (name) do nothing",
            name,
            fresh,
            now
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        sqlx::query_scalar!("select value from instance_secrets where name = $1", name)
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_channels_it_knows() {
        assert_eq!(channel("push").ok(), Some(Channel::Push));
        assert!(channel(" email").is_err());
        assert!(channel("sms").is_err());
    }
}
