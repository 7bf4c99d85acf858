-- The 20-second hug, logged for both partners.
create table hugs (
    id integer primary key autoincrement,
    couple_id integer not null references couples (id),
    logged_by integer not null references users (id) on delete cascade,
    created_at integer not null
);
create index hugs_couple_created on hugs (couple_id, created_at);
