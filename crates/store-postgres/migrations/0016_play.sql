-- Play and new things together: the couple's own ideas, each person's private marks, plans
-- and afterwards (see the SQLite migration of the same number for why each column is there).
-- Columns are in the same order as SQLite's, which `tend copy` relies on.
create table own_ideas (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id),
    title text not null,
    detail text not null default '',
    place text not null check (place in ('home', 'out')),
    cost text not null check (cost in ('free', 'low', 'higher')),
    length text not null check (length in ('short', 'evening', 'day')),
    energy text not null check (energy in ('calm', 'lively')),
    created_at timestamptz not null,
    shared_at timestamptz
);
create index own_ideas_couple on own_ideas (couple_id, created_at);

create table idea_marks (
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id),
    idea text not null check (idea <> ''),
    mark text not null check (mark in ('yes', 'maybe', 'not-for-me')),
    updated_at timestamptz not null,
    primary key (couple_id, author_id, idea)
);

create table idea_plans (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    idea text not null check (idea <> ''),
    proposed_by bigint not null references users (id),
    at timestamptz not null,
    proposed_at timestamptz not null,
    accepted_at timestamptz,
    accepted_by bigint references users (id),
    cancelled_at timestamptz,
    cancelled_by bigint references users (id),
    check ((accepted_at is null) = (accepted_by is null)),
    check ((cancelled_at is null) = (cancelled_by is null))
);
create index idea_plans_couple_at on idea_plans (couple_id, at);

create table plan_afterwards (
    plan_id bigint not null references idea_plans (id),
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id),
    feeling text not null check (feeling in ('loved', 'fun', 'cosy', 'okay', 'not-for-us')),
    note text not null default '',
    photo_id text,
    at timestamptz not null,
    primary key (plan_id, author_id)
);
