//! Play's contract, on SQLite and PostgreSQL: each person's marks are their own, matches need
//! a yes or maybe from both and never show a mark (an unmatched idea looks the same whatever
//! the partner said), own ideas stay private until shared, plans need a match and the
//! partner's yes, "how was it?" only once it happened, racing marks make one match, words
//! sealed at rest, and what deleting an account does to it all.

use crate::people::{at, couple};
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::ids::{OwnIdeaId, PlanId};
use tend_domain::photo::PhotoId;
use tend_domain::play::{Afterwards, Cost, Energy, Feeling, Length, Mark, Match, MyMark, OwnIdea, Place, own_key};
use tend_domain::store::play::{AfterwardsRecord, MarkChange, MarkRecord, NewOwnIdea, NewPlan};
use tend_domain::{CoupleId, Store, UserId};
use tend_store::testing::TestDb;
use tend_store::{both_backends, vault};

async fn set(
    s: &dyn Store,
    couple: CoupleId,
    author: UserId,
    idea: &str,
    mark: Option<Mark>,
    now: Timestamp,
) -> MarkChange {
    let record = MarkRecord { couple, author, idea: idea.into(), mark, now };
    s.set_mark(&record).await.expect("mark")
}

fn change(was_match: bool, is_match: bool) -> MarkChange {
    MarkChange { was_match, is_match }
}

fn my(idea: &str, mark: Mark, at: Timestamp) -> MyMark {
    MyMark { idea: idea.into(), mark, at }
}

fn matched(idea: &str, since: Timestamp) -> Match {
    Match { idea: idea.into(), since }
}

fn own(couple: CoupleId, author: UserId, title: &str, now: Timestamp) -> NewOwnIdea {
    NewOwnIdea {
        couple,
        author,
        title: title.into(),
        detail: format!("{title}: the details"),
        place: Place::Out,
        cost: Cost::Low,
        length: Length::Day,
        energy: Energy::Lively,
        now,
    }
}

/// Both partners say yes to `idea`, so it is a match.
async fn both_yes(s: &dyn Store, c: CoupleId, a: UserId, b: UserId, idea: &str, now: Timestamp) {
    set(s, c, a, idea, Some(Mark::Yes), now).await;
    assert_eq!(set(s, c, b, idea, Some(Mark::Yes), now).await, change(false, true), "{idea} matched");
}

fn new_plan(couple: CoupleId, idea: &str, by: UserId, time: Timestamp, now: Timestamp) -> NewPlan {
    NewPlan { couple, idea: idea.into(), proposed_by: by, at: time, now }
}

async fn propose(s: &dyn Store, plan: &NewPlan) -> Option<PlanId> {
    s.propose_plan(plan).await.expect("propose")
}

fn afterwards(
    couple: CoupleId,
    plan: PlanId,
    author: UserId,
    feeling: Feeling,
    note: &str,
    now: Timestamp,
) -> AfterwardsRecord {
    AfterwardsRecord { couple, plan, author, feeling, note: note.into(), photo: None, now }
}

