//! Fixture builders: a couple with weeks of history, for `tend demo`, tests and benchmarks.
//! They go through the same use cases as people do, on a clock set back in time; [`scale`]
//! makes many couples at once, through the store's bulk writes.

pub mod scale;

use crate::account::{self, SignUp};
use crate::couple::{self, Join, Us};
use crate::error::{Error, Result};
use crate::store::User;
use crate::{Ctx, ManualClock, Policy, Registration};
use crate::{appreciation, check_in};
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Deserialize;
use std::sync::Arc;

/// One partner to create.
#[derive(Clone, Debug)]
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub time_zone: &'a str,
}

/// Whether this person's account exists already (the demo couple is made once).
pub async fn exists(ctx: &Ctx, p: &Person<'_>) -> Result<bool> {
    Ok(ctx.store.user_by_email(p.email).await?.is_some())
}

/// Creates two accounts and pairs them as they would pair themselves, `weeks` weeks ago.
/// Registration rules are bypassed: this is the host's tool, not a sign-up.
pub async fn paired_couple(ctx: &Ctx, a: &Person<'_>, b: &Person<'_>, weeks: i64) -> Result<Us> {
    let then = ctx
        .now()
        .checked_sub(SignedDuration::from_hours(24 * 7 * weeks))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let past = Ctx {
        clock: Arc::new(ManualClock::new(then)),
        policy: Policy { registration: Registration::Open, ..Policy::default() },
        ..ctx.clone()
    };
    let first = sign_up(&past, a).await?;
    let (invite, _) = couple::create_invite(&past, &first, true).await?;
    let second = sign_up(&past, b).await?;
    couple::join(&past, &second, Join { invite: invite.token.expose().to_owned() }, "fixture").await?;
    let first = ctx.store.user(first.id).await?.ok_or(Error::NotFound)?;
    couple::us(ctx, &first).await
}

async fn sign_up(ctx: &Ctx, p: &Person<'_>) -> Result<User> {
    let form = SignUp {
        display_name: p.name.into(),
        email: p.email.into(),
        password: p.password.into(),
        time_zone: p.time_zone.into(),
        invite: None,
    };
    Ok(account::sign_up(ctx, form).await?.user)
}

/// Sets a fixture person's password back to the known one.
pub async fn set_password(ctx: &Ctx, p: &Person<'_>) -> Result<()> {
    let user = ctx.store.user_by_email(p.email).await?.ok_or(Error::NotFound)?;
    let hash = crate::auth::password::hash(p.password.into()).await?;
    ctx.store.set_password_hash(user.id, &hash, ctx.now()).await?;
    Ok(())
}

#[derive(Deserialize)]
struct DemoWords {
    highs: Vec<String>,
    lows: Vec<String>,
    needs: Vec<String>,
    appreciations: Vec<DemoAppreciation>,
}

#[derive(Deserialize)]
struct DemoAppreciation {
    kind: String,
    body: String,
}

const DEMO_WORDS: &str = include_str!("../../../content/demo/daily.toml");

/// Fills `days` past days with check-ins, appreciations and reactions, written through the
/// use cases at a plausible evening hour in each partner's zone. Today stays open, except
/// that the second partner has checked in already — so the first sees "waiting for you".
pub async fn daily_history(ctx: &Ctx, us: &Us, days: i64) -> Result<()> {
    let words: DemoWords = toml::from_str(DEMO_WORDS).map_err(|e| Error::Internal(e.to_string()))?;
    let pick = |list: &[String], i: usize| list.get(i % list.len().max(1)).cloned().unwrap_or_default();
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    for back in (0..=days).rev() {
        let day = today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()))?;
        let i = usize::try_from(back).unwrap_or(0);
        // A gentle, uneven rhythm: most days both, some days one, a few quiet ones.
        let a_checks = back > 0 && i % 7 != 3 && i % 11 != 5;
        let b_checks = i % 5 != 2 || back == 0;
        for (who, checks, offset, hour) in [(a, a_checks, 0, 21), (b, b_checks, 5, 20)] {
            if !checks {
                continue;
            }
            let at = evening(ctx, day, who, hour)?;
            let form = check_in::NewCheckIn {
                high: pick(&words.highs, i * 3 + offset),
                low: pick(&words.lows, i * 2 + offset),
                closeness: (3 + (i + offset) % 5).to_string(),
                need: pick(&words.needs, i + offset),
                day: None,
            };
            check_in::record(&at_time(ctx, at), who, form).await?;
        }
        if back > 0 && i % 4 != 1 {
            let (giver, receiver) = if i % 2 == 0 { (a, b) } else { (b, a) };
            let w = &words.appreciations[i % words.appreciations.len().max(1)];
            let at = evening(ctx, day, giver, 19)?;
            let when = at_time(ctx, at);
            let given = appreciation::give(
                &when,
                giver,
                appreciation::NewAppreciation {
                    kind: w.kind.clone(),
                    body: w.body.clone(),
                    starter_id: None,
                    to: None,
                },
            )
            .await?;
            if i % 3 != 0 {
                let reaction = appreciation::Reaction::ALL[i % appreciation::Reaction::ALL.len()];
                let reply = if i % 2 == 0 { "That means a lot." } else { "" };
                let later = at_time(ctx, at.checked_add(SignedDuration::from_mins(40)).unwrap_or(at));
                let form = appreciation::NewReaction { reaction: Some(reaction.as_str().into()), reply: reply.into() };
                appreciation::react(&later, receiver, given.id, form).await?;
            }
        }
    }
    Ok(())
}

