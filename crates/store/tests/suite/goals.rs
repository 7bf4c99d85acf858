//! Each other's goals' contract, on SQLite and PostgreSQL: goals made, listed, changed, finished
//! and deleted by their owner; a private goal kept from the partner by every read; cheers only
//! by the partner on a goal not done; help accepted once; progress by the owner and reactions
//! by the partner; asks by day; racing finishes counted once; words sealed at rest; and what
//! deleting an account takes.

use crate::people::{at, couple};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::goals::{CheerKind, Goal, ProgressReaction};
use tend_domain::ids::{CheerId, GoalId, ProgressId};
use tend_domain::store::goals::{GoalChange, NewCheer, NewGoal, NewProgress};
use tend_domain::{CoupleId, Store, UserId};
use tend_store::testing::TestDb;
use tend_store::{both_backends, vault};

fn date(s: &str) -> Date {
    s.parse().expect("date")
}

fn new_goal(couple: CoupleId, owner: UserId, title: &str, private: bool, now: Timestamp) -> NewGoal {
    NewGoal {
        couple,
        owner,
        title: title.into(),
        why: format!("{title}: why"),
        next_step: format!("{title}: next"),
        due: Some(date("2026-06-01")),
        private,
        now,
    }
}

async fn goal(s: &dyn Store, couple: CoupleId, owner: UserId, title: &str, private: bool, now: Timestamp) -> GoalId {
    s.create_goal(&new_goal(couple, owner, title, private, now)).await.expect("create")
}

fn cheer(couple: CoupleId, goal: GoalId, author: UserId, kind: CheerKind, words: &str, now: Timestamp) -> NewCheer {
    let ask_on = (kind == CheerKind::Ask).then(|| date("2026-03-05"));
    NewCheer { couple, goal, author, kind, words: words.into(), ask_on, now }
}

fn ask(couple: CoupleId, goal: GoalId, author: UserId, day: &str, now: Timestamp) -> NewCheer {
    NewCheer { ask_on: Some(date(day)), ..cheer(couple, goal, author, CheerKind::Ask, "", now) }
}

async fn cheer_on(s: &dyn Store, new: &NewCheer) -> CheerId {
    s.add_cheer(new).await.expect("cheer").expect("cheered")
}

fn note(couple: CoupleId, goal: GoalId, owner: UserId, words: &str, now: Timestamp) -> NewProgress {
    NewProgress { couple, goal, owner, note: words.into(), now }
}

async fn progress_on(s: &dyn Store, new: &NewProgress) -> ProgressId {
    s.add_progress(new).await.expect("progress").expect("added")
}

fn change(title: &str, private: bool) -> GoalChange {
    GoalChange {
        title: title.into(),
        why: format!("{title}: why"),
        next_step: format!("{title}: next"),
        due: None,
        private,
    }
}

fn ids(goals: &[Goal]) -> Vec<GoalId> {
    goals.iter().map(|g| g.id).collect()
}

