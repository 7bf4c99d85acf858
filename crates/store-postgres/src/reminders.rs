//! Reminders: each person's choices and devices, their calendar feed, the outbox every node
//! claims reminders from, the daily limit, nudges, periodic jobs and the instance's secrets.
//!
//! Several nodes share this database, so each "once" is held by the database: the outbox's
//! unique key queues a reminder once, a claim takes rows with `for update skip locked` so two
//! nodes never hold the same one, and the daily limit is counted under a lock on the person's
//! row, so two nodes cannot both take the last place of a day.

use crate::rhythm::{SlotRow, at_minute, practice, time_of_day};
use crate::{Day, PgStore, Ts, day, db, ts, unreadable, user_row};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tend_domain::reminder::{Channel, Choices, QuietHours};
use tend_domain::rhythm::Practice;
use tend_domain::secret::SecretHash;
use tend_domain::store::reminders::{
    Candidate, NewPushSubscription, NewReminder, PushSubscription, QueuedReminder, Reminders, SentReminder, Settled,
};
use tend_domain::store::{StoreError, StoreResult, User};
use tend_domain::{CoupleId, PushSubscriptionId, ReminderId, UserId};

fn channel(id: &str) -> StoreResult<Channel> {
    Channel::parse(id).filter(|c| c.as_str() == id).ok_or_else(|| unreadable(format!("unknown channel {id:?}")))
}

fn quiet_time(minute: i16) -> StoreResult<jiff::civil::Time> {
    time_of_day(minute).ok_or_else(|| unreadable(format!("quiet hours edge {minute} is not a minute of the day")))
}

