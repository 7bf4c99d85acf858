-- Deleted accounts. Many tables point at users without a cascade (conversations, listenings,
-- rhythm slots, evenings …), and appreciations.recipient_id cascades, which would take the
-- partner's own words with it; so a deleted person's row stays as a tombstone: no email, no
-- name, no password, nothing they wrote (see `Accounts::delete_user`). `deleted_at` marks it,
-- and a tombstone is never found by email, session or token.
alter table users add column deleted_at timestamptz;