async fn goals_are_made_listed_changed_finished_and_deleted(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "life").await;
    let (x, _, other) = couple(s, "other").await;
    let run = goal(s, c, a.id, "Run 10k", false, at(0)).await;
    let read = goal(s, c, a.id, "Read more", false, at(1)).await;
    let learn = goal(s, c, b.id, "Learn Dutch", false, at(2)).await;
    let theirs = goal(s, other, x.id, "Theirs", false, at(3)).await;
    for viewer in [a.id, b.id] {
        assert_eq!(ids(&s.goals(c, viewer).await.expect("list")), [learn, read, run], "newest first");
    }
    let listed = s.goals(c, b.id).await.expect("list");
    let first = listed.iter().find(|g| g.id == run).expect("there");
    assert_eq!(
        first,
        &Goal {
            id: run,
            owner: a.id,
            title: "Run 10k".into(),
            why: "Run 10k: why".into(),
            next_step: "Run 10k: next".into(),
            due: Some(date("2026-06-01")),
            private: false,
            created_at: at(0),
            updated_at: at(0),
            done_at: None,
        }
    );
    // Never across couples.
    assert_eq!(ids(&s.goals(other, x.id).await.expect("list")), [theirs]);
    assert_eq!(s.goal(other, run, x.id).await, Ok(None));
    assert_eq!(s.goal(c, theirs, a.id).await, Ok(None));

    // Only the owner changes a goal, in their couple.
    assert_eq!(s.update_goal(c, run, b.id, &change("Mine now", false), at(5)).await, Ok(false));
    assert_eq!(s.update_goal(other, run, a.id, &change("Elsewhere", false), at(5)).await, Ok(false));
    assert_eq!(s.update_goal(c, run, a.id, &change("Run a half marathon", false), at(6)).await, Ok(true));
    let changed = s.goal(c, run, b.id).await.expect("read").expect("visible").goal;
    assert_eq!(
        (changed.title.as_str(), changed.why.as_str(), changed.next_step.as_str(), changed.due),
        ("Run a half marathon", "Run a half marathon: why", "Run a half marathon: next", None)
    );
    assert_eq!((changed.created_at, changed.updated_at, changed.done_at), (at(0), at(6), None));

    // Finished once, by the owner; then it stays as it was.
    assert_eq!(s.finish_goal(c, run, b.id, at(7)).await, Ok(false));
    assert_eq!(s.finish_goal(other, run, a.id, at(7)).await, Ok(false));
    assert_eq!(s.finish_goal(c, run, a.id, at(8)).await, Ok(true));
    assert_eq!(s.finish_goal(c, run, a.id, at(9)).await, Ok(false), "once");
    let done = s.goal(c, run, a.id).await.expect("read").expect("mine").goal;
    assert_eq!(done.done_at, Some(at(8)));
    assert_eq!(s.update_goal(c, run, a.id, &change("Too late", false), at(10)).await, Ok(false));
    assert_eq!(s.goal(c, run, a.id).await.expect("read").expect("mine").goal.title, "Run a half marathon");

    // Deleted by the owner only, with its cheers and progress.
    cheer_on(s, &cheer(c, read, b.id, CheerKind::Message, "Go!", at(11))).await;
    cheer_on(s, &ask(c, read, b.id, "2026-03-05", at(11))).await;
    let step = progress_on(s, &note(c, read, a.id, "Two books", at(12))).await;
    assert_eq!(s.react_to_progress(c, read, step, b.id, Some(ProgressReaction::Wow), at(13)).await, Ok(true));
    assert_eq!(s.delete_goal(c, read, b.id).await, Ok(false));
    assert_eq!(s.delete_goal(other, read, a.id).await, Ok(false));
    assert!(s.goal(c, read, a.id).await.expect("read").is_some(), "still there");
    assert_eq!(s.delete_goal(c, read, a.id).await, Ok(true));
    assert_eq!(s.delete_goal(c, read, a.id).await, Ok(false), "gone already");
    assert_eq!(s.goal(c, read, a.id).await, Ok(None));
    for table in ["goal_cheers", "goal_progress"] {
        assert_eq!(db.scalar(&format!("select count(*) from {table} where goal_id = {}", read.0)).await, 0, "{table}");
    }
    assert_eq!(s.asks_between(c, b.id, date("2026-03-01"), date("2026-03-31")).await, Ok(Vec::new()));
    assert_eq!(ids(&s.goals(c, a.id).await.expect("list")), [learn, run]);
    // A finished goal is still a goal its owner can delete.
    assert_eq!(s.delete_goal(c, run, a.id).await, Ok(true));
    assert_eq!(ids(&s.goals(c, b.id).await.expect("list")), [learn]);
}

