-- The Stress-Reducing Conversation. The phase is computed from these times (see the domain's
-- `conversation` module); `open_slot` is 1 while a conversation may still be joined or spoken
-- in and NULL after, so the unique index allows one open conversation per couple: two
-- simultaneous starts make one conversation, and the loser joins it.
create table conversations (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    started_by bigint not null references users (id),
    first_speaker bigint not null references users (id),
    second_speaker bigint not null references users (id),
    minutes bigint not null check (minutes between 1 and 60),
    turn_ms bigint not null check (turn_ms > 0),
    shared_phone bigint not null default 0,
    created_at bigint not null,
    joined_at bigint,
    first_heard_at bigint,
    second_heard_at bigint,
    first_understood bigint check (first_understood between 1 and 7),
    first_cared bigint check (first_cared between 1 and 7),
    second_understood bigint check (second_understood between 1 and 7),
    second_cared bigint check (second_cared between 1 and 7),
    cancelled_at bigint,
    open_slot bigint check (open_slot = 1)
);
create unique index conversations_one_open on conversations (couple_id, open_slot);
create index conversations_couple_created on conversations (couple_id, created_at);

-- Reflective listening: one speaker, one listener, a few rounds of share → reflect → verdict.
create table listenings (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    speaker_id bigint not null references users (id),
    listener_id bigint not null references users (id),
    created_at bigint not null,
    closed_at bigint,
    open_slot bigint check (open_slot = 1)
);
create unique index listenings_one_open on listenings (couple_id, open_slot);
create index listenings_couple_created on listenings (couple_id, created_at);

create table listening_rounds (
    listening_id bigint not null references listenings (id),
    round bigint not null check (round between 1 and 9),
    share text not null,
    shared_at bigint not null,
    reflection text,
    feeling text,
    reflected_at bigint,
    verdict text check (verdict in ('got-it', 'not-quite')),
    answered_at bigint,
    primary key (listening_id, round)
);
