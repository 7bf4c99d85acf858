-- The admin page: who may use it (the account that founded the instance, and any the host
-- names with `tend user admin EMAIL`), and accounts an admin switched off (they cannot sign
-- in until switched back on). The founder is the first account ever made, if it still exists;
-- if not, the host names an admin. Never an account that merely came next.
alter table users add column admin boolean not null default false;
alter table users add column disabled_at timestamptz;
update users set admin = true where id = (select min(id) from users) and deleted_at is null;