async fn cheers_and_progress_come_oldest_first(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "order").await;
    let g = goal(s, c, a.id, "Paint", false, at(0)).await;
    let later = cheer_on(s, &cheer(c, g, b.id, CheerKind::Message, "Second", at(5))).await;
    let sooner = cheer_on(s, &cheer(c, g, b.id, CheerKind::Help, "First", at(1))).await;
    let asked = cheer_on(s, &ask(c, g, b.id, "2026-03-09", at(9))).await;
    let p2 = progress_on(s, &note(c, g, a.id, "Sketched", at(4))).await;
    let p1 = progress_on(s, &note(c, g, a.id, "Bought paint", at(2))).await;
    for viewer in [a.id, b.id] {
        let d = s.goal(c, g, viewer).await.expect("read").expect("visible");
        assert_eq!(d.goal.id, g);
        assert_eq!(d.cheers.iter().map(|c| c.id).collect::<Vec<_>>(), [sooner, later, asked]);
        assert_eq!(d.progress.iter().map(|p| p.id).collect::<Vec<_>>(), [p1, p2]);
        let first = &d.cheers[0];
        assert_eq!(
            (first.goal, first.author, first.kind, first.words.as_str(), first.ask_on, first.accepted_at, first.at),
            (g, b.id, CheerKind::Help, "First", None, None, at(1))
        );
        assert_eq!((d.cheers[2].kind, d.cheers[2].ask_on), (CheerKind::Ask, Some(date("2026-03-09"))));
        let p = &d.progress[0];
        assert_eq!((p.goal, p.note.as_str(), p.at, p.reaction, p.reacted_at), (g, "Bought paint", at(2), None, None));
    }
}

async fn a_private_goal_is_its_owners_alone(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "private").await;
    let secret = goal(s, c, a.id, "Quit sugar", true, at(0)).await;
    let open = goal(s, c, a.id, "Swim", false, at(1)).await;
    assert_eq!(ids(&s.goals(c, a.id).await.expect("list")), [open, secret]);
    assert_eq!(ids(&s.goals(c, b.id).await.expect("list")), [open], "the partner's list leaves it out");
    assert!(s.goal(c, secret, a.id).await.expect("read").expect("the owner's").goal.private);
    assert_eq!(s.goal(c, secret, b.id).await, Ok(None));
    for kind in CheerKind::ALL {
        assert_eq!(s.add_cheer(&cheer(c, secret, b.id, kind, "Psst", at(2))).await, Ok(None), "{kind:?}");
    }
    // The owner's progress on it is theirs too, and takes no reaction from the partner.
    let step = progress_on(s, &note(c, secret, a.id, "A week without", at(3))).await;
    assert_eq!(s.react_to_progress(c, secret, step, b.id, Some(ProgressReaction::Hug), at(4)).await, Ok(false));

    // A goal made private after it was cheered hides its asks and progress from the partner.
    cheer_on(s, &ask(c, open, b.id, "2026-03-05", at(5))).await;
    let swam = progress_on(s, &note(c, open, a.id, "1 km", at(6))).await;
    let days = (date("2026-03-05"), date("2026-03-05"));
    assert_eq!(s.asks_between(c, b.id, days.0, days.1).await.expect("asks").len(), 1);
    assert_eq!(s.update_goal(c, open, a.id, &change("Swim", true), at(7)).await, Ok(true));
    assert_eq!(s.goals(c, b.id).await, Ok(Vec::new()));
    assert_eq!(s.goal(c, open, b.id).await, Ok(None));
    assert_eq!(s.asks_between(c, b.id, days.0, days.1).await, Ok(Vec::new()));
    assert_eq!(s.react_to_progress(c, open, swam, b.id, Some(ProgressReaction::Proud), at(8)).await, Ok(false));
    assert_eq!(s.add_cheer(&cheer(c, open, b.id, CheerKind::Message, "Hi", at(8))).await, Ok(None));
    // The owner still sees everything on it.
    let mine = s.goal(c, open, a.id).await.expect("read").expect("mine");
    assert_eq!((mine.cheers.len(), mine.progress.len()), (1, 1));
    // Shared again, it is all there for the partner again.
    assert_eq!(s.update_goal(c, open, a.id, &change("Swim", false), at(9)).await, Ok(true));
    assert_eq!(s.asks_between(c, b.id, days.0, days.1).await.expect("asks").len(), 1);
    let theirs = s.goal(c, open, b.id).await.expect("read").expect("shared");
    assert_eq!((theirs.cheers.len(), theirs.progress.len()), (1, 1));
}