/// Past guided practices for the demo: a Stress-Reducing Conversation on most evenings with
/// both ratings, a hug now and then, and two reflective-listening exchanges, all written
/// through the use cases at their own times.
pub async fn practice_history(ctx: &Ctx, us: &Us, days: i64) -> Result<()> {
    use crate::{conversation, hug, listening};
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    let minutes = |at: Timestamp, m: i64| at.checked_add(SignedDuration::from_mins(m)).unwrap_or(at);
    for back in (1..=days).rev() {
        let day = today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()))?;
        let i = usize::try_from(back).unwrap_or(0);
        if i % 3 != 1 {
            let start = evening(ctx, day, a, 18)?;
            let (starter, joiner) = if i % 2 == 0 { (a, b) } else { (b, a) };
            let req = conversation::StartRequest { minutes: 15, me_first: i % 4 != 0, shared_phone: false };
            let (seen, _) = conversation::start(&at_time(ctx, start), starter, req).await?;
            conversation::join(&at_time(ctx, minutes(start, 1)), joiner, seen.id).await?;
            let first = if req.me_first { starter } else { joiner };
            let second = if req.me_first { joiner } else { starter };
            let heard = i64::try_from(9 + i % 6).unwrap_or(12);
            conversation::feel_heard(&at_time(ctx, minutes(start, 1 + heard)), first, seen.id).await?;
            conversation::feel_heard(&at_time(ctx, minutes(start, 2 + heard + 11)), second, seen.id).await?;
            let rated = minutes(start, 4 + heard + 11);
            for (who, k) in [(a, i), (b, i + 1)] {
                let r = conversation::Rating::parse(
                    i64::try_from(4 + k % 4).unwrap_or(5),
                    i64::try_from(5 + k % 3).unwrap_or(6),
                )?;
                conversation::rate(&at_time(ctx, rated), who, seen.id, r).await?;
            }
        }
        if i % 2 == 0 {
            hug::log(&at_time(ctx, evening(ctx, day, b, 22)?), b).await?;
        }
        if back == 6 || back == 2 {
            let (speaker, listener) = if back == 6 { (a, b) } else { (b, a) };
            let at = evening(ctx, day, speaker, 20)?;
            let l = listening::start(
                &at_time(ctx, at),
                speaker,
                "Work has been loud all week, and I feel behind on everything.",
            )
            .await?;
            let reflection = listening::NewReflection {
                reflection: "You’ve had no quiet at work and it leaves you feeling you can’t catch up.".into(),
                feeling: "stretched thin".into(),
            };
            listening::reflect(&at_time(ctx, minutes(at, 4)), listener, l.id, &reflection).await?;
            let answer = listening::NewAnswer { verdict: "got-it".into(), clarification: String::new() };
            listening::answer(&at_time(ctx, minutes(at, 6)), speaker, l.id, &answer).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct DemoExchanges {
    exchange: Vec<DemoExchange>,
    pending: Vec<DemoPending>,
}

#[derive(Deserialize)]
struct DemoExchange {
    question: String,
    alex: String,
    sam: String,
}

#[derive(Deserialize)]
struct DemoPending {
    question: String,
    sam: String,
}

const DEMO_EXCHANGES: &str = include_str!("../../../content/demo/questions.toml");

/// Question exchanges for the demo: eight light ones, answered and answered back, which
/// bring the couple to the "ready to go deeper?" question; both say yes; then a few personal
/// ones, one of which waits for the first partner's answer.
pub async fn question_history(ctx: &Ctx, us: &Us) -> Result<()> {
    use crate::questions::exchange;
    let words: DemoExchanges = toml::from_str(DEMO_EXCHANGES).map_err(|e| Error::Internal(e.to_string()))?;
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    let count = i64::try_from(words.exchange.len()).unwrap_or(0);
    for (i, x) in words.exchange.iter().enumerate() {
        let back = count + 1 - i64::try_from(i).unwrap_or(0);
        let day = today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()))?;
        let at = evening(ctx, day, a, 21)?;
        let minutes = |m: i64| at_time(ctx, at.checked_add(SignedDuration::from_mins(m)).unwrap_or(at));
        let question = crate::questions::question(&x.question).ok_or(Error::NotFound)?;
        if question.depth > exchange::ladder(ctx, a).await?.depth {
            exchange::say_ready(&minutes(0), a, None).await?;
            exchange::say_ready(&minutes(0), b, None).await?;
        }
        let answer = |body: &str| exchange::NewAnswer { body: body.to_owned(), pass: None };
        exchange::answer(&minutes(1), a, &x.question, &answer(&x.alex)).await?;
        exchange::answer(&minutes(30), b, &x.question, &answer(&x.sam)).await?;
        let replies: Vec<&crate::questions::Reply> = crate::questions::replies_for(question).collect();
        let pick = |k: usize| replies.get(k % replies.len().max(1)).map(|r| r.id.clone());
        let respond = |k: usize, words: &str| exchange::NewResponse { reply_id: pick(k), words: words.to_owned() };
        exchange::respond(&minutes(35), a, &x.question, &respond(i, "")).await?;
        exchange::respond(&minutes(40), b, &x.question, &respond(i + 3, "Love this.")).await?;
        let felt = exchange::Felt::parse(6, 6, i64::try_from(5 + i % 3).unwrap_or(6))?;
        exchange::rate(&minutes(45), a, &x.question, felt).await?;
    }
    for p in &words.pending {
        let at = evening(ctx, today, b, 8)?;
        exchange::answer(&at_time(ctx, at), b, &p.question, &exchange::NewAnswer { body: p.sam.clone(), pass: None })
            .await?;
    }
    Ok(())
}

