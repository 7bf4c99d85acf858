//! The photo and show-and-tell contract, on SQLite and PostgreSQL: places for picks that two
//! uploads cannot both take, one show-and-tell going per couple, one step per "Next" however
//! many phones tap it, a partner seeing only what was shown, and captions sealed at rest.

use crate::people::couple;
use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use tend_domain::photo::PhotoId;
use tend_domain::store::photos::{PhotoKind, PhotoRecord};
use tend_domain::{CoupleId, Store, UserId};
use tend_store::both_backends;
use tend_store::testing::TestDb;

fn t0() -> Timestamp {
    "2026-05-01T18:00:00Z".parse().expect("time")
}

fn at(mins: i64) -> Timestamp {
    t0().checked_add(SignedDuration::from_mins(mins)).expect("in range")
}

fn photo(couple: CoupleId, owner: UserId, kind: PhotoKind, caption: &str, now: Timestamp) -> PhotoRecord {
    PhotoRecord {
        id: PhotoId::generate(),
        couple,
        owner,
        kind,
        caption: caption.into(),
        width: 1600,
        height: 1200,
        created_at: now,
        position: 0,
        show_and_tell: None,
        shown_at: (kind == PhotoKind::Memory).then_some(now),
        reaction: None,
        reply: String::new(),
        replied_by: None,
        replied_at: None,
    }
}

async fn five_picks_at_most_even_when_six_arrive_at_once(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(s.as_ref(), "race").await;
    let tries = (0..6).map(|i| {
        let s = s.clone();
        let p = photo(c, a.id, PhotoKind::Pick, &format!("pick {i}"), at(i));
        tokio::spawn(async move { s.add_photo(&p, 5).await })
    });
    let mut taken = 0;
    for task in tries {
        if task.await.expect("joins").expect("no database error") {
            taken += 1;
        }
    }
    assert_eq!(taken, 5, "exactly five of six picks are kept");
    let mine = s.waiting_picks(c, a.id).await.expect("read");
    assert_eq!(mine.iter().map(|p| p.position).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert!(mine.iter().all(|p| p.shown_at.is_none() && p.kind == PhotoKind::Pick));
    // A memory is not a pick: it goes in beside five picks, and is shown at once.
    assert!(s.add_photo(&photo(c, a.id, PhotoKind::Memory, "kept", at(9)), 5).await.expect("memory"));
    assert_eq!(s.waiting_counts(c).await.expect("counts"), [(a.id, 5)]);
    assert!(s.waiting_picks(c, b.id).await.expect("read").is_empty());
    // A freed place is taken again.
    let gone = mine[2].id.clone();
    assert!(s.delete_photo(c, &gone, a.id).await.expect("delete"));
    assert!(!s.delete_photo(c, &mine[0].id, b.id).await.expect("not the partner's to delete"));
    assert!(s.add_photo(&photo(c, a.id, PhotoKind::Pick, "again", at(10)), 5).await.expect("again"));
    let places: Vec<i64> = s.waiting_picks(c, a.id).await.expect("read").iter().map(|p| p.position).collect();
    assert_eq!(places, [1, 2, 3, 4, 5]);
}

async fn a_show_and_tell_starts_once_and_moves_one_step_per_tap(db: TestDb) {
    let s: Arc<dyn Store> = db.store.clone();
    let (a, b, c) = couple(s.as_ref(), "show").await;
    assert_eq!(s.start_show_and_tell(c, a.id, a.id, t0()).await.expect("start"), None, "nothing picked");
    for (who, i) in [(a.id, 0), (b.id, 1), (a.id, 2)] {
        assert!(s.add_photo(&photo(c, who, PhotoKind::Pick, &format!("p{i}"), at(i)), 5).await.expect("pick"));
    }
    // Two phones tap "Start" at the same moment: one show-and-tell.
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.start_show_and_tell(c, a.id, b.id, at(5)).await })
        })
        .collect();
    let mut started = Vec::new();
    for task in starts {
        started.extend(task.await.expect("joins").expect("no database error"));
    }
    assert_eq!(started.len(), 1, "one show-and-tell: {started:?}");
    let id = started[0];
    let open = s.open_show_and_tell(c).await.expect("read").expect("open");
    assert_eq!((open.id, open.step, open.total, open.first_teller), (id, 0, 3, b.id));
    let order = s.show_and_tell_photos(c, id).await.expect("photos");
    assert_eq!(order.iter().map(|p| p.caption.as_str()).collect::<Vec<_>>(), ["p1", "p0", "p2"], "first teller first");
    let shown: Vec<bool> = order.iter().map(|p| p.shown_at.is_some()).collect();
    assert_eq!(shown, [true, false, false], "only the photo on screen is shown");
    assert!(s.waiting_counts(c).await.expect("counts").is_empty(), "every pick joined it");
    // A pick made now waits for the next one.
    assert!(s.add_photo(&photo(c, a.id, PhotoKind::Pick, "later", at(6)), 5).await.expect("pick"));
    assert!(!s.delete_photo(c, &order[1].id, a.id).await.expect("read"), "not while it is going");

    // Two "Next" taps from step 0: one step.
    let taps: Vec<_> = (0..2)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.advance_show_and_tell(c, id, 0, at(7)).await })
        })
        .collect();
    let mut moved = 0;
    for task in taps {
        if task.await.expect("joins").expect("no database error") {
            moved += 1;
        }
    }
    assert_eq!(moved, 1);
    assert_eq!(s.show_and_tell(c, id).await.expect("read").expect("there").step, 1);
    let shown: Vec<bool> =
        s.show_and_tell_photos(c, id).await.expect("photos").iter().map(|p| p.shown_at.is_some()).collect();
    assert_eq!(shown, [true, true, false]);
    assert!(!s.advance_show_and_tell(c, id, 0, at(8)).await.expect("stale"), "a stale tap changes nothing");
    assert!(s.advance_show_and_tell(c, id, 1, at(8)).await.expect("next"));
    assert!(s.advance_show_and_tell(c, id, 2, at(9)).await.expect("finish"));
    assert!(!s.advance_show_and_tell(c, id, 3, at(10)).await.expect("past the end"));
    let done = s.show_and_tell(c, id).await.expect("read").expect("there");
    assert_eq!((done.step, done.finished_at), (3, Some(at(9))));
    assert_eq!(s.open_show_and_tell(c).await.expect("read"), None);
    assert_eq!(s.shown_photos(c).await.expect("shown").len(), 3);
    assert_eq!(s.photos_shown_between(c, at(7), at(9)).await.expect("read").len(), 2);
    assert_eq!(s.photos_shown_between(c, at(8), at(9)).await.expect("read").len(), 1);
    // Finished: the photos are memories their owners may delete, and a new one can start.
    assert!(s.delete_photo(c, &order[1].id, a.id).await.expect("delete"));
    let next = s.start_show_and_tell(c, b.id, a.id, at(20)).await.expect("start").expect("a second one");
    assert_ne!(next, id);
    assert_eq!(s.show_and_tells(c).await.expect("list").len(), 2);
}