async fn marks_are_each_persons_own_and_replaced_or_cleared(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "marks").await;
    let (x, _, other) = couple(s, "other").await;
    assert_eq!(s.marks_of(c, a.id).await, Ok(Vec::new()));
    assert_eq!(set(s, c, a.id, "picnic", Some(Mark::Yes), at(0)).await, change(false, false));
    assert_eq!(s.marks_of(c, a.id).await, Ok(vec![my("picnic", Mark::Yes, at(0))]));
    // Marking again replaces the mark; the same mark again keeps since when it was given.
    set(s, c, a.id, "picnic", Some(Mark::Maybe), at(1)).await;
    set(s, c, a.id, "picnic", Some(Mark::Maybe), at(2)).await;
    assert_eq!(s.marks_of(c, a.id).await, Ok(vec![my("picnic", Mark::Maybe, at(1))]));
    set(s, c, a.id, "karaoke", Some(Mark::NotForMe), at(3)).await;
    set(s, c, a.id, "own-1", Some(Mark::Yes), at(4)).await;
    assert_eq!(
        s.marks_of(c, a.id).await,
        Ok(vec![my("own-1", Mark::Yes, at(4)), my("karaoke", Mark::NotForMe, at(3)), my("picnic", Mark::Maybe, at(1))]),
        "newest first"
    );
    // The partner's and another couple's marks are never among a's.
    set(s, c, b.id, "picnic", Some(Mark::Yes), at(5)).await;
    set(s, c, b.id, "sunrise", Some(Mark::NotForMe), at(6)).await;
    set(s, other, x.id, "picnic", Some(Mark::Yes), at(7)).await;
    assert_eq!(s.marks_of(c, a.id).await.expect("read").len(), 3);
    assert_eq!(
        s.marks_of(c, b.id).await,
        Ok(vec![my("sunrise", Mark::NotForMe, at(6)), my("picnic", Mark::Yes, at(5))])
    );
    assert_eq!(s.marks_of(other, a.id).await, Ok(Vec::new()), "scoped by the couple");
    assert_eq!(s.marks_of(other, x.id).await, Ok(vec![my("picnic", Mark::Yes, at(7))]));
    // Clearing takes the mark away; clearing nothing is no error.
    assert_eq!(set(s, c, a.id, "karaoke", None, at(8)).await, change(false, false));
    assert_eq!(set(s, c, a.id, "karaoke", None, at(9)).await, change(false, false));
    let ideas: Vec<String> = s.marks_of(c, a.id).await.expect("read").into_iter().map(|m| m.idea).collect();
    assert_eq!(ideas, ["own-1", "picnic"]);
    // An idea has a name: the database refuses an empty one.
    let nameless = MarkRecord { couple: c, author: a.id, idea: String::new(), mark: Some(Mark::Yes), now: at(10) };
    assert!(s.set_mark(&nameless).await.is_err());
    assert_eq!(s.marks_of(c, a.id).await.expect("read").len(), 2);
}

async fn matches_need_yes_or_maybe_from_both_and_show_no_mark(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "match").await;
    let (x, y, other) = couple(s, "other").await;
    assert_eq!(s.matches(c).await, Ok(Vec::new()));
    // yes + yes, yes + maybe, maybe + maybe: matches, since the later of the two marks.
    assert_eq!(set(s, c, a.id, "picnic", Some(Mark::Yes), at(0)).await, change(false, false));
    assert_eq!(set(s, c, b.id, "picnic", Some(Mark::Yes), at(1)).await, change(false, true));
    assert_eq!(set(s, c, b.id, "museum", Some(Mark::Maybe), at(2)).await, change(false, false));
    assert_eq!(set(s, c, a.id, "museum", Some(Mark::Yes), at(5)).await, change(false, true));
    set(s, c, a.id, "stars", Some(Mark::Maybe), at(3)).await;
    assert_eq!(set(s, c, b.id, "stars", Some(Mark::Maybe), at(4)).await, change(false, true));
    // yes + not for me, and yes alone: no match.
    set(s, c, a.id, "karaoke", Some(Mark::Yes), at(6)).await;
    assert_eq!(set(s, c, b.id, "karaoke", Some(Mark::NotForMe), at(7)).await, change(false, false));
    set(s, c, a.id, "alone", Some(Mark::Yes), at(8)).await;
    // Another couple's marks never meet this couple's.
    set(s, other, x.id, "alone", Some(Mark::Yes), at(9)).await;
    set(s, other, y.id, "karaoke", Some(Mark::Yes), at(9)).await;
    let want = vec![matched("museum", at(5)), matched("stars", at(4)), matched("picnic", at(1))];
    assert_eq!(s.matches(c).await, Ok(want.clone()), "newest match first");
    assert_eq!(s.matches(other).await, Ok(Vec::new()));

    // A change from yes to maybe keeps the match; to not-for-me, or clearing, ends it.
    assert_eq!(set(s, c, a.id, "picnic", Some(Mark::Maybe), at(10)).await, change(true, true));
    assert_eq!(set(s, c, a.id, "picnic", Some(Mark::NotForMe), at(11)).await, change(true, false));
    assert_eq!(set(s, c, a.id, "picnic", Some(Mark::Yes), at(12)).await, change(false, true));
    assert_eq!(set(s, c, b.id, "stars", None, at(13)).await, change(true, false));
    assert_eq!(set(s, c, b.id, "stars", None, at(14)).await, change(false, false));
    assert_eq!(s.matches(c).await, Ok(vec![matched("picnic", at(12)), matched("museum", at(5))]));
    // A "not for me" turned into a yes makes the match.
    assert_eq!(set(s, c, b.id, "karaoke", Some(Mark::Yes), at(15)).await, change(false, true));
    assert_eq!(set(s, c, b.id, "karaoke", Some(Mark::NotForMe), at(16)).await, change(true, false));
}