/// `hour` o'clock on `day` in the person's zone, but never later than a few minutes ago.
/// The demo couple's rhythm: agreed times for the check-in, the tech-free evening and
/// listening, a show-and-tell time the second partner has proposed and the first may accept,
/// and last week's tech-free evening with a line about it.
pub async fn rhythm_history(ctx: &Ctx, us: &Us) -> Result<()> {
    use crate::rhythm::{self, NewSlot, Practice};
    let (a, b) = (&us.me, &us.partner);
    let slot = |weekday: Option<&str>, at: &str| NewSlot {
        weekday: weekday.map(str::to_owned),
        at: at.into(),
        ..NewSlot::default()
    };
    for (practice, proposer, accepter, form) in [
        (Practice::CheckIn, a, b, slot(None, "21:00")),
        (Practice::TechFreeEvening, b, a, slot(Some("thursday"), "19:30")),
        (Practice::Listening, a, b, slot(Some("sunday"), "18:00")),
    ] {
        rhythm::propose(ctx, proposer, practice, &form).await?;
        rhythm::accept(ctx, accepter, practice, None).await?;
    }
    let show_and_tell = NewSlot { nth: Some("1".into()), ..slot(Some("sunday"), "17:00") };
    rhythm::propose(ctx, b, Practice::ShowAndTell, &show_and_tell).await?;

    // Last Thursday's evening: started on one phone, joined on the other, noted afterwards.
    let today = a.time_zone.today(ctx.now());
    let back = i64::from((today.weekday().to_monday_zero_offset() - 3).rem_euclid(7)) + 7;
    let day = today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()))?;
    let start = evening(ctx, day, b, 19)?
        .checked_add(SignedDuration::from_mins(32))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let started = crate::tech_free::start(&at_time(ctx, start), b).await?;
    let joined = start.checked_add(SignedDuration::from_mins(3)).map_err(|e| Error::Internal(e.to_string()))?;
    crate::tech_free::join(&at_time(ctx, joined), a, started.evening.id).await?;
    let after = started
        .evening
        .ends_at
        .checked_add(SignedDuration::from_mins(20))
        .map_err(|e| Error::Internal(e.to_string()))?;
    crate::tech_free::note(
        &at_time(ctx, after),
        a,
        started.evening.id,
        "Cooked dumplings from scratch and played cards till late",
    )
    .await?;

    // Reminders: Alex by notification and email for the check-in and the evening, Sam by
    // notification for the check-in, both with quiet hours. Channels this instance lacks show
    // as off; nothing goes out until a device subscribes.
    use crate::reminder::{self, NewChoices};
    let choices = |wanted: &[&str], from: &str, until: &str| NewChoices {
        quiet_from: from.into(),
        quiet_until: until.into(),
        wanted: wanted.iter().map(|w| (*w).to_owned()).collect(),
    };
    reminder::save_choices(
        ctx,
        a,
        &choices(&["check-in:push", "check-in:email", "tech-free-evening:push"], "22:30", "07:30"),
    )
    .await?;
    reminder::save_choices(ctx, b, &choices(&["check-in:push", "listening:push"], "23:00", "08:00")).await?;
    Ok(())
}

