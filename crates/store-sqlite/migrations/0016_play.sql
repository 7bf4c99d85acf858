-- Play and new things together: the couple's own ideas, each person's private marks on ideas,
-- plans both agree to, and each partner's "how was it?" afterwards.
--
-- An idea is named by a key: a deck idea's id (the deck lives in content/, not here) or an own
-- idea's `own-<id>`. The store does not check deck ids against the deck.
--
-- An own idea is its author's alone while `shared_at` is NULL: every read the partner can make
-- filters on it. `title` and `detail` are sealed with the author's data key.
create table own_ideas (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    author_id integer not null references users (id),
    title text not null,
    detail text not null default '',
    place text not null check (place in ('home', 'out')),
    cost text not null check (cost in ('free', 'low', 'higher')),
    length text not null check (length in ('short', 'evening', 'day')),
    energy text not null check (energy in ('calm', 'lively')),
    created_at integer not null,
    shared_at integer
);
create index own_ideas_couple on own_ideas (couple_id, created_at);

-- One person's mark on one idea. A mark is read only by its author; an idea is a match when
-- both partners marked it yes or maybe, which the store works out without ever handing out
-- the partner's mark (see `set_mark` and `matches`).
create table idea_marks (
    couple_id integer not null references couples (id),
    author_id integer not null references users (id),
    idea text not null check (idea <> ''),
    mark text not null check (mark in ('yes', 'maybe', 'not-for-me')),
    updated_at integer not null,
    primary key (couple_id, author_id, idea)
);

-- A plan to do a matched idea together at `at`: proposed by one, accepted by the other, or
-- called off by either before its time. It holds no words, so it outlives its proposer's
-- account (whose row stays, as a tombstone).
create table idea_plans (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    idea text not null check (idea <> ''),
    proposed_by integer not null references users (id),
    at integer not null,
    proposed_at integer not null,
    accepted_at integer,
    accepted_by integer references users (id),
    cancelled_at integer,
    cancelled_by integer references users (id),
    check ((accepted_at is null) = (accepted_by is null)),
    check ((cancelled_at is null) = (cancelled_by is null))
);
create index idea_plans_couple_at on idea_plans (couple_id, at);

-- Each partner's "how was it?" for a plan that happened: one per person and plan, replaced
-- when said again. `note` is sealed with the author's data key. `photo_id` names a photo in
-- the photo storage without a foreign key, as photos may be dropped (unpairing drops them).
create table plan_afterwards (
    plan_id integer not null references idea_plans (id),
    couple_id integer not null references couples (id),
    author_id integer not null references users (id),
    feeling text not null check (feeling in ('loved', 'fun', 'cosy', 'okay', 'not-for-us')),
    note text not null default '',
    photo_id text,
    at integer not null,
    primary key (plan_id, author_id)
);
