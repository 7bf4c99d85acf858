-- The admin page: an account named admin by the host (`tend user admin EMAIL`), and an
-- account switched off by an admin (it cannot sign in until switched back on). The first
-- account is an admin without the flag, so an instance always has one.
alter table users add column admin boolean not null default false;
alter table users add column disabled_at timestamptz;