fn evening(ctx: &Ctx, day: jiff::civil::Date, who: &User, hour: i8) -> Result<Timestamp> {
    let at =
        day.at(hour, 0, 0, 0).to_zoned(who.time_zone.zone()).map_err(|e| Error::Internal(e.to_string()))?.timestamp();
    let recent = ctx.now().checked_sub(SignedDuration::from_mins(5)).unwrap_or(ctx.now());
    Ok(at.min(recent))
}

fn at_time(ctx: &Ctx, at: Timestamp) -> Ctx {
    Ctx { clock: Arc::new(ManualClock::new(at)), ..ctx.clone() }
}

/// Photo show-and-tells for the demo, one a month for `months` months back (the last about
/// three weeks ago): each partner picked photos (`pictures`, made in code by the caller, used
/// in turn), told their stories and answered the other's, all through the use cases at their
/// own times; and one photo kept straight in Our memories.
pub async fn show_and_tell_history(ctx: &Ctx, us: &Us, pictures: &[Vec<u8>], months: u32) -> Result<()> {
    use crate::photo::{self, Upload};
    use crate::show_and_tell::{self, First};
    use crate::store::photos::PhotoKind;
    if pictures.is_empty() {
        return Ok(());
    }
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    let captions = [
        "The fog lifting over the bay, the morning we got lost",
        "My grandmother’s kitchen window, still with her plants",
        "First try at sourdough. We ate it anyway",
        "The hill where I decided to move here",
        "Sunset from the train home",
        "Our bikes outside the café",
    ];
    let answers = [
        ("take-me-there", "I want to go back there with you"),
        ("love", ""),
        ("laughing", "It looked delicious to me"),
    ];
    let err = |e: jiff::Error| Error::Internal(e.to_string());
    let mut n = 0usize;
    for month in (0..months).rev() {
        let back = 24 + 30 * i64::from(month);
        let day = today.checked_sub(back.days()).map_err(err)?;
        for (i, who) in [b, a, b, a, b].into_iter().enumerate().take(if month % 2 == 0 { 5 } else { 4 }) {
            let at =
                evening(ctx, day, who, 12)?.checked_add(SignedDuration::from_mins(7 * i64::try_from(i).unwrap_or(0)));
            let caption = captions[n % captions.len()].to_owned();
            let upload = Upload { bytes: pictures[n % pictures.len()].clone(), caption, kind: PhotoKind::Pick };
            photo::upload(&at_time(ctx, at.map_err(err)?), who, upload).await?;
            n += 1;
        }
        let mut at = evening(ctx, day, a, 19)?;
        let mut live = show_and_tell::start(&at_time(ctx, at), a, First::Partner).await?;
        let mut i = 0;
        while !live.finished {
            let step = live.step;
            if let Some(current) = live.current.clone() {
                let listener = if current.mine_for(a.id) { b } else { a };
                let (reaction, words) = answers[i % answers.len()];
                at = at.checked_add(SignedDuration::from_mins(6)).map_err(err)?;
                show_and_tell::reply(&at_time(ctx, at), listener, &current.id, reaction, words).await?;
            }
            at = at.checked_add(SignedDuration::from_mins(1)).map_err(err)?;
            live = show_and_tell::next(&at_time(ctx, at), a, live.id, step).await?;
            i += 1;
        }
    }
    let at = evening(ctx, today.checked_sub(9.days()).map_err(err)?, b, 18)?;
    let last = pictures[pictures.len() - 1].clone();
    let upload = Upload { bytes: last, caption: "Our bikes outside the café".into(), kind: PhotoKind::Memory };
    photo::upload(&at_time(ctx, at), b, upload).await?;
    Ok(())
}

