-- Each other's goals: each partner's goals, the partner's cheers on them, the owner's progress
-- notes and the partner's reaction to each.
--
-- A private goal (`private` = 1) is its owner's alone: every read filters on
-- `owner_id = viewer or private = 0`, and so do the writes a partner can make. `due` and
-- `ask_on` are local days, `YYYY-MM-DD`. Every written word (title, why, next step, a cheer's
-- words, a progress note) is sealed with its writer's data key. Each cheer and progress note
-- carries the goal's `couple_id`, copied from the goal as it is written, so every query filters
-- by the couple.
create table goals (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    owner_id integer not null references users (id),
    title text not null,
    why text not null default '',
    next_step text not null default '',
    due text check (due is date(julianday(due))),
    private integer not null check (private in (0, 1)),
    created_at integer not null,
    updated_at integer not null,
    done_at integer
);
create index goals_couple_created on goals (couple_id, created_at);

-- A cheer by the partner: a message, an ask ("I'll ask you about it on `ask_on`", the one
-- kind with a day), or an offer of help, which the owner may accept once. The index by author
-- finds the asks a person promised for a day, and everything they wrote when they leave.
create table goal_cheers (
    id integer primary key autoincrement,
    goal_id integer not null references goals (id),
    couple_id integer not null references couples (id),
    author_id integer not null references users (id),
    kind text not null check (kind in ('message', 'ask', 'help')),
    words text not null default '',
    ask_on text check (ask_on is date(julianday(ask_on))),
    accepted_at integer,
    created_at integer not null,
    check ((kind = 'ask') = (ask_on is not null)),
    check (accepted_at is null or kind = 'help')
);
create index goal_cheers_goal on goal_cheers (goal_id, created_at);
create index goal_cheers_author_ask on goal_cheers (author_id, ask_on);

-- A progress note by the owner, and the partner's one reaction to it (or none).
create table goal_progress (
    id integer primary key autoincrement,
    goal_id integer not null references goals (id),
    couple_id integer not null references couples (id),
    note text not null,
    created_at integer not null,
    reaction text check (reaction in ('proud', 'cheer', 'hug', 'wow')),
    reacted_by integer references users (id),
    reacted_at integer,
    check ((reaction is null) = (reacted_by is null) and (reaction is null) = (reacted_at is null))
);
create index goal_progress_goal on goal_progress (goal_id, created_at);
