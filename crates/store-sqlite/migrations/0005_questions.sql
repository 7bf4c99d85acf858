-- Question decks: a couple's place on the vulnerability ladder, their exchanges (one per
-- question), each partner's answer or pass, their response to the other's answer, and how the
-- one who shared felt (private to them).

-- `version` makes every change a compare-and-set: the domain decides, the store refuses a
-- change made from a stale reading, so racing consents or step-backs cannot be lost or doubled.
create table ladders (
    couple_id integer primary key references couples (id),
    depth integer not null default 1 check (depth between 1 and 3),
    completed integer not null default 0,
    ready_first integer not null default 0,
    ready_second integer not null default 0,
    version integer not null default 0
);

create table exchanges (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    question_id text not null,
    deck text not null,
    depth integer not null,
    created_at integer not null,
    completed_at integer,
    unique (couple_id, question_id)
);

create table answers (
    exchange_id integer not null references exchanges (id),
    author_id integer not null references users (id),
    body text not null,
    passed integer not null default 0,
    answered_at integer not null,
    reply_id text,
    reply_words text,
    responded_at integer,
    felt_understood integer check (felt_understood between 1 and 7),
    felt_accepted integer check (felt_accepted between 1 and 7),
    felt_cared integer check (felt_cared between 1 and 7),
    favorite integer not null default 0,
    primary key (exchange_id, author_id)
);

-- The question for today: every draw is kept, so a question isn't drawn again until the
-- couple's pool at their depth is used up.
create table question_draws (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    day text not null,
    question_id text not null,
    drawn_at integer not null
);
create unique index question_draws_once on question_draws (couple_id, day, question_id);