async fn cheers_are_the_partners_on_goals_not_done(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "cheer").await;
    let (x, _, other) = couple(s, "other").await;
    let g = goal(s, c, a.id, "Write a song", false, at(0)).await;
    for kind in CheerKind::ALL {
        assert_eq!(s.add_cheer(&cheer(c, g, a.id, kind, "Me!", at(1))).await, Ok(None), "own goal, {kind:?}");
        assert_eq!(s.add_cheer(&cheer(other, g, x.id, kind, "Hi", at(1))).await, Ok(None), "another couple");
        assert!(s.add_cheer(&cheer(c, g, b.id, kind, "You can", at(1))).await.expect("cheer").is_some(), "{kind:?}");
    }
    assert_eq!(s.add_cheer(&cheer(c, GoalId(g.0 + 1000), b.id, CheerKind::Message, "?", at(1))).await, Ok(None));
    // The database refuses an ask without its day, and a day on anything else.
    let dayless = NewCheer { ask_on: None, ..cheer(c, g, b.id, CheerKind::Ask, "", at(2)) };
    assert!(s.add_cheer(&dayless).await.is_err());
    let dated = NewCheer { ask_on: Some(date("2026-03-05")), ..cheer(c, g, b.id, CheerKind::Message, "x", at(2)) };
    assert!(s.add_cheer(&dated).await.is_err());
    assert_eq!(s.goal(c, g, a.id).await.expect("read").expect("there").cheers.len(), 3);
    // Done, it takes no more.
    assert_eq!(s.finish_goal(c, g, a.id, at(3)).await, Ok(true));
    for kind in CheerKind::ALL {
        assert_eq!(s.add_cheer(&cheer(c, g, b.id, kind, "Late", at(4))).await, Ok(None), "done, {kind:?}");
    }
    assert_eq!(s.goal(c, g, b.id).await.expect("read").expect("there").cheers.len(), 3);
}

async fn help_is_accepted_by_the_owner_once(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "help").await;
    let (x, _, other) = couple(s, "other").await;
    let g = goal(s, c, a.id, "Move house", false, at(0)).await;
    let elsewhere = goal(s, c, a.id, "Garden", false, at(0)).await;
    let help = cheer_on(s, &cheer(c, g, b.id, CheerKind::Help, "I'll pack the books", at(1))).await;
    let message = cheer_on(s, &cheer(c, g, b.id, CheerKind::Message, "Exciting!", at(2))).await;
    let asked = cheer_on(s, &ask(c, g, b.id, "2026-03-10", at(3))).await;
    assert_eq!(s.accept_help(c, g, help, b.id, at(4)).await, Ok(false), "not by the one who offered");
    assert_eq!(s.accept_help(other, g, help, x.id, at(4)).await, Ok(false), "not from another couple");
    assert_eq!(s.accept_help(c, elsewhere, help, a.id, at(4)).await, Ok(false), "not under another goal");
    assert_eq!(s.accept_help(c, g, message, a.id, at(4)).await, Ok(false), "a message is no offer");
    assert_eq!(s.accept_help(c, g, asked, a.id, at(4)).await, Ok(false), "an ask is no offer");
    assert_eq!(s.accept_help(c, g, help, a.id, at(5)).await, Ok(true));
    assert_eq!(s.accept_help(c, g, help, a.id, at(6)).await, Ok(false), "once");
    let d = s.goal(c, g, b.id).await.expect("read").expect("there");
    let accepted: Vec<_> = d.cheers.iter().map(|c| (c.id, c.accepted_at)).collect();
    assert_eq!(accepted, [(help, Some(at(5))), (message, None), (asked, None)]);
}

