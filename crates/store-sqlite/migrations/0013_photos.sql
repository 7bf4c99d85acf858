-- Photos and the monthly show-and-tell. A photo's bytes live in the photo storage (a folder or
-- a bucket), sealed with its owner's data key; this row says whose it is and whether the
-- partner has seen it. `shown_at` is NULL while a photo is its owner's alone (a pick waiting
-- for its show-and-tell), and every read a partner can make filters on it.
--
-- A show-and-tell takes every waiting pick of both partners (`show_and_tell_id` set) and
-- shows them in order, one step at a time. `open_slot` is 1 while it is going and NULL after,
-- so a couple has at most one going: two phones tapping "Start" at once start one.
create table show_and_tells (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    started_by integer not null references users (id),
    first_teller integer not null references users (id),
    started_at integer not null,
    step integer not null default 0 check (step >= 0),
    total integer not null check (total > 0),
    finished_at integer,
    open_slot integer check (open_slot = 1),
    check (step <= total)
);
create unique index show_and_tells_open on show_and_tells (couple_id, open_slot);
create index show_and_tells_couple on show_and_tells (couple_id, started_at);

create table photos (
    id text primary key check (length(id) = 22),
    couple_id integer not null references couples (id),
    owner_id integer not null references users (id),
    kind text not null check (kind in ('pick', 'memory')),
    caption text not null default '',
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    created_at integer not null,
    -- A pick's place among its owner's picks, 1 to 5; 0 for a memory.
    position integer not null check (position between 0 and 5),
    show_and_tell_id integer references show_and_tells (id),
    shown_at integer,
    reaction text,
    reply text not null default '',
    replied_by integer references users (id),
    replied_at integer,
    check ((kind = 'pick') = (position > 0))
);
-- Each waiting pick has its own place: two uploads at once cannot both take the fifth.
create unique index photos_waiting_place on photos (couple_id, owner_id, position)
    where kind = 'pick' and show_and_tell_id is null;
create index photos_couple_shown on photos (couple_id, shown_at);
create index photos_show_and_tell on photos (show_and_tell_id, position);
