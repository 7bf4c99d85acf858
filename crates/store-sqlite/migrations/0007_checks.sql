-- Checks: the schema itself refuses what the store would refuse to read. Yes/no columns hold
-- 0 or 1, a reaction is one the app knows (or none), and a day is a real `YYYY-MM-DD` date.
--
-- SQLite cannot add a check to a table, so each table that gains one is built again: made
-- anew under another name, filled with every row, the old one dropped, the new one renamed,
-- its indexes made again. Rows keep their ids, and each table's autoincrement counter is
-- carried over, so an id once given out is never given again.
--
-- Foreign keys must be off while this runs: with them on, dropping the old `users` would
-- delete every session, token, invite and check-in that points at it. The pragma does
-- nothing inside a transaction, and sqlx runs every SQLite migration inside one (sqlx 0.8
-- ignores `-- no-transaction` for SQLite), so the store turns them off on the connection
-- before the migrations start (see `SqliteStore::migrate`). This file refuses to run with
-- them on, and refuses to commit if any reference broke along the way.

create temp table migration_0007_guard (
    foreign_keys_on integer not null constraint foreign_keys_must_be_off_to_rebuild_tables
        check (foreign_keys_on = 0),
    broken_before integer not null,
    broken_after integer,
    constraint rebuilding_tables_must_not_break_references
        check (broken_after is null or broken_after <= broken_before)
);
insert into migration_0007_guard (foreign_keys_on, broken_before)
select (select foreign_keys from pragma_foreign_keys), (select count(*) from pragma_foreign_key_check);

-- users: hide_counts is yes or no.

create table users_new (
    id integer primary key autoincrement,
    email text not null unique,
    display_name text not null,
    password_hash text not null,
    time_zone text not null,
    couple_id integer references couples (id),
    created_at integer not null,
    updated_at integer not null,
    hide_counts integer not null default 0 check (hide_counts in (0, 1)),
    today_seen_at integer
);
insert into sqlite_sequence (name, seq) select 'users_new', seq from sqlite_sequence where name = 'users';
insert into users_new (id, email, display_name, password_hash, time_zone, couple_id, created_at, updated_at,
                       hide_counts, today_seen_at)
select id, email, display_name, password_hash, time_zone, couple_id, created_at, updated_at, hide_counts,
       today_seen_at
from users;
drop table users;
alter table users_new rename to users;
create index users_couple_id on users (couple_id);

-- check_ins: the day is a real date, written as YYYY-MM-DD. Turned into a day number and back,
-- it must come out the same: '2026-02-30' comes back as '2026-03-02', '2026-2-3' or 'soon' as
-- null. (`is`, not `=`, because a check that comes out null would let the value through.)

create table check_ins_new (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    author_id integer not null references users (id) on delete cascade,
    -- The author's own local date, YYYY-MM-DD.
    day text not null check (day is date(julianday(day))),
    high text not null,
    low text not null,
    closeness integer not null check (closeness between 1 and 7),
    need text not null,
    created_at integer not null,
    updated_at integer not null,
    unique (couple_id, author_id, day)
);
insert into sqlite_sequence (name, seq) select 'check_ins_new', seq from sqlite_sequence where name = 'check_ins';
insert into check_ins_new (id, couple_id, author_id, day, high, low, closeness, need, created_at, updated_at)
select id, couple_id, author_id, day, high, low, closeness, need, created_at, updated_at from check_ins;
drop table check_ins;
alter table check_ins_new rename to check_ins;
create index check_ins_couple_day on check_ins (couple_id, day);

-- appreciations: a reaction is one the app offers, or none.

create table appreciations_new (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    author_id integer not null references users (id) on delete cascade,
    recipient_id integer not null references users (id) on delete cascade,
    kind text not null check (kind in ('gratitude', 'respect', 'admiration')),
    body text not null,
    starter_id text,
    created_at integer not null,
    reaction text check (reaction is null or reaction in ('love', 'hug', 'smile', 'moved')),
    reply text not null,
    reacted_at integer,
    body_folded text,
    reply_folded text
);
insert into sqlite_sequence (name, seq)
select 'appreciations_new', seq from sqlite_sequence where name = 'appreciations';
insert into appreciations_new (id, couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction,
                               reply, reacted_at, body_folded, reply_folded)