async fn progress_is_the_owners_and_reactions_the_partners(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "progress").await;
    let (x, _, other) = couple(s, "other").await;
    let g = goal(s, c, a.id, "Learn guitar", false, at(0)).await;
    assert_eq!(s.add_progress(&note(c, g, b.id, "Not mine to say", at(1))).await, Ok(None));
    assert_eq!(s.add_progress(&note(other, g, a.id, "Wrong couple", at(1))).await, Ok(None));
    let step = progress_on(s, &note(c, g, a.id, "Three chords", at(2))).await;
    let reaction = |id| async move {
        let d = s.goal(c, g, a.id).await.expect("read").expect("there");
        let p = d.progress.into_iter().find(|p| p.id == id).expect("the note");
        (p.reaction, p.reacted_at)
    };
    // Not by the owner, nor from another couple.
    assert_eq!(s.react_to_progress(c, g, step, a.id, Some(ProgressReaction::Proud), at(3)).await, Ok(false));
    assert_eq!(s.react_to_progress(other, g, step, x.id, Some(ProgressReaction::Proud), at(3)).await, Ok(false));
    let elsewhere = goal(s, c, a.id, "Other", false, at(0)).await;
    assert_eq!(s.react_to_progress(c, elsewhere, step, b.id, Some(ProgressReaction::Wow), at(3)).await, Ok(false));
    assert_eq!(reaction(step).await, (None, None));
    // The partner reacts, changes it, and takes it back.
    assert_eq!(s.react_to_progress(c, g, step, b.id, Some(ProgressReaction::Proud), at(4)).await, Ok(true));
    assert_eq!(reaction(step).await, (Some(ProgressReaction::Proud), Some(at(4))));
    assert_eq!(s.react_to_progress(c, g, step, b.id, Some(ProgressReaction::Hug), at(5)).await, Ok(true));
    assert_eq!(reaction(step).await, (Some(ProgressReaction::Hug), Some(at(5))), "replaced");
    assert_eq!(
        db.scalar(&format!("select count(*) from goal_progress where id = {} and reacted_by = {}", step.0, b.id.0))
            .await,
        1
    );
    assert_eq!(s.react_to_progress(c, g, step, b.id, None, at(6)).await, Ok(true));
    assert_eq!(reaction(step).await, (None, None), "cleared");
    assert_eq!(
        db.scalar(&format!("select count(*) from goal_progress where id = {} and reacted_by is null", step.0)).await,
        1
    );
    // Done, the goal takes no more notes; what is there can still be reacted to.
    assert_eq!(s.finish_goal(c, g, a.id, at(7)).await, Ok(true));
    assert_eq!(s.add_progress(&note(c, g, a.id, "Played a song", at(8))).await, Ok(None));
    assert_eq!(s.react_to_progress(c, g, step, b.id, Some(ProgressReaction::Cheer), at(9)).await, Ok(true));
    assert_eq!(s.goal(c, g, b.id).await.expect("read").expect("there").progress.len(), 1);
}

