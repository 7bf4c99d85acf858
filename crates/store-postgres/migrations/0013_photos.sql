-- Photos and the monthly show-and-tell (see the SQLite migration of the same number for why
-- each column is there).
create table show_and_tells (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    started_by bigint not null references users (id),
    first_teller bigint not null references users (id),
    started_at timestamptz not null,
    step bigint not null default 0 check (step >= 0),
    total bigint not null check (total > 0),
    finished_at timestamptz,
    open_slot boolean check (open_slot),
    check (step <= total)
);
create unique index show_and_tells_open on show_and_tells (couple_id, open_slot);
create index show_and_tells_couple on show_and_tells (couple_id, started_at);

create table photos (
    id text primary key check (length(id) = 22),
    couple_id bigint not null references couples (id),
    owner_id bigint not null references users (id),
    kind text not null check (kind in ('pick', 'memory')),
    caption text not null default '',
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    created_at timestamptz not null,
    position bigint not null check (position between 0 and 5),
    show_and_tell_id bigint references show_and_tells (id),
    shown_at timestamptz,
    reaction text,
    reply text not null default '',
    replied_by bigint references users (id),
    replied_at timestamptz,
    check ((kind = 'pick') = (position > 0))
);
create unique index photos_waiting_place on photos (couple_id, owner_id, position)
    where kind = 'pick' and show_and_tell_id is null;
create index photos_couple_shown on photos (couple_id, shown_at);
create index photos_show_and_tell on photos (show_and_tell_id, position);
