//! Today: the couple's daily practices at a glance, from one partner's side.

use crate::Ctx;
use crate::appreciation::{self, Appreciation};
use crate::check_in::{self, DayView};
use crate::couple::{self, Us};
use crate::error::{Error, Result};
use crate::store::User;
use jiff::Timestamp;

#[derive(Clone, Debug)]
pub struct Overview {
    pub us: Us,
    pub check_in: DayView,
    /// Appreciations given since the start of the caller's local day, newest first.
    pub received: Vec<Appreciation>,
    pub given: Vec<Appreciation>,
    /// When the caller last looked; what the partner added after it is new.
    pub last_seen: Option<Timestamp>,
}

impl Overview {
    /// True for something the partner added since the caller last looked.
    pub fn is_new(&self, by_partner: bool, at: Timestamp) -> bool {
        by_partner && self.last_seen.is_some_and(|seen| at > seen)
    }

    pub fn partner_check_in_is_new(&self) -> bool {
        match &self.check_in.partner {
            check_in::PartnerCheckIn::Revealed { check_in } => self.is_new(true, check_in.updated_at),
            _ => false,
        }
    }
}

/// Reads Today for the caller. With `mark_seen`, also remembers that they looked now.
pub async fn overview(ctx: &Ctx, me: &User, mark_seen: bool) -> Result<Overview> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let zone = us.me.time_zone.zone();
    let start = us.me.time_zone.today(now).to_zoned(zone).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let check_in = check_in::for_day(ctx, &us, us.me.time_zone.today(now)).await?;
    let (received, given): (Vec<_>, Vec<_>) =
        appreciation::since(ctx, &us, start, None).await?.into_iter().partition(|a| a.recipient == us.me.id);
    let last_seen = ctx.store.seen_at(us.me.id).await?;
    if mark_seen {
        ctx.store.set_seen_at(us.me.id, now).await?;
    }
    Ok(Overview { us, check_in, received, given, last_seen })
}