/// What a person can learn about an idea their partner did not match, through every answer
/// the store gives them, is the same whether the partner said "not for me", cleared their
/// mark, or never marked it.
async fn not_for_me_looks_the_same_as_never_marked(db: TestDb) {
    let s = db.store.as_ref();
    // Three couples, set up alike but for the partner's answer on "karaoke".
    let mut seen = Vec::new();
    for (tag, partner) in [("never", None), ("no", Some(Mark::NotForMe)), ("cleared", Some(Mark::Yes))] {
        let (a, b, c) = couple(s, tag).await;
        both_yes(s, c, a.id, b.id, "picnic", at(0)).await;
        let first = set(s, c, a.id, "karaoke", Some(Mark::Yes), at(1)).await;
        if let Some(mark) = partner {
            assert!(!set(s, c, b.id, "karaoke", Some(mark), at(2)).await.was_match);
        }
        if tag == "cleared" {
            set(s, c, b.id, "karaoke", None, at(3)).await;
        }
        let again = set(s, c, a.id, "karaoke", Some(Mark::Maybe), at(4)).await;
        let plan = s.propose_plan(&new_plan(c, "karaoke", a.id, at(600), at(5))).await;
        seen.push((first, again, s.matches(c).await, s.marks_of(c, a.id).await, plan, s.plans(c).await));
    }
    assert_eq!(seen[0], seen[1], "never marked and not for me look alike");
    assert_eq!(seen[0], seen[2], "never marked and cleared look alike");
    assert_eq!(seen[0].2, Ok(vec![matched("picnic", at(0))]));
}

async fn own_ideas_are_private_until_shared(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "own").await;
    let (x, _, other) = couple(s, "other").await;
    assert_eq!(s.own_ideas(c, a.id).await, Ok(Vec::new()));
    let mine = s.add_own_idea(&own(c, a.id, "Pottery class", at(0))).await.expect("add");
    let theirs = s.add_own_idea(&own(c, b.id, "Night swim", at(1))).await.expect("add");
    let elsewhere = s.add_own_idea(&own(other, x.id, "Road trip", at(2))).await.expect("add");
    let as_added = OwnIdea {
        id: mine,
        author: a.id,
        title: "Pottery class".into(),
        detail: "Pottery class: the details".into(),
        place: Place::Out,
        cost: Cost::Low,
        length: Length::Day,
        energy: Energy::Lively,
        created_at: at(0),
        shared_at: None,
    };
    assert_eq!(s.own_ideas(c, a.id).await, Ok(vec![as_added.clone()]), "a sees only their own");
    let ids = |v: Vec<OwnIdea>| v.into_iter().map(|o| o.id).collect::<Vec<OwnIdeaId>>();
    assert_eq!(s.own_ideas(c, b.id).await.map(ids), Ok(vec![theirs]));
    // Only its author shares it, in its couple, once.
    assert_eq!(s.share_own_idea(c, mine, b.id, at(3)).await, Ok(false), "not b's to share");
    assert_eq!(s.share_own_idea(other, mine, a.id, at(3)).await, Ok(false), "not in that couple");
    assert_eq!(s.share_own_idea(c, elsewhere, x.id, at(3)).await, Ok(false), "not in this couple");
    assert_eq!(s.share_own_idea(c, mine, a.id, at(4)).await, Ok(true));
    assert_eq!(s.share_own_idea(c, mine, a.id, at(5)).await, Ok(false), "shared already");
    let shared = OwnIdea { shared_at: Some(at(4)), ..as_added };
    assert_eq!(s.own_ideas(c, a.id).await, Ok(vec![shared.clone()]), "still b's own stays b's");
    let seen_by_b = s.own_ideas(c, b.id).await.expect("read");
    assert_eq!(seen_by_b.iter().map(|o| o.id).collect::<Vec<_>>(), [theirs, mine], "newest first");
    assert_eq!(seen_by_b[1], shared);
    assert_eq!(s.own_ideas(other, x.id).await.map(ids), Ok(vec![elsewhere]));
    assert_eq!(s.own_ideas(other, a.id).await, Ok(Vec::new()));
}