async fn partners_answer_only_what_they_were_shown(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "reply").await;
    let (x, _, other) = couple(s, "other").await;
    let pick = photo(c, a.id, PhotoKind::Pick, "the lake", at(0));
    s.add_photo(&pick, 5).await.expect("pick");
    assert!(!s.reply_to_photo(c, &pick.id, b.id, Some("love"), "", at(1)).await.expect("read"), "not shown yet");
    let id = s.start_show_and_tell(c, a.id, a.id, at(2)).await.expect("start").expect("started");
    assert!(!s.reply_to_photo(c, &pick.id, a.id, Some("love"), "", at(3)).await.expect("read"), "not one's own");
    assert!(
        !s.reply_to_photo(other, &pick.id, x.id, Some("love"), "", at(3)).await.expect("read"),
        "not another couple's"
    );
    assert!(s.reply_to_photo(c, &pick.id, b.id, Some("wow"), "Take me there", at(3)).await.expect("reply"));
    let seen = s.photo(c, &pick.id).await.expect("read").expect("there");
    assert_eq!(
        (seen.reaction.as_deref(), seen.reply.as_str(), seen.replied_by),
        (Some("wow"), "Take me there", Some(b.id))
    );
    assert_eq!(seen.show_and_tell, Some(id));
    assert_eq!(s.photo(other, &pick.id).await.expect("read"), None, "another couple never finds it");
    assert!(!s.caption_photo(c, &pick.id, b.id, "mine now").await.expect("read"), "only the owner captions");
    assert!(s.caption_photo(c, &pick.id, a.id, "the lake at dawn").await.expect("caption"));
    assert_eq!(s.photo(c, &pick.id).await.expect("read").expect("there").caption, "the lake at dawn");
    let stray = PhotoId::generate();
    let found = s.existing_photos(&[pick.id.clone(), stray]).await.expect("read");
    assert!(found.len() == 1 && found[0] == pick.id, "{found:?}");
    let ids = s.photo_ids(c).await.expect("ids");
    assert!(ids.len() == 1 && ids[0] == pick.id, "{ids:?}");
    // Unpairing takes the couple's photos and show-and-tells with it.
    s.dissolve_couple(c, at(10)).await.expect("unpair");
    assert!(s.photo_ids(c).await.expect("ids").is_empty());
    assert!(s.existing_photos(&[pick.id]).await.expect("read").is_empty());
    assert!(s.show_and_tells(c).await.expect("list").is_empty());
}

async fn captions_and_replies_are_sealed_at_rest(db: TestDb) {
    let s = db.store.as_ref();
    let (a, b, c) = couple(s, "sealed").await;
    let memory = photo(c, a.id, PhotoKind::Memory, "our secret cove", at(0));
    s.add_photo(&memory, 5).await.expect("memory");
    assert!(s.reply_to_photo(c, &memory.id, b.id, None, "the hidden beach", at(1)).await.expect("reply"));
    let read = s.photo(c, &memory.id).await.expect("read").expect("there");
    assert_eq!((read.caption.as_str(), read.reply.as_str()), ("our secret cove", "the hidden beach"));
    let plain = db.scalar("select count(*) from photos where caption like '%cove%' or reply like '%beach%'").await;
    assert_eq!(plain, 0, "no caption or reply is stored in plain text");
    assert_eq!(db.scalar("select count(*) from photos").await, 1);
    // Deleting the account ends the couple and takes the photos with it.
    assert!(s.delete_user(a.id, at(5)).await.expect("delete"));
    assert_eq!(db.scalar("select count(*) from photos").await, 0);
}

both_backends!(
    five_picks_at_most_even_when_six_arrive_at_once,
    a_show_and_tell_starts_once_and_moves_one_step_per_tap,
    partners_answer_only_what_they_were_shown,
    captions_and_replies_are_sealed_at_rest
);
