-- The daily check-in and the daily appreciation.

create table check_ins (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id) on delete cascade,
    -- The author's own local date, YYYY-MM-DD.
    day text not null,
    high text not null,
    low text not null,
    closeness bigint not null check (closeness between 1 and 7),
    need text not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (couple_id, author_id, day)
);
create index check_ins_couple_day on check_ins (couple_id, day);

create table appreciations (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    author_id bigint not null references users (id) on delete cascade,
    recipient_id bigint not null references users (id) on delete cascade,
    kind text not null check (kind in ('gratitude', 'respect', 'admiration')),
    body text not null,
    starter_id text,
    created_at bigint not null,
    reaction text,
    reply text not null,
    reacted_at bigint
);
create index appreciations_couple_created on appreciations (couple_id, created_at);

alter table users add column hide_counts bigint not null default 0;
alter table users add column today_seen_at bigint;