async fn plans_need_a_match_and_the_partners_yes(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "plans").await;
    let (x, y, other) = couple(s, "other").await;
    let day = |d: i64| at(d * 24 * 60);
    // No match, no plan: a yes alone, or met by "not for me".
    set(s, c, a.id, "picnic", Some(Mark::Yes), at(0)).await;
    assert_eq!(propose(s, &new_plan(c, "picnic", a.id, day(3), at(1))).await, None, "a yes alone");
    set(s, c, b.id, "picnic", Some(Mark::NotForMe), at(1)).await;
    assert_eq!(propose(s, &new_plan(c, "picnic", a.id, day(3), at(2))).await, None, "met by not for me");
    assert_eq!(propose(s, &new_plan(c, "picnic", b.id, day(3), at(2))).await, None);
    assert_eq!(s.plans(c).await, Ok(Vec::new()));
    // A match: either partner may propose it; any idea key works (a deck idea or an own one).
    set(s, c, b.id, "picnic", Some(Mark::Maybe), at(3)).await;
    let idea = s.add_own_idea(&own(c, b.id, "Night swim", at(3))).await.expect("add");
    assert!(s.share_own_idea(c, idea, b.id, at(3)).await.expect("share"));
    let swim = own_key(idea);
    both_yes(s, c, b.id, a.id, &swim, at(4)).await;
    let picnic = propose(s, &new_plan(c, "picnic", a.id, day(3), at(5))).await.expect("a match");
    let swim_plan = propose(s, &new_plan(c, &swim, b.id, day(5), at(6))).await.expect("a match");
    // Not in another couple, whose members have no such match.
    assert_eq!(propose(s, &new_plan(other, "picnic", x.id, day(3), at(6))).await, None);

    let read = s.plan(c, picnic).await.expect("read").expect("there");
    assert_eq!(
        (read.id, read.idea.as_str(), read.proposed_by, read.at, read.proposed_at),
        (picnic, "picnic", a.id, day(3), at(5))
    );
    assert_eq!((read.accepted_at, read.cancelled_at, read.afterwards), (None, None, Vec::new()));
    assert_eq!(s.plan(other, picnic).await, Ok(None), "another couple's plan is not found");

    // The proposer cannot accept their own; the partner accepts once; not across couples.
    assert_eq!(s.accept_plan(c, picnic, a.id, at(7)).await, Ok(false), "the proposer");
    assert_eq!(s.accept_plan(other, picnic, y.id, at(7)).await, Ok(false), "another couple");
    assert_eq!(s.accept_plan(c, picnic, b.id, at(8)).await, Ok(true));
    assert_eq!(s.accept_plan(c, picnic, b.id, at(9)).await, Ok(false), "once");
    assert_eq!(s.plan(c, picnic).await.expect("read").expect("there").accepted_at, Some(at(8)));
    // Either may call it off before its time, once; then it cannot be accepted.
    assert_eq!(s.cancel_plan(other, swim_plan, x.id, at(10)).await, Ok(false), "another couple");
    assert_eq!(s.cancel_plan(c, swim_plan, b.id, at(10)).await, Ok(true), "the proposer withdraws");
    assert_eq!(s.cancel_plan(c, swim_plan, a.id, at(11)).await, Ok(false), "once");
    assert_eq!(s.accept_plan(c, swim_plan, a.id, at(11)).await, Ok(false), "called off");
    let swim_read = s.plan(c, swim_plan).await.expect("read").expect("there");
    assert_eq!((swim_read.accepted_at, swim_read.cancelled_at), (None, Some(at(10))));
    assert_eq!(s.cancel_plan(c, picnic, b.id, at(12)).await, Ok(true), "an accepted plan can be called off");
    // At or past its time, neither accepting nor calling off.
    let late = propose(s, &new_plan(c, "picnic", b.id, day(1), at(13))).await.expect("still a match");
    assert_eq!(s.accept_plan(c, late, a.id, day(1)).await, Ok(false), "at its time");
    assert_eq!(s.cancel_plan(c, late, a.id, day(2)).await, Ok(false), "past its time");
    assert_eq!(s.accept_plan(c, late, a.id, day(1) - SignedDuration::from_millis(1)).await, Ok(true), "just before");

    // Latest time first; at the same time, the newer plan first.
    let twin = propose(s, &new_plan(c, "picnic", a.id, day(3), at(14))).await.expect("still a match");
    let order: Vec<PlanId> = s.plans(c).await.expect("read").into_iter().map(|p| p.id).collect();
    assert_eq!(order, [swim_plan, twin, picnic, late]);
    assert_eq!(s.plans(other).await, Ok(Vec::new()));
    // Once the match is gone, no new plan; the plans made stay.
    set(s, c, a.id, "picnic", None, at(15)).await;
    assert_eq!(propose(s, &new_plan(c, "picnic", b.id, day(4), at(16))).await, None);
    assert_eq!(s.plans(c).await.expect("read").len(), 4);
}