#[async_trait]
impl Reminders for PgStore {
    async fn reminder_choices(&self, user: UserId) -> StoreResult<Choices> {
        let quiet = sqlx::query!("select quiet_from, quiet_until from reminder_settings where user_id = $1", user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let quiet = match quiet {
            None => QuietHours::default(),
            Some(q) => QuietHours { from: quiet_time(q.quiet_from)?, until: quiet_time(q.quiet_until)? },
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
        let practices: Vec<String> = choices.wanted.iter().map(|(p, _)| p.as_str().to_owned()).collect();
        let channels: Vec<String> = choices.wanted.iter().map(|(_, c)| c.as_str().to_owned()).collect();
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query!(
            "insert into reminder_settings (user_id, quiet_from, quiet_until, updated_at) values ($1, $2, $3, $4) \
             on conflict (user_id) do update set quiet_from = excluded.quiet_from, \
                 quiet_until = excluded.quiet_until, updated_at = excluded.updated_at",
            user.0,
            at_minute(choices.quiet.from)?,
            at_minute(choices.quiet.until)?,
            ts(now) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query!("delete from reminder_choices where user_id = $1", user.0).execute(&mut *tx).await.map_err(db)?;
        sqlx::query!(
            "insert into reminder_choices (user_id, practice, channel) \
             select $1, w.practice, w.channel from unnest($2::text[], $3::text[]) as w (practice, channel) \
             on conflict (user_id, practice, channel) do nothing",
            user.0,
            &practices,
            &channels
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn stop_email(&self, user: UserId, _now: Timestamp) -> StoreResult<()> {
        sqlx::query!(
            "delete from reminder_choices where user_id = $1 and channel = $2",
            user.0,
            Channel::Email.as_str()
        )
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        // An endpoint that changes hands is new to its new owner; one re-subscribed by the same
        // person keeps the date it was first added.
        let id = sqlx::query_scalar!(
            "insert into push_subscriptions (user_id, endpoint, p256dh, auth, label, created_at) \
             values ($1, $2, $3, $4, $5, $6) \
             on conflict (endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh, \
                 auth = excluded.auth, label = excluded.label, \
                 created_at = case when push_subscriptions.user_id = excluded.user_id \
                                   then push_subscriptions.created_at else excluded.created_at end \
             returning id",
            user.0,
            sub.endpoint,
            sub.p256dh,
            sub.auth,
            sub.label,
            ts(now) as Ts
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(PushSubscriptionId(id))
    }

    async fn push_subscriptions(&self, user: UserId) -> StoreResult<Vec<PushSubscription>> {
        let rows = sqlx::query!(
            r#"select id, user_id, endpoint, p256dh, auth, label, created_at as "created_at: Ts"
               from push_subscriptions where user_id = $1 order by created_at, id"#,
            user.0
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| PushSubscription {
                id: PushSubscriptionId(r.id),
                user_id: UserId(r.user_id),
                endpoint: r.endpoint,
                p256dh: r.p256dh,
                auth: r.auth,
                label: r.label,
                created_at: r.created_at.to_jiff(),
            })
            .collect())
    }

    async fn delete_push_subscription(&self, user: UserId, id: PushSubscriptionId) -> StoreResult<bool> {
        let n = sqlx::query!("delete from push_subscriptions where id = $1 and user_id = $2", id.0, user.0)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn forget_push_endpoint(&self, endpoint: &str) -> StoreResult<()> {
        sqlx::query!("delete from push_subscriptions where endpoint = $1", endpoint)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn set_calendar_token(&self, user: UserId, hash: Option<&SecretHash>, now: Timestamp) -> StoreResult<()> {
        match hash {
            Some(hash) => sqlx::query!(
                "insert into calendar_feeds (user_id, token_hash, created_at) values ($1, $2, $3) \
                 on conflict (user_id) do update set token_hash = excluded.token_hash, \
                     created_at = excluded.created_at",
                user.0,
                hash.0,
                ts(now) as Ts
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
        let made = sqlx::query_scalar!(
            r#"select created_at as "created_at: Ts" from calendar_feeds where user_id = $1"#,
            user.0
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(made.map(Ts::to_jiff))
    }

    async fn calendar_owner(&self, hash: &SecretHash) -> StoreResult<Option<User>> {
        let row = sqlx::query!(
            r#"select u.id, u.email, u.display_name, u.time_zone, u.couple_id, u.created_at as "created_at: Ts",
                      u.hide_counts
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
            r#"select c.user_id, u.couple_id as "couple_id!", c.practice, c.channel,
                      s.weekday, s.nth, s.at_minute, s.minutes, s.zone, s.proposed_by,
                      s.proposed_at as "proposed_at: Ts", s.agreed_at as "agreed_at: Ts"
               from reminder_choices c
               join users u on u.id = c.user_id
               join rhythm_slots s on s.couple_id = u.couple_id and s.practice = c.practice and s.agreed
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
        let n = sqlx::query!(
            "insert into reminders (user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at, \
                 state, attempts, next_attempt_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', 0, $7) \
             on conflict (user_id, practice, occurrence, channel) do nothing",
            r.user_id.0,
            r.couple_id.0,
            r.practice.as_str(),
            r.occurrence,
            r.channel.as_str(),
            r.nudged_by.map(|u| u.0),
            ts(r.due_at) as Ts,
            ts(r.expires_at) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn claim_reminders(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<QueuedReminder>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Rows another node is claiming at this moment are locked, and skipped rather than waited
        // for; one it claimed a moment ago is re-checked after the lock and found leased.
        let mut rows = sqlx::query!(
            r#"update reminders set lease_until = $2, attempts = attempts + 1
               where id in (select id from reminders
                            where state = 'queued' and next_attempt_at <= $1
                              and (lease_until is null or lease_until <= $1)
                            order by next_attempt_at, id limit $3
                            for update skip locked)
               returning id, user_id, couple_id, practice, occurrence, channel, nudged_by,
                         due_at as "due_at: Ts", expires_at as "expires_at: Ts", attempts,
                         next_attempt_at as "next_attempt_at: Ts""#,
            ts(now) as Ts,
            ts(lease_until) as Ts,
            i64::from(limit)
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // RETURNING gives no order: oldest first, as claimed.
        rows.sort_by_key(|r| (r.next_attempt_at.to_jiff(), r.id));
        rows.into_iter()
            .map(|r| {
                let attempts = u32::try_from(r.attempts)
                    .map_err(|_| unreadable(format!("{} attempts at reminder {}", r.attempts, r.id)))?;
                Ok(QueuedReminder {
                    id: ReminderId(r.id),
                    reminder: NewReminder {
                        user_id: UserId(r.user_id),
                        couple_id: CoupleId(r.couple_id),
                        practice: practice(&r.practice)?,
                        occurrence: r.occurrence,
                        channel: channel(&r.channel)?,
                        nudged_by: r.nudged_by.map(UserId),
                        due_at: r.due_at.to_jiff(),
                        expires_at: r.expires_at.to_jiff(),
                    },
                    attempts,
                })
            })
            .collect()
    }

    async fn settle_reminder(&self, id: ReminderId, settled: &Settled, now: Timestamp) -> StoreResult<()> {
        // Only a queued reminder is settled: one another node already sent stays sent.
        match settled {
            Settled::Sent => sqlx::query!(
                "update reminders set state = 'sent', settled_at = $1, lease_until = null \
                 where id = $2 and state = 'queued'",
                ts(now) as Ts,
                id.0
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
            Settled::Dropped(reason) => sqlx::query!(
                "update reminders set state = 'dropped', settled_at = $1, lease_until = null, last_error = $2 \
                 where id = $3 and state = 'queued'",
                ts(now) as Ts,
                reason,
                id.0
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
            Settled::Later { at, error } => sqlx::query!(
                "update reminders set next_attempt_at = $1, lease_until = null, last_error = $2 \
                 where id = $3 and state = 'queued'",
                ts(*at) as Ts,
                error.as_deref(),
                id.0
            )
            .execute(&self.pool)
            .await
            .map_err(db)?,
        };
        Ok(())
    }

    async fn take_reminder_slot(
        &self,
        user: UserId,
        local_day: Date,
        max: u32,
        reminder: ReminderId,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Counting and inserting under a lock on the person's row: a second node counting for the
        // same person waits here, then counts what the first one inserted. (`no key update`, so
        // rows that merely point at the person, such as sessions, are not held up meanwhile.)
        sqlx::query_scalar!("select id from users where id = $1 for no key update", user.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or(StoreError::NotFound)?;
        let counted = sqlx::query_scalar!(
            r#"select exists (select 1 from reminder_slots where reminder_id = $1) as "counted!""#,
            reminder.0
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if counted {
            tx.commit().await.map_err(db)?;
            return Ok(true);
        }
        let n = sqlx::query_scalar!(
            r#"select count(*) as "n!" from reminder_slots where user_id = $1 and day = $2"#,
            user.0,
            day(local_day) as Day
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if n >= i64::from(max) {
            tx.commit().await.map_err(db)?;
            return Ok(false);
        }
        sqlx::query!(
            "insert into reminder_slots (reminder_id, user_id, day) values ($1, $2, $3)",
            reminder.0,
            user.0,
            day(local_day) as Day
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }

    async fn reminders_sent(&self, user: UserId, since: Timestamp) -> StoreResult<Vec<SentReminder>> {
        let rows = sqlx::query!(
            r#"select practice, channel, nudged_by, settled_at as "settled_at!: Ts" from reminders
               where user_id = $1 and state = 'sent' and settled_at >= $2
               order by settled_at desc, id desc"#,
            user.0,
            ts(since) as Ts
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
                    sent_at: r.settled_at.to_jiff(),
                })
            })
            .collect()
    }

    async fn record_nudge(
        &self,
        couple: CoupleId,
        from: UserId,
        practice: Practice,
        local_day: Date,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = sqlx::query!(
            "insert into nudges (couple_id, from_user, practice, day, created_at) values ($1, $2, $3, $4, $5) \
             on conflict (from_user, day) do nothing",
            couple.0,
            from.0,
            practice.as_str(),
            day(local_day) as Day,
            ts(now) as Ts
        )
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.rows_affected() == 1)
    }

    async fn nudges_since(
        &self,
        couple: CoupleId,
        since: Timestamp,
    ) -> StoreResult<Vec<(UserId, Practice, Timestamp)>> {
        let rows = sqlx::query!(
            r#"select from_user, practice, created_at as "created_at: Ts" from nudges
               where couple_id = $1 and created_at >= $2 order by created_at desc, from_user"#,
            couple.0,
            ts(since) as Ts
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(|r| Ok((UserId(r.from_user), practice(&r.practice)?, r.created_at.to_jiff()))).collect()
    }

    async fn prune_reminders(&self, before: Timestamp, day_before: Date) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let slots = sqlx::query!("delete from reminder_slots where day < $1", day(day_before) as Day)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let nudges = sqlx::query!("delete from nudges where day < $1", day(day_before) as Day)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        // A reminder still counted on a day that is kept stays until that day goes.
        let reminders = sqlx::query!(
            "delete from reminders r \
             where ((r.state <> 'queued' and r.settled_at < $1) or (r.state = 'queued' and r.expires_at < $1)) \
             and not exists (select 1 from reminder_slots s where s.reminder_id = r.id)",
            ts(before) as Ts
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(slots + nudges + reminders)
    }

    async fn claim_job(&self, name: &str, now: Timestamp, next: Timestamp) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A second node at the same moment waits for the first one's row, then finds run_after
        // already moved past `now`.
        let claimed = sqlx::query_scalar!(
            "insert into jobs (name, run_after) values ($1, $3) \
             on conflict (name) do update set run_after = excluded.run_after where jobs.run_after <= $2 \
             returning name",
            name,
            ts(now) as Ts,
            ts(next) as Ts
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(claimed.is_some())
    }

    async fn instance_secret(&self, name: &str, fresh: &str) -> StoreResult<String> {
        // Not a time any rule reads: it only says when the secret was first written.
        sqlx::query!(
            "insert into instance_secrets (name, value, created_at) values ($1, $2, $3) on conflict (name) do nothing",
            name,
            fresh,
            ts(Timestamp::now()) as Ts
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
