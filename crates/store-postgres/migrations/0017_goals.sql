-- Each other's goals (see the SQLite migration of the same number for why each column is
-- there). Columns are in the same order as SQLite's, which `tend copy` relies on.
create table goals (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    owner_id bigint not null references users (id),
    title text not null,
    why text not null default '',
    next_step text not null default '',
    due date,
    private boolean not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    done_at timestamptz
);
create index goals_couple_created on goals (couple_id, created_at);

create table goal_cheers (
    id bigint generated always as identity primary key,
    goal_id bigint not null references goals (id),
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id),
    kind text not null check (kind in ('message', 'ask', 'help')),
    words text not null default '',
    ask_on date,
    accepted_at timestamptz,
    created_at timestamptz not null,
    check ((kind = 'ask') = (ask_on is not null)),
    check (accepted_at is null or kind = 'help')
);
create index goal_cheers_goal on goal_cheers (goal_id, created_at);
create index goal_cheers_author_ask on goal_cheers (author_id, ask_on);

create table goal_progress (
    id bigint generated always as identity primary key,
    goal_id bigint not null references goals (id),
    couple_id bigint not null references couples (id),
    note text not null,
    created_at timestamptz not null,
    reaction text check (reaction in ('proud', 'cheer', 'hug', 'wow')),
    reacted_by bigint references users (id),
    reacted_at timestamptz,
    check ((reaction is null) = (reacted_by is null) and (reaction is null) = (reacted_at is null))
);
create index goal_progress_goal on goal_progress (goal_id, created_at);