async fn afterwards_only_once_it_happened(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "after").await;
    let (x, _, other) = couple(s, "other").await;
    both_yes(s, c, a.id, b.id, "picnic", at(0)).await;
    let time = at(120);
    let happened = propose(s, &new_plan(c, "picnic", a.id, time, at(1))).await.expect("a match");
    let unaccepted = propose(s, &new_plan(c, "picnic", a.id, time, at(2))).await.expect("a match");
    let called_off = propose(s, &new_plan(c, "picnic", b.id, time, at(3))).await.expect("a match");
    assert!(s.accept_plan(c, happened, b.id, at(4)).await.expect("accept"));
    assert!(s.accept_plan(c, called_off, a.id, at(4)).await.expect("accept"));
    assert!(s.cancel_plan(c, called_off, a.id, at(5)).await.expect("cancel"));

    let said = |plan, who, feeling, note: &str, now| afterwards(c, plan, who, feeling, note, now);
    assert_eq!(s.save_afterwards(&said(happened, a.id, Feeling::Fun, "Too early", at(119))).await, Ok(false));
    assert_eq!(s.save_afterwards(&said(unaccepted, a.id, Feeling::Fun, "Never agreed", at(200))).await, Ok(false));
    assert_eq!(s.save_afterwards(&said(called_off, a.id, Feeling::Fun, "Called off", at(200))).await, Ok(false));
    let elsewhere = afterwards(other, happened, x.id, Feeling::Loved, "Not ours", at(200));
    assert_eq!(s.save_afterwards(&elsewhere).await, Ok(false), "another couple's plan");
    assert_eq!(s.plan(c, happened).await.expect("read").expect("there").afterwards, Vec::new());

    // From its time on; said again, it replaces the earlier one.
    assert_eq!(s.save_afterwards(&said(happened, b.id, Feeling::Okay, "First thoughts", time)).await, Ok(true));
    let photo = PhotoId::generate();
    let with_photo = AfterwardsRecord {
        photo: Some(photo.clone()),
        ..said(happened, b.id, Feeling::Loved, "The best picnic", at(300))
    };
    assert_eq!(s.save_afterwards(&with_photo).await, Ok(true));
    assert_eq!(s.save_afterwards(&said(happened, a.id, Feeling::NotForUs, "Rain", at(301))).await, Ok(true));
    let mut want = vec![
        Afterwards {
            author: b.id,
            feeling: Feeling::Loved,
            note: "The best picnic".into(),
            photo: Some(photo),
            at: at(300),
        },
        Afterwards { author: a.id, feeling: Feeling::NotForUs, note: "Rain".into(), photo: None, at: at(301) },
    ];
    want.sort_by_key(|w| w.author);
    let read = s.plan(c, happened).await.expect("read").expect("there");
    assert_eq!(read.afterwards, want, "one each, by person");
    let listed = s.plans(c).await.expect("read");
    assert_eq!(listed.iter().find(|p| p.id == happened).map(|p| &p.afterwards), Some(&want));
    assert!(listed.iter().filter(|p| p.id != happened).all(|p| p.afterwards.is_empty()));
    // Without the photo again, the photo goes.
    assert!(s.save_afterwards(&said(happened, b.id, Feeling::Cosy, "", at(302))).await.expect("save"));
    let read = s.plan(c, happened).await.expect("read").expect("there");
    let bs = read.afterwards.iter().find(|w| w.author == b.id).expect("b's");
    assert_eq!((bs.feeling, bs.note.as_str(), bs.photo.as_ref(), bs.at), (Feeling::Cosy, "", None, at(302)));
}

