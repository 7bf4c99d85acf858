//! The scheduler: what is due now, derived from the rhythm, and sending what this node claims.

use super::{Channel, Courier, DAILY_MAX, Delivery, Message, stop_path};
use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::Result;
use crate::rhythm::{self, Cadence, DayMark, Practice, Slot};
use crate::store::reminders::{NewReminder, QueuedReminder, Settled};
use jiff::{SignedDuration, Timestamp};

/// How many reminders one node claims at a time.
const BATCH: u32 = 50;
/// How long a node holds a claimed reminder before another may take it over.
const LEASE: SignedDuration = SignedDuration::from_mins(2);
/// A failed channel is tried again after 1, 2, 4 … minutes, at most this far apart.
const BACKOFF_MAX: SignedDuration = SignedDuration::from_mins(30);
/// How long before its time a practice is reminded of: an evening needs a little warning.
pub fn lead(practice: Practice) -> SignedDuration {
    match practice {
        Practice::TechFreeEvening | Practice::ShowAndTell | Practice::StateOfUs | Practice::IntimacyMap => {
            SignedDuration::from_mins(60)
        }
        Practice::Conversation | Practice::Listening => SignedDuration::from_mins(15),
        Practice::Hug | Practice::CheckIn | Practice::Appreciation => SignedDuration::ZERO,
    }
}

/// The occurrence of `slot` whose reminder is due at or before `now` and still useful then:
/// (its start, when the reminder is due, when it stops being useful).
pub fn due_occurrence(practice: Practice, slot: &Slot, now: Timestamp) -> Option<(jiff::Zoned, Timestamp, Timestamp)> {
    let zone = slot.zone.zone();
    let today = now.to_zoned(zone.clone()).date();
    // Yesterday's evening may still be useful after midnight; tomorrow's early slot may be
    // due (its lead) before midnight.
    let dates = [today.yesterday().ok(), Some(today), today.tomorrow().ok()];
    dates.into_iter().flatten().filter(|d| slot.falls_on(*d)).filter_map(|d| slot.start_on(d)).find_map(|start| {
        let due = start.timestamp().checked_sub(lead(practice)).ok()?;
        let expires = expiry(practice, slot, &start)?;
        (due <= now && now < expires).then_some((start, due, expires))
    })
}

/// A practice's reminder is useful until the practice's time is over; a daily one until the
/// end of that day.
fn expiry(practice: Practice, slot: &Slot, start: &jiff::Zoned) -> Option<Timestamp> {
    let end = start.timestamp().checked_add(SignedDuration::from_mins(i64::from(slot.minutes))).ok()?;
    if practice.cadence() == Cadence::Daily {
        let midnight = start.date().tomorrow().ok()?.to_zoned(start.time_zone().clone()).ok()?.timestamp();
        Some(end.max(midnight))
    } else {
        Some(end)
    }
}

