-- Sound foundations: a row the health check writes, the guard that makes a hug count once,
-- and the index that pruning expired sessions needs.

create table health (
    id integer primary key check (id = 1),
    checked_at integer not null
);

-- When the couple last logged a hug: taps on both phones compare-and-set this, so two taps
-- at the same moment log one hug.
alter table couples add column last_hug_at integer;

create index sessions_expires_at on sessions (expires_at);

-- What appreciation search matches: body and reply, lower-cased by Tend (SQLite's lower()
-- knows only ASCII, so "ÉCLAIR" was not found by "éclair"). Rows from before are filled in
-- by the store right after migrating.
alter table appreciations add column body_folded text;
alter table appreciations add column reply_folded text;
