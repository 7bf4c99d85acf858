-- Each person's data key, wrapped by the instance's master key (see tend-store's vault).
-- Everything a person writes is sealed with their key; deleting the row shreds it, in this
-- database and in every copy of it.
create table data_keys (
    user_id integer primary key references users (id) on delete cascade,
    -- Which master key wrapped it: a short fingerprint, never the key.
    master_id text not null check (master_id <> ''),
    wrapped text not null check (wrapped <> ''),
    created_at integer not null
);

-- Search now reads the sealed words themselves, within one couple: the folded plain copies go.
alter table appreciations drop column body_folded;
alter table appreciations drop column reply_folded;
