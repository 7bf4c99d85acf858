-- The daily check-in and the daily appreciation.

create table check_ins (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    author_id integer not null references users (id) on delete cascade,
    -- The author's own local date, YYYY-MM-DD.
    day text not null,
    high text not null,
    low text not null,
    closeness integer not null check (closeness between 1 and 7),
    need text not null,
    created_at integer not null,
    updated_at integer not null,
    unique (couple_id, author_id, day)
);
create index check_ins_couple_day on check_ins (couple_id, day);

create table appreciations (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    author_id integer not null references users (id) on delete cascade,
    recipient_id integer not null references users (id) on delete cascade,
    kind text not null check (kind in ('gratitude', 'respect', 'admiration')),
    body text not null,
    starter_id text,
    created_at integer not null,
    reaction text,
    reply text not null,
    reacted_at integer
);
create index appreciations_couple_created on appreciations (couple_id, created_at);

alter table users add column hide_counts integer not null default 0;
alter table users add column today_seen_at integer;