select id, couple_id, author_id, recipient_id, kind, body, starter_id, created_at, reaction, reply, reacted_at,
       body_folded, reply_folded
from appreciations;
drop table appreciations;
alter table appreciations_new rename to appreciations;
create index appreciations_couple_created on appreciations (couple_id, created_at);

-- conversations: shared_phone is yes or no.

create table conversations_new (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    started_by integer not null references users (id),
    first_speaker integer not null references users (id),
    second_speaker integer not null references users (id),
    minutes integer not null check (minutes between 1 and 60),
    turn_ms integer not null check (turn_ms > 0),
    shared_phone integer not null default 0 check (shared_phone in (0, 1)),
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
insert into sqlite_sequence (name, seq)
select 'conversations_new', seq from sqlite_sequence where name = 'conversations';
insert into conversations_new (id, couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms,
                               shared_phone, created_at, joined_at, first_heard_at, second_heard_at,
                               first_understood, first_cared, second_understood, second_cared, cancelled_at,
                               open_slot)
select id, couple_id, started_by, first_speaker, second_speaker, minutes, turn_ms, shared_phone, created_at,
       joined_at, first_heard_at, second_heard_at, first_understood, first_cared, second_understood, second_cared,
       cancelled_at, open_slot
from conversations;
drop table conversations;
alter table conversations_new rename to conversations;
create unique index conversations_one_open on conversations (couple_id, open_slot);
create index conversations_couple_created on conversations (couple_id, created_at);

-- ladders: each partner's "ready" is yes or no.

create table ladders_new (
    couple_id integer primary key references couples (id),
    depth integer not null default 1 check (depth between 1 and 3),
    completed integer not null default 0,
    ready_first integer not null default 0 check (ready_first in (0, 1)),
    ready_second integer not null default 0 check (ready_second in (0, 1)),
    version integer not null default 0
);
insert into ladders_new (couple_id, depth, completed, ready_first, ready_second, version)
select couple_id, depth, completed, ready_first, ready_second, version from ladders;
drop table ladders;
alter table ladders_new rename to ladders;

-- answers: passed and favorite are yes or no.

create table answers_new (
    exchange_id integer not null references exchanges (id),
    author_id integer not null references users (id),
    body text not null,
    passed integer not null default 0 check (passed in (0, 1)),
    answered_at integer not null,
    reply_id text,
    reply_words text,
    responded_at integer,
    felt_understood integer check (felt_understood between 1 and 7),
    felt_accepted integer check (felt_accepted between 1 and 7),
    felt_cared integer check (felt_cared between 1 and 7),
    favorite integer not null default 0 check (favorite in (0, 1)),
    primary key (exchange_id, author_id)
);
insert into answers_new (exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, responded_at,
                         felt_understood, felt_accepted, felt_cared, favorite)
select exchange_id, author_id, body, passed, answered_at, reply_id, reply_words, responded_at, felt_understood,
       felt_accepted, felt_cared, favorite
from answers;
drop table answers;
alter table answers_new rename to answers;

-- question_draws: the day is a real date, as for check-ins.

create table question_draws_new (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    day text not null check (day is date(julianday(day))),
    question_id text not null,
    drawn_at integer not null
);
insert into sqlite_sequence (name, seq)
select 'question_draws_new', seq from sqlite_sequence where name = 'question_draws';
insert into question_draws_new (id, couple_id, day, question_id, drawn_at)
select id, couple_id, day, question_id, drawn_at from question_draws;
drop table question_draws;
alter table question_draws_new rename to question_draws;
create unique index question_draws_once on question_draws (couple_id, day, question_id);

-- Every reference that held before still holds.
update migration_0007_guard set broken_after = (select count(*) from pragma_foreign_key_check);
drop table migration_0007_guard;