async fn asks_are_found_by_day_and_only_the_askers(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "asks").await;
    let (x, y, other) = couple(s, "other").await;
    let mine = goal(s, c, a.id, "Sleep by 11", false, at(0)).await;
    let theirs = goal(s, c, b.id, "Call my sister", false, at(0)).await;
    let on_5 = cheer_on(s, &ask(c, mine, b.id, "2026-03-05", at(1))).await;
    let on_7 = cheer_on(s, &ask(c, mine, b.id, "2026-03-07", at(2))).await;
    let also_5 =
        cheer_on(s, &NewCheer { words: "How's it going?".into(), ..ask(c, mine, b.id, "2026-03-05", at(3)) }).await;
    let a_asks = cheer_on(s, &ask(c, theirs, a.id, "2026-03-05", at(4))).await;
    cheer_on(s, &cheer(c, mine, b.id, CheerKind::Message, "Not an ask", at(5))).await;
    let far = goal(s, other, x.id, "Far away", false, at(0)).await;
    cheer_on(s, &ask(other, far, y.id, "2026-03-05", at(6))).await;

    let found = |asker: UserId, from: &str, to: &str| {
        let (from, to) = (date(from), date(to));
        async move {
            let asks = s.asks_between(c, asker, from, to).await.expect("asks");
            asks.iter().map(|a| a.cheer.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(found(b.id, "2026-03-05", "2026-03-05").await, [on_5, also_5]);
    assert_eq!(found(b.id, "2026-03-05", "2026-03-07").await, [on_5, also_5, on_7], "by day, both ends inclusive");
    assert_eq!(found(b.id, "2026-03-06", "2026-03-07").await, [on_7]);
    assert_eq!(found(b.id, "2026-03-08", "2026-04-01").await, []);
    assert_eq!(found(a.id, "2026-03-01", "2026-03-31").await, [a_asks], "only the asker's own");
    assert_eq!(s.asks_between(other, b.id, date("2026-03-01"), date("2026-03-31")).await, Ok(Vec::new()));

    let asks = s.asks_between(c, b.id, date("2026-03-05"), date("2026-03-05")).await.expect("asks");
    let due = &asks[1];
    assert_eq!((due.goal.id, due.goal.title.as_str(), due.goal.owner), (mine, "Sleep by 11", a.id));
    assert_eq!(
        (due.cheer.goal, due.cheer.author, due.cheer.kind, due.cheer.words.as_str(), due.cheer.ask_on),
        (mine, b.id, CheerKind::Ask, "How's it going?", Some(date("2026-03-05")))
    );
    // A goal deleted takes its asks with it.
    assert_eq!(s.delete_goal(c, mine, a.id).await, Ok(true));
    assert_eq!(found(b.id, "2026-03-01", "2026-03-31").await, []);
}

/// Both phones (on two nodes) tap "Done" and "Accept" at the same instant, again and again:
/// each goal is finished once and each offer accepted once.
async fn racing_finishes_and_accepts_count_once(db: TestDb) {
    let node = db.node().await;
    let (a, b, c) = couple(db.store.as_ref(), "race").await;
    for i in 0..20 {
        let g = goal(db.store.as_ref(), c, a.id, &format!("Goal {i}"), false, at(i)).await;
        let help = cheer_on(db.store.as_ref(), &cheer(c, g, b.id, CheerKind::Help, "Me", at(i))).await;
        let mut taps = tokio::task::JoinSet::new();
        for (n, s) in
            [db.store.clone(), node.store.clone(), db.store.clone(), node.store.clone()].into_iter().enumerate()
        {
            let s: Arc<dyn Store> = s;
            let when = at(i + 1) + SignedDuration::from_millis(n as i64);
            taps.spawn(async move {
                let (accepted, finished) =
                    tokio::join!(s.accept_help(c, g, help, a.id, when), s.finish_goal(c, g, a.id, when));
                (accepted.expect("no database error"), finished.expect("no database error"))
            });
        }
        let results = taps.join_all().await;
        assert_eq!(results.iter().filter(|(_, finished)| *finished).count(), 1, "goal {i} finished once");
        assert_eq!(results.iter().filter(|(accepted, _)| *accepted).count(), 1, "help on goal {i} accepted once");
        let d = db.store.goal(c, g, b.id).await.expect("read").expect("there");
        assert!(d.goal.done_at.is_some() && d.cheers[0].accepted_at.is_some());
    }
    // A cheer racing the finish either lands before it or not at all.
    for i in 0..20 {
        let g = goal(db.store.as_ref(), c, a.id, &format!("Race {i}"), false, at(100 + i)).await;
        let when = at(101 + i);
        let (s, t): (Arc<dyn Store>, Arc<dyn Store>) = (db.store.clone(), node.store.clone());
        let cheering =
            tokio::spawn(async move { s.add_cheer(&cheer(c, g, b.id, CheerKind::Message, "Go", when)).await });
        let finishing = tokio::spawn(async move { t.finish_goal(c, g, a.id, when).await });
        let (cheered, finished) = (cheering.await.expect("task"), finishing.await.expect("task"));
        assert_eq!(finished, Ok(true));
        let cheers = db.store.goal(c, g, b.id).await.expect("read").expect("there").cheers.len();
        assert_eq!(cheers, usize::from(cheered.expect("no database error").is_some()));
    }
}

async fn goal_words_are_sealed_at_rest(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "sealed").await;
    let g = s
        .create_goal(&NewGoal {
            title: "SECRET-title".into(),
            why: "SECRET-why".into(),
            next_step: "SECRET-step".into(),
            ..new_goal(c, a.id, "x", false, at(0))
        })
        .await
        .expect("create");
    cheer_on(s, &cheer(c, g, b.id, CheerKind::Help, "SECRET-cheer", at(1))).await;
    cheer_on(s, &NewCheer { words: "SECRET-ask".into(), ..ask(c, g, b.id, "2026-03-05", at(1)) }).await;
    progress_on(s, &note(c, g, a.id, "SECRET-note", at(2))).await;
    for (table, column) in [
        ("goals", "title"),
        ("goals", "why"),
        ("goals", "next_step"),
        ("goal_cheers", "words"),
        ("goal_progress", "note"),
    ] {
        let plain = db.scalar(&format!("select count(*) from {table} where {column} like '%SECRET%'")).await;
        assert_eq!(plain, 0, "{table}.{column} is stored sealed");
        assert!(db.scalar(&format!("select count(*) from {table} where {column} <> ''")).await > 0);
    }
    let raw = db.database.raw_store();
    let stored = raw.goal(c, g, a.id).await.expect("raw read").expect("there");
    assert!(vault::looks_sealed(&stored.goal.title) && vault::looks_sealed(&stored.goal.why));
    assert!(stored.cheers.iter().all(|c| vault::looks_sealed(&c.words)));
    assert!(vault::looks_sealed(&stored.progress[0].note));
    // Through the vault, and on another node, they read as written.
    for node in [db.store.clone(), db.node().await.store] {
        let d = node.goal(c, g, b.id).await.expect("read").expect("there");
        assert_eq!(
            (d.goal.title.as_str(), d.goal.why.as_str(), d.goal.next_step.as_str()),
            ("SECRET-title", "SECRET-why", "SECRET-step")
        );
        assert_eq!(d.cheers.iter().map(|c| c.words.as_str()).collect::<Vec<_>>(), ["SECRET-cheer", "SECRET-ask"]);
        assert_eq!(d.progress[0].note, "SECRET-note");
        let asks = node.asks_between(c, b.id, date("2026-03-05"), date("2026-03-05")).await.expect("asks");
        assert_eq!((asks[0].goal.title.as_str(), asks[0].cheer.words.as_str()), ("SECRET-title", "SECRET-ask"));
        assert_eq!(node.goals(c, a.id).await.expect("list")[0].next_step, "SECRET-step");
    }
}

async fn deleting_an_account_takes_its_goals_cheers_and_reactions(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "del").await;
    // a's goal, cheered by b, with a's progress that b reacted to.
    let ga = goal(s, c, a.id, "a's goal", false, at(0)).await;
    cheer_on(s, &cheer(c, ga, b.id, CheerKind::Message, "b cheers a", at(1))).await;
    let pa = progress_on(s, &note(c, ga, a.id, "a's progress", at(2))).await;
    assert_eq!(s.react_to_progress(c, ga, pa, b.id, Some(ProgressReaction::Proud), at(3)).await, Ok(true));
    goal(s, c, a.id, "a's private goal", true, at(0)).await;
    // b's goal, cheered by a, with b's progress that a reacted to.
    let gb = goal(s, c, b.id, "b's goal", false, at(0)).await;
    cheer_on(s, &ask(c, gb, a.id, "2026-03-05", at(1))).await;
    let pb = progress_on(s, &note(c, gb, b.id, "b's progress", at(2))).await;
    assert_eq!(s.react_to_progress(c, gb, pb, a.id, Some(ProgressReaction::Hug), at(3)).await, Ok(true));
    // Another couple's, untouched.
    let (x, y, other) = couple(s, "kept").await;
    let gx = goal(s, other, x.id, "x's goal", false, at(0)).await;
    cheer_on(s, &cheer(other, gx, y.id, CheerKind::Message, "y cheers x", at(1))).await;

    assert_eq!(s.delete_user(a.id, at(4)).await, Ok(true));
    let id = a.id.0;
    for (what, sql) in [
        ("goals", format!("select count(*) from goals where owner_id = {id}")),
        ("cheers on their goals", format!("select count(*) from goal_cheers where goal_id = {}", ga.0)),
        ("progress on their goals", format!("select count(*) from goal_progress where goal_id = {}", ga.0)),
        ("cheers they wrote", format!("select count(*) from goal_cheers where author_id = {id}")),
        ("reactions they gave", format!("select count(*) from goal_progress where reacted_by = {id}")),
    ] {
        assert_eq!(db.scalar(&sql).await, 0, "{what} of the deleted person are left");
    }
    // The partner's goal stays, with their own progress, and without a's cheer and reaction.
    assert_eq!(ids(&s.goals(c, b.id).await.expect("list")), [gb]);
    let kept = s.goal(c, gb, b.id).await.expect("read").expect("b's");
    assert_eq!(kept.goal.title, "b's goal");
    assert!(kept.cheers.is_empty());
    assert_eq!(
        kept.progress.iter().map(|p| (p.note.as_str(), p.reaction, p.reacted_at)).collect::<Vec<_>>(),
        [("b's progress", None, None)]
    );
    assert_eq!(db.scalar("select count(*) from goal_progress where reaction is not null").await, 0);
    let untouched = s.goal(other, gx, x.id).await.expect("read").expect("x's");
    assert_eq!(untouched.cheers.len(), 1);
}

