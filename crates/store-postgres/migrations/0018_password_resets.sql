-- "Forgot password": a link sent by email, single use, for a short while. Only the token's
-- hash is kept; a person's unused links go when a new one is made, and all of them with the
-- account.
create table password_resets (
    id bigint generated always as identity primary key,
    user_id bigint not null references users (id) on delete cascade,
    token_hash text not null unique,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index password_resets_user_id on password_resets (user_id);
