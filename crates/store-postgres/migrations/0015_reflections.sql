-- The reflective practices: Our intimacy map, the weekly State of Us, and each person's choice
-- about the private help hint (see the SQLite migration of the same number for why each
-- column is there). Columns are in the same order as SQLite's, which `tend copy` relies on.
create table intimacy_ratings (
    couple_id bigint not null references couples (id),
    round bigint not null check (round > 0),
    author_id bigint not null references users (id),
    kind text not null check (kind in ('emotional', 'physical', 'intellectual', 'spiritual', 'social',
                                       'recreational')),
    nourished bigint not null check (nourished between 1 and 7),
    wish text not null check (wish in ('less', 'as-now', 'more')),
    words text not null default '',
    taken_at timestamptz not null,
    primary key (couple_id, round, author_id, kind)
);

create table states_of_us (
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id),
    week date not null check (extract(isodow from week) = 1),
    went_well text not null,
    need_more text not null,
    need_less text not null,
    feeling text not null,
    topic text not null,
    stuck boolean not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (couple_id, author_id, week)
);
create index states_of_us_couple_week on states_of_us (couple_id, week);

create table help_hints (
    user_id bigint primary key references users (id),
    off boolean not null,
    updated_at timestamptz not null
);
