-- Two more practices on the couple's rhythm: the weekly State of Us ('state-of-us') and the
-- monthly look at the intimacy map ('intimacy-map'). Every table with a practice column checks
-- it against the list of practices, so each of the five takes the longer list.
--
-- SQLite cannot change a check, so each table is built again, as 0007 does: made anew under
-- another name, filled with every row, the old one dropped, the new one renamed, its indexes
-- made again. Only the practice list changes; every other column, check, key and index is as
-- 0008 and 0009 made it. Rows keep their ids (reminder_slots points at reminders by id), and
-- each autoincrement counter is carried over, so an id once given out is never given again.
--
-- Foreign keys must be off while this runs (see 0007 and `SqliteStore::migrate`): this file
-- refuses to run with them on, and refuses to commit if any reference broke along the way.

create temp table migration_0014_guard (
    foreign_keys_on integer not null constraint foreign_keys_must_be_off_to_rebuild_tables
        check (foreign_keys_on = 0),
    broken_before integer not null,
    broken_after integer,
    constraint rebuilding_tables_must_not_break_references
        check (broken_after is null or broken_after <= broken_before)
);
insert into migration_0014_guard (foreign_keys_on, broken_before)
select (select foreign_keys from pragma_foreign_keys), (select count(*) from pragma_foreign_key_check);

-- rhythm_slots

create table rhythm_slots_new (
    couple_id integer not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell',
                                               'state-of-us', 'intimacy-map')),
    agreed integer not null check (agreed in (0, 1)),
    weekday integer check (weekday between 1 and 7),
    nth integer check (nth between 1 and 4),
    at_minute integer not null check (at_minute between 0 and 1439),
    minutes integer not null check (minutes between 10 and 600),
    zone text not null check (zone <> ''),
    proposed_by integer not null references users (id),
    proposed_at integer not null,
    agreed_at integer,
    primary key (couple_id, practice, agreed),
    check (nth is null or weekday is not null),
    check ((agreed = 1) = (agreed_at is not null))
);
insert into rhythm_slots_new (couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, proposed_by,
                              proposed_at, agreed_at)
select couple_id, practice, agreed, weekday, nth, at_minute, minutes, zone, proposed_by, proposed_at, agreed_at
from rhythm_slots;
drop table rhythm_slots;
alter table rhythm_slots_new rename to rhythm_slots;

-- practice_marks

create table practice_marks_new (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell',
                                               'state-of-us', 'intimacy-map')),
    by integer not null references users (id),
    at integer not null
);
insert into sqlite_sequence (name, seq)
select 'practice_marks_new', seq from sqlite_sequence where name = 'practice_marks';
insert into practice_marks_new (id, couple_id, practice, by, at)
select id, couple_id, practice, by, at from practice_marks;
drop table practice_marks;
alter table practice_marks_new rename to practice_marks;
create index practice_marks_couple_at on practice_marks (couple_id, at);

-- reminder_choices

create table reminder_choices_new (
    user_id integer not null references users (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell',
                                               'state-of-us', 'intimacy-map')),
    channel text not null check (channel in ('push', 'email')),
    primary key (user_id, practice, channel)
);
insert into reminder_choices_new (user_id, practice, channel)
select user_id, practice, channel from reminder_choices;
drop table reminder_choices;
alter table reminder_choices_new rename to reminder_choices;

-- reminders (reminder_slots refers to it by id: the ids stay as they are)

create table reminders_new (
    id integer primary key autoincrement,
    user_id integer not null references users (id),
    couple_id integer not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell',
                                               'state-of-us', 'intimacy-map')),
    occurrence text not null,
    channel text not null check (channel in ('push', 'email')),
    nudged_by integer references users (id),
    due_at integer not null,
    expires_at integer not null,
    state text not null check (state in ('queued', 'sent', 'dropped')),
    attempts integer not null check (attempts >= 0),
    next_attempt_at integer not null,
    lease_until integer,
    last_error text,
    settled_at integer,
    unique (user_id, practice, occurrence, channel),
    check ((state = 'queued') = (settled_at is null))
);
insert into sqlite_sequence (name, seq) select 'reminders_new', seq from sqlite_sequence where name = 'reminders';
insert into reminders_new (id, user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at,
                           state, attempts, next_attempt_at, lease_until, last_error, settled_at)
select id, user_id, couple_id, practice, occurrence, channel, nudged_by, due_at, expires_at, state, attempts,
       next_attempt_at, lease_until, last_error, settled_at
from reminders;
drop table reminders;
alter table reminders_new rename to reminders;
create index reminders_queue on reminders (state, next_attempt_at);
create index reminders_user_settled on reminders (user_id, settled_at);

-- nudges

create table nudges_new (
    couple_id integer not null references couples (id),
    from_user integer not null references users (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell',
                                               'state-of-us', 'intimacy-map')),
    day text not null check (day is date(julianday(day))),
    created_at integer not null,
    primary key (from_user, day)
);
insert into nudges_new (couple_id, from_user, practice, day, created_at)
select couple_id, from_user, practice, day, created_at from nudges;
drop table nudges;
alter table nudges_new rename to nudges;
create index nudges_couple_created on nudges (couple_id, created_at);

-- Every reference that held before still holds.
update migration_0014_guard set broken_after = (select count(*) from pragma_foreign_key_check);
drop table migration_0014_guard;
