-- The 20-second hug, logged for both partners.
create table hugs (
    id bigint generated always as identity primary key,
    couple_id bigint not null references couples (id),
    logged_by bigint not null references users (id) on delete cascade,
    created_at bigint not null
);
create index hugs_couple_created on hugs (couple_id, created_at);