both_backends!(
    goals_are_made_listed_changed_finished_and_deleted,
    cheers_and_progress_come_oldest_first,
    a_private_goal_is_its_owners_alone,
    cheers_are_the_partners_on_goals_not_done,
    help_is_accepted_by_the_owner_once,
    progress_is_the_owners_and_reactions_the_partners,
    asks_are_found_by_day_and_only_the_askers,
    racing_finishes_and_accepts_count_once,
    goal_words_are_sealed_at_rest,
    deleting_an_account_takes_its_goals_cheers_and_reactions,
);

/// `tend copy` carries the goals across exactly: their days, yes/no, times and sealed words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn the_copy_to_postgres_carries_the_goals() {
    let source = tend_store::testing::sqlite().await;
    let s = source.store.as_ref();
    let (a, b, c) = couple(s, "copy").await;
    let g = goal(s, c, a.id, "Copied", false, at(0)).await;
    goal(s, c, a.id, "Copied privately", true, at(1)).await;
    let help = cheer_on(s, &cheer(c, g, b.id, CheerKind::Help, "Copied help", at(2))).await;
    cheer_on(s, &ask(c, g, b.id, "2026-03-05", at(3))).await;
    assert_eq!(s.accept_help(c, g, help, a.id, at(4)).await, Ok(true));
    let p = progress_on(s, &note(c, g, a.id, "Copied note", at(5))).await;
    assert_eq!(s.react_to_progress(c, g, p, b.id, Some(ProgressReaction::Wow), at(6)).await, Ok(true));
    assert_eq!(s.finish_goal(c, g, a.id, at(7)).await, Ok(true));

    let target = tend_store::testing::postgres().await;
    let (tend_store::Database::Sqlite(from), tend_store::Database::Postgres(to)) = (&source.database, &target.database)
    else {
        unreachable!("a SQLite and a PostgreSQL test database")
    };
    let copied = tend_store::copy::sqlite_to_postgres(from, to).await.expect("copies");
    let rows = |table: &str| copied.iter().find(|c| c.table == table).map(|c| c.rows);
    assert_eq!((rows("goals"), rows("goal_cheers"), rows("goal_progress")), (Some(2), Some(2), Some(1)));

    let copy = target.node_with(source.master.clone()).await;
    let t = copy.store.as_ref();
    for viewer in [a.id, b.id] {
        assert_eq!(t.goals(c, viewer).await, s.goals(c, viewer).await);
        assert_eq!(t.goal(c, g, viewer).await, s.goal(c, g, viewer).await);
    }
    let days = (date("2026-03-01"), date("2026-03-31"));
    assert_eq!(t.asks_between(c, b.id, days.0, days.1).await, s.asks_between(c, b.id, days.0, days.1).await);
    // And the copy goes on: new rows take new ids.
    let next = goal(t, c, b.id, "After", false, at(10)).await;
    assert!(next.0 > g.0);
}