/// Queues every reminder due now. Any node may plan at any time: the outbox keeps each
/// reminder once. Returns how many were new.
pub async fn plan(ctx: &Ctx) -> Result<usize> {
    let now = ctx.now();
    let mut queued = 0;
    for c in ctx.store.reminder_candidates().await? {
        let Some((start, due_at, expires_at)) = due_occurrence(c.practice, &c.slot, now) else { continue };
        let occurrence = start.datetime().strftime("%Y-%m-%dT%H:%M").to_string();
        let new = NewReminder {
            user_id: c.user_id,
            couple_id: c.couple_id,
            practice: c.practice,
            occurrence,
            channel: c.channel,
            nudged_by: None,
            due_at,
            expires_at,
        };
        if ctx.store.queue_reminder(&new).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

/// What one round of sending did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub dropped: usize,
    pub later: usize,
}

/// Claims the reminders due now and sends each one, or drops it, or puts it off.
pub async fn dispatch(ctx: &Ctx, courier: &dyn Courier) -> Result<Round> {
    let now = ctx.now();
    let lease_until = now.checked_add(LEASE).unwrap_or(now);
    let mut round = Round::default();
    for queued in ctx.store.claim_reminders(now, lease_until, BATCH).await? {
        let settled = match deliver(ctx, courier, &queued).await {
            Ok(s) => s,
            Err(e) => Settled::Later {
                at: now.checked_add(backoff(queued.attempts)).unwrap_or(now),
                error: Some(e.to_string()),
            },
        };
        let settled = match settled {
            Settled::Later { at, .. } if at >= queued.reminder.expires_at => {
                Settled::Dropped("no longer useful by the time it could be sent".into())
            }
            other => other,
        };
        match &settled {
            Settled::Sent => round.sent += 1,
            Settled::Dropped(_) => round.dropped += 1,
            Settled::Later { .. } => round.later += 1,
        }
        ctx.store.settle_reminder(queued.id, &settled, now).await?;
    }
    Ok(round)
}

/// 1, 2, 4 … minutes after the attempt that failed, at most [`BACKOFF_MAX`].
pub fn backoff(attempts: u32) -> SignedDuration {
    let minutes = 1_i64 << attempts.saturating_sub(1).min(10);
    SignedDuration::from_mins(minutes).min(BACKOFF_MAX)
}

async fn deliver(ctx: &Ctx, courier: &dyn Courier, queued: &QueuedReminder) -> Result<Settled> {
    let r = &queued.reminder;
    let now = ctx.now();
    let drop = |why: &str| Ok(Settled::Dropped(why.to_owned()));
    if now >= r.expires_at {
        return drop("too late to be useful");
    }
    let Some(me) = ctx.store.user(r.user_id).await? else { return drop("the account is gone") };
    if ctx.store.disabled_at(me.id).await?.is_some() {
        return drop("the account is switched off");
    }
    if me.couple_id != Some(r.couple_id) {
        return drop("no longer in this couple");
    }
    let us = couple::us(ctx, &me).await?;
    if done_already(ctx, &us, r.practice).await? {
        return drop("done already");
    }
    // Nothing during a tech-free evening: try again when it ends.
    if let Some(evening) = ctx.store.open_evening(r.couple_id, now).await? {
        // Looked at again every few minutes: "We're back" may come before the end time.
        let soon = now.checked_add(SignedDuration::from_mins(5)).unwrap_or(now);
        return Ok(Settled::Later { at: evening.ends_at.min(soon), error: None });
    }
    let choices = ctx.store.reminder_choices(me.id).await?;
    let local = now.to_zoned(me.time_zone.zone());
    if choices.quiet.contains(local.time()) {
        let at = choices.quiet.end_after(now, &me.time_zone.zone()).unwrap_or(r.expires_at);
        return Ok(Settled::Later { at, error: None });
    }
    let wanted = match r.nudged_by {
        Some(_) => choices.channels().any(|c| c == r.channel),
        None => choices.wants(r.practice, r.channel),
    };
    if !wanted {
        return drop("turned off since");
    }
    let message = match r.nudged_by {
        Some(_) => Message::nudge(r.practice, &us.partner.display_name)?,
        None => Message::reminder(r.practice)?,
    };
    let devices = match r.channel {
        Channel::Push => {
            let devices = ctx.store.push_subscriptions(me.id).await?;
            if devices.is_empty() {
                return drop("no device for notifications");
            }
            devices
        }
        Channel::Email if !courier.email_ready() => return drop("email is not set up"),
        Channel::Email => Vec::new(),
    };
    if !ctx.store.take_reminder_slot(me.id, local.date(), DAILY_MAX, queued.id).await? {
        return drop("three reminders today already");
    }
    let outcomes = match r.channel {
        Channel::Push => {
            let mut outcomes = Vec::new();
            for device in &devices {
                let outcome = courier.push(device, &message).await;
                if outcome == Delivery::Gone {
                    ctx.store.forget_push_endpoint(&device.endpoint).await?;
                }
                outcomes.push(outcome);
            }
            outcomes
        }
        Channel::Email => vec![courier.email(&me, &message, &stop_path(ctx, me.id).await?).await],
    };
    if outcomes.contains(&Delivery::Delivered) {
        return Ok(Settled::Sent);
    }
    let failure = outcomes.iter().find_map(|o| match o {
        Delivery::Failed(e) => Some(e.clone()),
        _ => None,
    });
    match failure {
        Some(error) => {
            Ok(Settled::Later { at: now.checked_add(backoff(queued.attempts)).unwrap_or(now), error: Some(error) })
        }
        None => drop("every device refused or is gone"),
    }
}

/// Whether the practice the reminder is about is done for this person in its period: today
/// for a daily practice, this week or month for the others.
pub async fn done_already(ctx: &Ctx, us: &Us, practice: Practice) -> Result<bool> {
    let week = rhythm::week_for_practices(ctx, us, &[practice]).await?;
    let Some(item) = week.first() else { return Ok(false) };
    let today = us.me.time_zone.today(ctx.now());
    let index = usize::try_from(today.weekday().to_monday_zero_offset()).unwrap_or(0);
    Ok(match practice.cadence() {
        Cadence::Daily | Cadence::MostDays => {
            let mine = item.days.get(index).is_some_and(|d| matches!(d, DayMark::Both | DayMark::Me));
            let together = matches!(practice, Practice::Hug | Practice::Conversation)
                && item.days.get(index).is_some_and(|d| *d == DayMark::Both);
            mine || together
        }
        Cadence::Weekly | Cadence::Monthly => item.done_at.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::TimeZoneName;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn backoff_doubles_up_to_half_an_hour() {
        let mins: Vec<i64> = (1..=8).map(|a| backoff(a).as_mins()).collect();
        assert_eq!(mins, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    fn slot(weekday: Option<jiff::civil::Weekday>, at: &str, minutes: u16) -> Slot {
        Slot {
            weekday,
            nth: None,
            at: at.parse().expect("time"),
            minutes,
            zone: TimeZoneName::parse("Europe/Berlin").expect("zone"),
        }
    }

    #[test]
    fn the_due_occurrence_keeps_local_time_across_daylight_saving() {
        let evening = slot(Some(jiff::civil::Weekday::Thursday), "19:30", 180);
        // Before the change (UTC+1): due 18:30 local = 17:30Z; after it (UTC+2): 16:30Z.
        let (_, due, expires) =
            due_occurrence(Practice::TechFreeEvening, &evening, t("2026-03-26T17:30:00Z")).expect("due");
        assert_eq!((due, expires), (t("2026-03-26T17:30:00Z"), t("2026-03-26T21:30:00Z")));
        assert!(due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T16:29:00Z")).is_none());
        let (start, due, _) =
            due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T16:30:00Z")).expect("due");
        assert_eq!(due, t("2026-04-02T16:30:00Z"));
        assert_eq!(start.strftime("%H:%M").to_string(), "19:30");
        // Not useful any more once the evening is over.
        assert!(due_occurrence(Practice::TechFreeEvening, &evening, t("2026-04-02T20:30:00Z")).is_none());
        // A daily check-in at 21:00 stays useful until midnight, local time.
        let check_in = slot(None, "21:00", 10);
        let (_, due, expires) = due_occurrence(Practice::CheckIn, &check_in, t("2026-03-29T21:59:00Z")).expect("due");
        assert_eq!((due, expires), (t("2026-03-29T19:00:00Z"), t("2026-03-29T22:00:00Z")));
        assert!(due_occurrence(Practice::CheckIn, &check_in, t("2026-03-29T22:00:00Z")).is_none());
    }
}