#[derive(serde::Deserialize)]
struct DemoReflections {
    states: Vec<DemoState>,
    map_words: std::collections::BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct DemoState {
    went_well: String,
    need_more: String,
    need_less: String,
    feeling: String,
    topic: String,
}

const DEMO_REFLECTIONS: &str = include_str!("../../../content/demo/reflections.toml");

/// `maps` intimacy maps four weeks apart, the last yesterday (both partners each time), and
/// `weeks` weeks of State of Us answered by both, all through the use cases at their own times.
pub async fn reflection_history(ctx: &Ctx, us: &Us, weeks: i64, maps: i64) -> Result<()> {
    use crate::intimacy_map::{self, Kind, NewMap, NewRating};
    use crate::state_of_us::{self, NewStateOfUs};
    let words: DemoReflections = toml::from_str(DEMO_REFLECTIONS).map_err(|e| Error::Internal(e.to_string()))?;
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    // Emotional closeness grows a little over the months; physical and social are wished for.
    let base: [[i64; 6]; 2] = [[4, 3, 5, 4, 3, 4], [5, 4, 6, 5, 2, 4]];
    for m in 0..maps {
        let back = (maps - 1 - m) * 28 + 1;
        let day = today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()))?;
        for (p, (who, hour)) in [(a, 20), (b, 21)].into_iter().enumerate() {
            let form = NewMap {
                ratings: Kind::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(k, kind)| {
                        let start = base[p][k];
                        let nourished = (start + i64::from(k == 0 && m + 1 == maps) + (m + k as i64) % 2).clamp(1, 7);
                        let wish = if nourished <= 3 || (k == 1 && p == 0) { "more" } else { "as-now" };
                        let said =
                            if m + 1 == maps && p == 0 { words.map_words.get(kind.as_str()).cloned() } else { None };
                        NewRating {
                            kind: kind.as_str().into(),
                            nourished,
                            wish: wish.into(),
                            words: said.unwrap_or_default(),
                        }
                    })
                    .collect(),
            };
            intimacy_map::take(&at_time(ctx, evening(ctx, day, who, hour)?), who, &form).await?;
        }
    }
    let monday = crate::rhythm::week_start(today)?;
    for back in (1..=weeks).rev() {
        let sunday = monday.checked_sub((back * 7 - 6).days()).map_err(|e| Error::Internal(e.to_string()))?;
        let i = usize::try_from(back).unwrap_or(0);
        for (who, offset, hour) in [(a, 0, 18), (b, 3, 19)] {
            let Some(s) = words.states.get((i * 2 + offset) % words.states.len().max(1)) else { continue };
            let form = NewStateOfUs {
                went_well: s.went_well.clone(),
                need_more: s.need_more.clone(),
                need_less: s.need_less.clone(),
                feeling: s.feeling.clone(),
                topic: s.topic.clone(),
                stuck: None,
            };
            state_of_us::record(&at_time(ctx, evening(ctx, sunday, who, hour)?), who, &form).await?;
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct DemoTogether {
    marks: DemoMarks,
    tried: DemoTried,
    goals: Vec<DemoGoal>,
}

#[derive(Deserialize)]
struct DemoMarks {
    first: DemoMarkSet,
    second: DemoMarkSet,
}

#[derive(Deserialize)]
struct DemoMarkSet {
    yes: Vec<String>,
    maybe: Vec<String>,
    #[serde(rename = "not-for-me")]
    not_for_me: Vec<String>,
}

#[derive(Deserialize)]
struct DemoTried {
    idea: String,
    first_note: String,
    second_note: String,
}

#[derive(Deserialize)]
struct DemoGoal {
    owner: String,
    title: String,
    why: String,
    next_step: String,
    due_in_days: i64,
    progress: String,
    reaction: String,
    cheer: String,
    ask_in_days: Option<i64>,
    ask_words: Option<String>,
    help: Option<String>,
}

const DEMO_TOGETHER: &str = include_str!("../../../content/demo/together.toml");

/// Play and goals for the demo: both partners mark a few ideas (some become matches, and each
/// says "not for me" to one the other liked), they tried one of the matches last week and said
/// how it was, and each keeps a goal the other cheers on. All through the use cases at their
/// own times.
pub async fn together_history(ctx: &Ctx, us: &Us) -> Result<()> {
    use crate::goals::{self, CheerForm, GoalForm, ProgressReaction};
    use crate::play::{self, AfterwardsForm, Feeling, Mark, PlanForm};
    let demo: DemoTogether = toml::from_str(DEMO_TOGETHER).map_err(|e| Error::Internal(e.to_string()))?;
    let (a, b) = (&us.me, &us.partner);
    let today = a.time_zone.today(ctx.now());
    let day = |back: i64| today.checked_sub(back.days()).map_err(|e| Error::Internal(e.to_string()));
    for (who, set, back) in [(a, &demo.marks.first, 12), (b, &demo.marks.second, 11)] {
        let at = at_time(ctx, evening(ctx, day(back)?, who, 21)?);
        let marks = [(Mark::Yes, &set.yes), (Mark::Maybe, &set.maybe), (Mark::NotForMe, &set.not_for_me)];
        for (mark, ideas) in marks {
            for idea in ideas {
                play::mark(&at, who, idea, Some(mark)).await?;
            }
        }
    }
    // Proposed ten days ago for eight days ago, accepted the next day, remembered a week ago.
    let when = evening(ctx, day(8)?, a, 19)?.to_zoned(a.time_zone.zone());
    let form = PlanForm {
        idea: demo.tried.idea.clone(),
        date: when.date().to_string(),
        time: when.strftime("%H:%M").to_string(),
    };
    let (_, plan) = play::propose(&at_time(ctx, evening(ctx, day(10)?, a, 20)?), a, &form).await?;
    play::accept(&at_time(ctx, evening(ctx, day(9)?, b, 8)?), b, plan.id).await?;
    for (who, feeling, note) in
        [(a, Feeling::Loved, &demo.tried.first_note), (b, Feeling::Fun, &demo.tried.second_note)]
    {
        let form = AfterwardsForm { feeling: feeling.as_str().into(), note: note.clone() };
        play::afterwards(&at_time(ctx, evening(ctx, day(7)?, who, 22)?), who, plan.id, &form, None).await?;
    }
    for g in &demo.goals {
        let (owner, other) = if g.owner == "first" { (a, b) } else { (b, a) };
        let due = today.checked_add(g.due_in_days.days()).map_err(|e| Error::Internal(e.to_string()))?;
        let form = GoalForm {
            title: g.title.clone(),
            why: g.why.clone(),
            next_step: g.next_step.clone(),
            due: due.to_string(),
            private: String::new(),
        };
        let (_, goal) = goals::create(&at_time(ctx, evening(ctx, day(6)?, owner, 20)?), owner, &form).await?;
        let id = goal.goal.id;
        let cheer = CheerForm { kind: "message".into(), words: g.cheer.clone(), ask_on: String::new() };
        goals::cheer(&at_time(ctx, evening(ctx, day(6)?, other, 21)?), other, id, &cheer).await?;
        if let (Some(days), Some(words)) = (g.ask_in_days, &g.ask_words) {
            let on = today.checked_add(days.days()).map_err(|e| Error::Internal(e.to_string()))?;
            let ask = CheerForm { kind: "ask".into(), words: words.clone(), ask_on: on.to_string() };
            goals::cheer(&at_time(ctx, evening(ctx, day(5)?, other, 21)?), other, id, &ask).await?;
        }
        if let Some(help) = &g.help {
            let offer = CheerForm { kind: "help".into(), words: help.clone(), ask_on: String::new() };
            let (_, d) = goals::cheer(&at_time(ctx, evening(ctx, day(5)?, other, 21)?), other, id, &offer).await?;
            if let Some(c) = d.cheers.iter().find(|c| c.kind == goals::CheerKind::Help) {
                goals::accept_help(&at_time(ctx, evening(ctx, day(4)?, owner, 8)?), owner, id, c.id).await?;
            }
        }
        let (_, d) = goals::progress(&at_time(ctx, evening(ctx, day(2)?, owner, 19)?), owner, id, &g.progress).await?;
        if let Some(p) = d.progress.last() {
            let reaction = ProgressReaction::parse(&g.reaction);
            goals::react(&at_time(ctx, evening(ctx, day(2)?, other, 21)?), other, id, p.id, reaction).await?;
        }
    }
    Ok(())
}