/// Both partners say yes to the same idea at the same moment, from two nodes, again and
/// again: each time exactly one of them is told it made the match, and the other is told
/// there was none yet. Clearing at once, exactly one is told it ended it.
async fn racing_marks_make_exactly_one_match(db: TestDb) {
    let node = db.node().await;
    let (a, b, c) = couple(db.store.as_ref(), "race").await;
    for round in 0..25 {
        let idea = format!("race-{round}");
        let race = |mark: Option<Mark>| {
            let mut tasks = tokio::task::JoinSet::new();
            for (s, who) in [(db.store.clone(), a.id), (node.store.clone(), b.id)] {
                let record = MarkRecord { couple: c, author: who, idea: idea.clone(), mark, now: at(round) };
                let s: Arc<dyn Store> = s;
                tasks.spawn(async move { s.set_mark(&record).await });
            }
            tasks.join_all()
        };
        let told: Vec<MarkChange> = race(Some(Mark::Yes)).await.into_iter().map(|r| r.expect("marked")).collect();
        let made = told.iter().filter(|m| m.is_match && !m.was_match).count();
        assert_eq!(made, 1, "round {round}: {told:?}");
        assert!(told.contains(&change(false, false)), "round {round}: the other saw no match yet: {told:?}");
        assert!(db.store.matches(c).await.expect("read").iter().any(|m| m.idea == idea));
        let told: Vec<MarkChange> = race(None).await.into_iter().map(|r| r.expect("cleared")).collect();
        let ended = told.iter().filter(|m| m.was_match && !m.is_match).count();
        assert_eq!(ended, 1, "round {round}: {told:?}");
        assert!(told.contains(&change(false, false)), "round {round}: {told:?}");
    }
    assert_eq!(db.store.matches(c).await, Ok(Vec::new()));
}

