-- "Forgot password": a link sent by email, single use, for a short while. Only the token's
-- hash is kept; a person's unused links go when a new one is made, and all of them with the
-- account.
create table password_resets (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    token_hash text not null unique,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create index password_resets_user_id on password_resets (user_id);
