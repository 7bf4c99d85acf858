-- The admin page: who may use it (the account that founded the instance, and any the host
-- names with `tend user admin EMAIL`), and accounts an admin switched off (they cannot sign
-- in until switched back on). The founder is the first account ever made, if it still exists;
-- if not, the host names an admin. Never an account that merely came next.
alter table users add column admin integer not null default 0 check (admin in (0, 1));
alter table users add column disabled_at integer;
update users set admin = 1 where id = (select min(id) from users) and deleted_at is null;
