-- Our rhythm: when each practice happens, as agreed by both partners, and the tech-free
-- evenings. Times are timestamptz, yes/no is boolean, as everywhere in this database.

-- A couple's time for a practice. Each practice has at most one agreed row (agreed true, with
-- the time it was accepted) and at most one proposal waiting for the other partner (agreed
-- false, no agreed_at): the primary key holds both to one. Accepting turns the proposal into
-- the agreed row, in one transaction with removing the old one.
-- weekday: 1 = Monday … 7 = Sunday, NULL for a daily practice; nth: the first to the fourth
-- such weekday of the month (monthly practices only); at_minute: minutes after midnight in
-- `zone`; minutes: how long it lasts.
create table rhythm_slots (
    couple_id bigint not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell')),
    agreed boolean not null,
    weekday smallint check (weekday between 1 and 7),
    nth smallint check (nth between 1 and 4),
    at_minute smallint not null check (at_minute between 0 and 1439),
    minutes smallint not null check (minutes between 10 and 600),
    zone text not null check (zone <> ''),
    proposed_by bigint not null references users (id),
    proposed_at timestamptz not null,
    agreed_at timestamptz,
    primary key (couple_id, practice, agreed),
    check (nth is null or weekday is not null),
    check (agreed = (agreed_at is not null))
);

-- A practice one of the couple marked as done (those Tend does not run itself).
create table practice_marks (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell')),
    by bigint not null references users (id),
    at timestamptz not null
);
create index practice_marks_couple_at on practice_marks (couple_id, at);

-- The tech-free evening. `open_slot` is true while the evening holds the couple's one open
-- place and NULL after, so the unique index allows one open evening per couple (NULLs never
-- collide): two phones tapping "Phones away" at once make one evening. An evening ended early
-- ("We're back") gives up the place at once; one that ran to its end time keeps it until the
-- next start clears it, with ended_at left NULL (it ended by time).
create table evenings (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    started_by bigint not null references users (id),
    started_at timestamptz not null,
    ends_at timestamptz not null,
    joined_at timestamptz,
    ended_at timestamptz,
    ended_by bigint references users (id),
    note text,
    noted_by bigint references users (id),
    noted_at timestamptz,
    open_slot boolean check (open_slot),
    check (ends_at > started_at),
    check ((ended_at is null) = (ended_by is null)),
    check ((note is null) = (noted_by is null) and (note is null) = (noted_at is null))
);
create unique index evenings_one_open on evenings (couple_id, open_slot);
create index evenings_couple_started on evenings (couple_id, started_at);
