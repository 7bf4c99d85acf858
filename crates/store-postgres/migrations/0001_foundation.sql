-- Accounts, sessions, API tokens, log-in throttling and pairing.
-- Times are Unix milliseconds (UTC); local dates are derived from each partner's zone.

create table instance (
    id integer primary key check (id = 1),
    founded_at bigint not null
);

create table couples (
    id bigint generated always as identity primary key,
    created_at bigint not null,
    ended_at bigint
);

create table users (
    id bigint generated always as identity primary key,
    email text not null unique,
    display_name text not null,
    password_hash text not null,
    time_zone text not null,
    couple_id bigint references couples (id),
    created_at bigint not null,
    updated_at bigint not null
);
create index users_couple_id on users (couple_id);

create table sessions (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    token_hash text not null unique,
    csrf_token text not null,
    user_agent text not null,
    ip text not null,
    created_at bigint not null,
    last_seen_at bigint not null,
    expires_at bigint not null
);
create index sessions_user_id on sessions (user_id);

create table api_tokens (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    hint text not null,
    created_at bigint not null,
    last_used_at bigint
);
create index api_tokens_user_id on api_tokens (user_id);

create table login_failures (
    id bigint generated always as identity primary key,
    key text not null,
    at bigint not null
);
create index login_failures_key_at on login_failures (key, at);

create table invites (
    id bigint generated always as identity primary key,
    inviter_id bigint not null references users (id) on delete cascade,
    token_hash text not null unique,
    code_hash text not null unique,
    created_at bigint not null,
    expires_at bigint not null,
    used_at bigint,
    used_by bigint references users (id) on delete set null
);
create index invites_inviter_id on invites (inviter_id);
