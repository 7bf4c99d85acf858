-- Reminders: each person's choices, their devices, their calendar feed, the outbox every node
-- claims reminders from, nudges, periodic jobs and the instance's shared secrets. Times are
-- Unix milliseconds and days `YYYY-MM-DD`, as everywhere in this database.

-- A person's quiet hours, as minutes after midnight in their own zone (from = until: none).
-- No row: the default, 22:00 to 08:00.
create table reminder_settings (
    user_id integer primary key references users (id),
    quiet_from integer not null check (quiet_from between 0 and 1439),
    quiet_until integer not null check (quiet_until between 0 and 1439),
    updated_at integer not null
);

-- Which practices a person wants to be reminded of, and how: one row per practice and channel.
create table reminder_choices (
    user_id integer not null references users (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell')),
    channel text not null check (channel in ('push', 'email')),
    primary key (user_id, practice, channel)
);

-- A browser that receives Web Push. An endpoint belongs to one person at a time.
create table push_subscriptions (
    id integer primary key autoincrement,
    user_id integer not null references users (id),
    endpoint text not null unique check (endpoint <> ''),
    p256dh text not null,
    auth text not null,
    label text not null,
    created_at integer not null
);
create index push_subscriptions_user on push_subscriptions (user_id);

-- A person's secret calendar address, kept as a SHA-256 of its token like every other secret.
create table calendar_feeds (
    user_id integer primary key references users (id),
    token_hash text not null unique,
    created_at integer not null
);

-- The outbox. A reminder is one row per (person, practice, occurrence, channel): every node
-- plans every minute, and the unique key keeps each reminder to one row. A node claims a
-- queued row by setting lease_until; the row is `sent` or `dropped` once settled.
create table reminders (
    id integer primary key autoincrement,
    user_id integer not null references users (id),
    couple_id integer not null references couples (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell')),
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
create index reminders_queue on reminders (state, next_attempt_at);
create index reminders_user_settled on reminders (user_id, settled_at);

-- The reminders counted against a person's daily limit, by their local day.
create table reminder_slots (
    reminder_id integer primary key references reminders (id),
    user_id integer not null references users (id),
    day text not null check (day is date(julianday(day)))
);
create index reminder_slots_user_day on reminder_slots (user_id, day);

-- "Sam would love a check-in tonight": one nudge per person per local day.
create table nudges (
    couple_id integer not null references couples (id),
    from_user integer not null references users (id),
    practice text not null check (practice in ('hug', 'check-in', 'appreciation', 'conversation',
                                               'tech-free-evening', 'listening', 'show-and-tell')),
    day text not null check (day is date(julianday(day))),
    created_at integer not null,
    primary key (from_user, day)
);
create index nudges_couple_created on nudges (couple_id, created_at);

-- Periodic work (housekeeping) that one node at a time should do: a node runs it when it moves
-- run_after forward from a time already past.
create table jobs (
    name text primary key,
    run_after integer not null
);

-- Secrets every node must share (the VAPID key pair, the unsubscribe key): the first node to
-- start writes them, the others read them.
create table instance_secrets (
    name text primary key,
    value text not null,
    created_at integer not null
);
