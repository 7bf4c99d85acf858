-- Question decks: a couple's place on the vulnerability ladder, their exchanges (one per
-- question), each partner's answer or pass, their response to the other's answer, and how the
-- one who shared felt (private to them).

-- `version` makes every change a compare-and-set: the domain decides, the store refuses a
-- change made from a stale reading, so racing consents or step-backs cannot be lost or doubled.
create table ladders (
    couple_id bigint primary key references couples (id),
    depth bigint not null default 1 check (depth between 1 and 3),
    completed bigint not null default 0,
    ready_first bigint not null default 0,
    ready_second bigint not null default 0,
    version bigint not null default 0
);

create table exchanges (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    question_id text not null,
    deck text not null,
    depth bigint not null,
    created_at bigint not null,
    completed_at bigint,
    unique (couple_id, question_id)
);

create table answers (
    exchange_id bigint not null references exchanges (id),
    author_id bigint not null references users (id),
    body text not null,
    passed bigint not null default 0,
    answered_at bigint not null,
    reply_id text,
    reply_words text,
    responded_at bigint,
    felt_understood bigint check (felt_understood between 1 and 7),
    felt_accepted bigint check (felt_accepted between 1 and 7),
    felt_cared bigint check (felt_cared between 1 and 7),
    favorite bigint not null default 0,
    primary key (exchange_id, author_id)
);

-- The question for today: every draw is kept, so a question isn't drawn again until the
-- couple's pool at their depth is used up.
create table question_draws (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    day text not null,
    question_id text not null,
    drawn_at bigint not null
);
create unique index question_draws_once on question_draws (couple_id, day, question_id);