async fn own_idea_and_afterwards_words_are_sealed_at_rest(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "sealed").await;
    let idea = s.add_own_idea(&own(c, a.id, "SECRET-idea", at(0))).await.expect("add");
    both_yes(s, c, a.id, b.id, "picnic", at(1)).await;
    let plan = propose(s, &new_plan(c, "picnic", a.id, at(60), at(2))).await.expect("a match");
    assert!(s.accept_plan(c, plan, b.id, at(3)).await.expect("accept"));
    let note = afterwards(c, plan, b.id, Feeling::Loved, "SECRET-note", at(61));
    assert!(s.save_afterwards(&note).await.expect("save"));
    for (table, column) in [("own_ideas", "title"), ("own_ideas", "detail"), ("plan_afterwards", "note")] {
        let plain = db.scalar(&format!("select count(*) from {table} where {column} like '%SECRET%'")).await;
        assert_eq!(plain, 0, "{table}.{column} is stored sealed");
        assert!(db.scalar(&format!("select count(*) from {table} where {column} <> ''")).await > 0);
    }
    let raw = db.database.raw_store();
    let stored = raw.own_ideas(c, a.id).await.expect("raw read");
    assert!(vault::looks_sealed(&stored[0].title) && vault::looks_sealed(&stored[0].detail));
    let stored = raw.plan(c, plan).await.expect("raw read").expect("there");
    assert!(vault::looks_sealed(&stored.afterwards[0].note));
    // Through the vault, and on another node, they read as written.
    for node in [db.store.clone(), db.node().await.store] {
        let ideas = node.own_ideas(c, a.id).await.expect("read");
        assert_eq!((ideas[0].id, ideas[0].title.as_str()), (idea, "SECRET-idea"));
        assert_eq!(ideas[0].detail, "SECRET-idea: the details");
        let read = node.plan(c, plan).await.expect("read").expect("there");
        assert_eq!(read.afterwards[0].note, "SECRET-note");
        assert_eq!(node.plans(c).await.expect("read")[0].afterwards[0].note, "SECRET-note");
    }
}

async fn deleting_an_account_takes_its_marks_ideas_and_afterwards(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "del").await;
    for who in [a.id, b.id] {
        let idea = s.add_own_idea(&own(c, who, "An idea", at(0))).await.expect("add");
        assert!(s.share_own_idea(c, idea, who, at(0)).await.expect("share"));
    }
    both_yes(s, c, a.id, b.id, "picnic", at(1)).await;
    set(s, c, a.id, "karaoke", Some(Mark::NotForMe), at(1)).await;
    set(s, c, b.id, "museum", Some(Mark::Maybe), at(1)).await;
    let proposed_by_a = propose(s, &new_plan(c, "picnic", a.id, at(60), at(2))).await.expect("a match");
    let proposed_by_b = propose(s, &new_plan(c, "picnic", b.id, at(600), at(2))).await.expect("a match");
    assert!(s.accept_plan(c, proposed_by_a, b.id, at(3)).await.expect("accept"));
    assert!(s.accept_plan(c, proposed_by_b, a.id, at(3)).await.expect("accept"));
    for who in [a.id, b.id] {
        assert!(
            s.save_afterwards(&afterwards(c, proposed_by_a, who, Feeling::Fun, "words", at(61))).await.expect("save")
        );
    }

    assert_eq!(s.delete_user(a.id, at(100)).await, Ok(true));
    let id = a.id.0;
    for (what, sql) in [
        ("own ideas", format!("select count(*) from own_ideas where author_id = {id}")),
        ("marks", format!("select count(*) from idea_marks where author_id = {id}")),
        ("afterwards", format!("select count(*) from plan_afterwards where author_id = {id}")),
    ] {
        assert_eq!(db.scalar(&sql).await, 0, "{what} of the deleted person are left");
    }
    // The partner's own stay and still open; the plans stay, holding no words of a's.
    let ideas = s.own_ideas(c, b.id).await.expect("read");
    assert!(ideas.len() == 1 && ideas[0].author == b.id && ideas[0].title == "An idea", "{ideas:?}");
    let marks: Vec<(String, Mark)> =
        s.marks_of(c, b.id).await.expect("read").into_iter().map(|m| (m.idea, m.mark)).collect();
    assert_eq!(marks.len(), 2);
    assert!(marks.contains(&("picnic".into(), Mark::Yes)) && marks.contains(&("museum".into(), Mark::Maybe)));
    assert_eq!(s.matches(c).await, Ok(Vec::new()), "a match needs two");
    let plans = s.plans(c).await.expect("read");
    assert_eq!(
        plans.iter().map(|p| (p.id, p.proposed_by)).collect::<Vec<_>>(),
        [(proposed_by_b, b.id), (proposed_by_a, a.id)]
    );
    let kept = plans.iter().find(|p| p.id == proposed_by_a).expect("a's plan stays");
    assert_eq!(kept.afterwards.iter().map(|w| (w.author, w.note.as_str())).collect::<Vec<_>>(), [(b.id, "words")]);
}

