-- The reflective practices: Our intimacy map, the weekly State of Us, and each person's choice
-- about the private help hint.
--
-- A map is six rows, one per kind, all in one round. A round holds at most one map per author
-- (the primary key keeps a kind from being rated twice); which round a new map joins is decided
-- by the store in one transaction (see `save_intimacy_map`). `words` is sealed with the
-- author's data key, as every written word is.
create table intimacy_ratings (
    couple_id integer not null references couples (id),
    round integer not null check (round > 0),
    author_id integer not null references users (id),
    kind text not null check (kind in ('emotional', 'physical', 'intellectual', 'spiritual', 'social',
                                       'recreational')),
    nourished integer not null check (nourished between 1 and 7),
    wish text not null check (wish in ('less', 'as-now', 'more')),
    words text not null default '',
    taken_at integer not null,
    primary key (couple_id, round, author_id, kind)
);

-- One answer per partner and week; `week` is the Monday the week starts on. Every text but
-- `feeling` (a word from a fixed list) is sealed with the author's data key. `stuck` is the
-- private "we keep having the same argument" mark.
create table states_of_us (
    couple_id integer not null references couples (id),
    author_id integer not null references users (id),
    week text not null check (week is date(julianday(week)) and strftime('%w', week) = '1'),
    went_well text not null,
    need_more text not null,
    need_less text not null,
    feeling text not null,
    topic text not null,
    stuck integer not null check (stuck in (0, 1)),
    created_at integer not null,
    updated_at integer not null,
    primary key (couple_id, author_id, week)
);
create index states_of_us_couple_week on states_of_us (couple_id, week);

-- A person who turned the private help hint off; no row means it is on.
create table help_hints (
    user_id integer primary key references users (id),
    off integer not null check (off in (0, 1)),
    updated_at integer not null
);
