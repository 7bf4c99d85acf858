-- The Stress-Reducing Conversation. The phase is computed from these times (see the domain's
-- `conversation` module); `open_slot` is 1 while a conversation may still be joined or spoken
-- in and NULL after, so the unique index allows one open conversation per couple: two
-- simultaneous starts make one conversation, and the loser joins it.
create table conversations (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    started_by integer not null references users (id),
    first_speaker integer not null references users (id),
    second_speaker integer not null references users (id),
    minutes integer not null check (minutes between 1 and 60),
    turn_ms integer not null check (turn_ms > 0),
    shared_phone integer not null default 0,
    created_at integer not null,
    joined_at integer,
    first_heard_at integer,
    second_heard_at integer,
    first_understood integer check (first_understood between 1 and 7),
    first_cared integer check (first_cared between 1 and 7),
    second_understood integer check (second_understood between 1 and 7),
    second_cared integer check (second_cared between 1 and 7),
    cancelled_at integer,
    open_slot integer check (open_slot = 1)
);
create unique index conversations_one_open on conversations (couple_id, open_slot);
create index conversations_couple_created on conversations (couple_id, created_at);

-- Reflective listening: one speaker, one listener, a few rounds of share → reflect → verdict.
create table listenings (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    speaker_id integer not null references users (id),
    listener_id integer not null references users (id),
    created_at integer not null,
    closed_at integer,
    open_slot integer check (open_slot = 1)
);
create unique index listenings_one_open on listenings (couple_id, open_slot);
create index listenings_couple_created on listenings (couple_id, created_at);

create table listening_rounds (
    listening_id integer not null references listenings (id),
    round integer not null check (round between 1 and 9),
    share text not null,
    shared_at integer not null,
    reflection text,
    feeling text,
    reflected_at integer,
    verdict text check (verdict in ('got-it', 'not-quite')),
    answered_at integer,
    primary key (listening_id, round)
);
