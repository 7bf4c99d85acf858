//! The nudge: "Sam would love a check-in with you today", one a day from each partner.

use super::words_for;
use crate::Ctx;
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::rhythm::Practice;
use crate::store::User;
use crate::store::reminders::NewReminder;
use jiff::SignedDuration;

/// Sends the partner one gentle nudge about a practice: at most one a day from each person.
pub async fn nudge(ctx: &Ctx, me: &User, practice: Practice) -> Result<()> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let day = us.me.time_zone.today(now);
    if !ctx.store.record_nudge(us.couple_id, us.me.id, practice, day, now).await? {
        return Err(Error::rejected(format!(
            "You have nudged {} today already. One a day keeps it gentle.",
            us.partner.display_name
        )));
    }
    let theirs = ctx.store.reminder_choices(us.partner.id).await?;
    let zone = us.partner.time_zone.zone();
    let their_day = us.partner.time_zone.today(now);
    let end_of_day = their_day.tomorrow().ok().and_then(|d| d.to_zoned(zone).ok()).map_or(now, |z| z.timestamp());
    for channel in theirs.channels() {
        ctx.store
            .queue_reminder(&NewReminder {
                user_id: us.partner.id,
                couple_id: us.couple_id,
                practice,
                occurrence: format!("nudge-{their_day}"),
                channel,
                nudged_by: Some(us.me.id),
                due_at: now,
                expires_at: end_of_day.max(now.saturating_add(SignedDuration::from_hours(1)).unwrap_or(now)),
            })
            .await?;
    }
    ctx.notify(us.couple_id, crate::events::EventKind::Rhythm).await;
    Ok(())
}

/// A nudge the person received today, as their Today shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nudge {
    pub text: String,
    pub practice: Practice,
    pub href: &'static str,
    pub from_me: bool,
}

/// Today's nudges between the couple, in the person's local day.
pub async fn nudges_today(ctx: &Ctx, us: &Us) -> Result<Vec<Nudge>> {
    let now = ctx.now();
    let zone = us.me.time_zone.zone();
    let start = us.me.time_zone.today(now).to_zoned(zone).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let mut out = Vec::new();
    for (from, practice, _) in ctx.store.nudges_since(us.couple_id, start).await? {
        let w = words_for(practice)?;
        let from_me = from == us.me.id;
        let text = if from_me {
            format!("You nudged {}: you would love {}.", us.partner.display_name, w.nudge)
        } else {
            format!("{} would love {}.", us.partner.display_name, w.nudge)
        };
        out.push(Nudge { text, practice, href: practice.href(), from_me });
    }
    Ok(out)
}