both_backends!(
    marks_are_each_persons_own_and_replaced_or_cleared,
    matches_need_yes_or_maybe_from_both_and_show_no_mark,
    not_for_me_looks_the_same_as_never_marked,
    own_ideas_are_private_until_shared,
    plans_need_a_match_and_the_partners_yes,
    afterwards_only_once_it_happened,
    racing_marks_make_exactly_one_match,
    own_idea_and_afterwards_words_are_sealed_at_rest,
    deleting_an_account_takes_its_marks_ideas_and_afterwards,
);

/// `tend copy` carries Play's tables across exactly: marks, matches, own ideas, plans and
/// afterwards, with the sealed words opening with the same master key on the other side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "PostgreSQL: set TEND_TEST_POSTGRES_URL and run with --include-ignored (scripts/test does)"]
async fn the_copy_to_postgres_carries_play() {
    let source = tend_store::testing::sqlite().await;
    let s = source.store.as_ref();
    let (a, b, c) = couple(s, "copy").await;
    let idea = s.add_own_idea(&own(c, a.id, "Copied idea", at(0))).await.expect("add");
    assert!(s.share_own_idea(c, idea, a.id, at(1)).await.expect("share"));
    both_yes(s, c, a.id, b.id, &own_key(idea), at(2)).await;
    set(s, c, b.id, "karaoke", Some(Mark::NotForMe), at(3)).await;
    let plan = propose(s, &new_plan(c, &own_key(idea), b.id, at(60), at(4))).await.expect("a match");
    assert!(s.accept_plan(c, plan, a.id, at(5)).await.expect("accept"));
    let note = AfterwardsRecord {
        photo: Some(PhotoId::generate()),
        ..afterwards(c, plan, a.id, Feeling::Cosy, "copied", at(61))
    };
    assert!(s.save_afterwards(&note).await.expect("save"));
    assert_eq!(propose(s, &new_plan(c, "picnic", a.id, at(90), at(6))).await, None, "no match on picnic");

    let target = tend_store::testing::postgres().await;
    let (tend_store::Database::Sqlite(from), tend_store::Database::Postgres(to)) = (&source.database, &target.database)
    else {
        unreachable!("a SQLite and a PostgreSQL test database")
    };
    let copied = tend_store::copy::sqlite_to_postgres(from, to).await.expect("copies");
    let rows = |table: &str| copied.iter().find(|c| c.table == table).map(|c| c.rows);
    assert_eq!(
        (rows("own_ideas"), rows("idea_marks"), rows("idea_plans"), rows("plan_afterwards")),
        (Some(1), Some(3), Some(1), Some(1))
    );

    let copy = target.node_with(source.master.clone()).await;
    let t = copy.store.as_ref();
    assert_eq!(t.own_ideas(c, b.id).await, s.own_ideas(c, b.id).await);
    for who in [a.id, b.id] {
        assert_eq!(t.marks_of(c, who).await, s.marks_of(c, who).await);
    }
    assert_eq!(t.matches(c).await, s.matches(c).await);
    assert_eq!(t.plans(c).await, s.plans(c).await);
    assert_eq!(t.plan(c, plan).await.expect("read").expect("there").afterwards[0].note, "copied");
    // And the copy goes on: new rows take new ids.
    let next = t.add_own_idea(&own(c, b.id, "After the copy", at(70))).await.expect("add");
    assert!(next.0 > idea.0);
    let again = propose(t, &new_plan(c, &own_key(idea), a.id, at(120), at(71))).await.expect("still a match");
    assert!(again.0 > plan.0);
}
