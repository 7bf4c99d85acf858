//! The 20-second hug: a calm countdown on the phone, then "we hugged", logged for both.
//!
//! Why: a 20-second hug (with hand-holding) before a stressful task went with smaller rises
//! in blood pressure and heart rate (Grewen et al., 2003), and more frequent hugs went with
//! higher oxytocin and lower blood pressure (Light et al., 2005; correlational).

use crate::Ctx;
use crate::couple;
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::store::User;
use jiff::{SignedDuration, Timestamp};

pub const SECONDS: u32 = 20;
/// Two taps of "we hugged" this close together are one hug (both phones, or a double tap).
pub const SAME_HUG: SignedDuration = SignedDuration::from_secs(120);

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct HugWeek {
    /// Hugs logged since Monday in the caller's zone.
    pub this_week: u32,
    pub last: Option<Timestamp>,
    /// Today's idea for affectionate touch beyond the hug, the same for both partners.
    pub touch: &'static crate::touch::TouchIdea,
}

fn week_start(me: &User, now: Timestamp) -> Result<Timestamp> {
    let monday = crate::rhythm::week_start(me.time_zone.today(now))?;
    Ok(monday.to_zoned(me.time_zone.zone()).map_err(|e| Error::Internal(e.to_string()))?.timestamp())
}

/// Logs a hug for the couple, once however many times it is tapped within [`SAME_HUG`].
pub async fn log(ctx: &Ctx, me: &User) -> Result<HugWeek> {
    let us = couple::us(ctx, me).await?;
    if ctx.store.log_hug(us.couple_id, us.me.id, ctx.now(), SAME_HUG).await? {
        ctx.notify(us.couple_id, EventKind::Hug).await;
    }
    week(ctx, &us.me).await
}

pub async fn week(ctx: &Ctx, me: &User) -> Result<HugWeek> {
    let us = couple::us(ctx, me).await?;
    let now = ctx.now();
    let hugs = ctx.store.hugs_since(us.couple_id, week_start(&us.me, now)?).await?;
    Ok(HugWeek {
        this_week: u32::try_from(hugs.len()).unwrap_or(u32::MAX),
        last: hugs.iter().max().copied(),
        touch: crate::touch::of_the_day(us.couple_id, us.me.time_zone.today(now)),
    })
}
