-- Native types. Until now every column used the types SQLite and PostgreSQL agreed on: times
-- as Unix milliseconds in bigint, yes/no as 0 or 1, days as 'YYYY-MM-DD' text. Each database
-- now has its own store, so PostgreSQL keeps times as timestamptz, yes/no as boolean and days
-- as date, and checks the values itself.
--
-- Every conversion is exact: 0 becomes false and anything else true (as the old store read
-- it), a day's text becomes that day, and a time in milliseconds becomes the very same
-- millisecond. Durations (conversations.turn_ms) stay whole milliseconds. Each table is
-- rewritten once, by one statement for all of its columns; its indexes are rebuilt on the new
-- types.

-- Milliseconds to a time, exactly. `timestamptz 'epoch'` is midnight UTC on 1970-01-01,
-- whatever the session's time zone. The plain `epoch + ms * interval '1 millisecond'` goes
-- through a float8 multiplication that is exact only until about the year 2255; splitting off
-- whole seconds keeps every product small enough to be exact for any time Tend can hold.
-- (Whole seconds, not days: adding days to a timestamptz follows the session zone's clock.)
create function tend_ms_to_timestamptz(ms bigint) returns timestamptz
    language sql immutable strict
    as $$ select timestamptz 'epoch' + (ms / 1000) * interval '1 second' + (ms % 1000) * interval '1 millisecond' $$;

alter table instance
    alter column founded_at type timestamptz using tend_ms_to_timestamptz(founded_at);

alter table couples
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column ended_at type timestamptz using tend_ms_to_timestamptz(ended_at),
    alter column last_hug_at type timestamptz using tend_ms_to_timestamptz(last_hug_at);

alter table users
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column updated_at type timestamptz using tend_ms_to_timestamptz(updated_at),
    alter column today_seen_at type timestamptz using tend_ms_to_timestamptz(today_seen_at),
    alter column hide_counts drop default,
    alter column hide_counts type boolean using hide_counts <> 0,
    alter column hide_counts set default false;

alter table sessions
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column last_seen_at type timestamptz using tend_ms_to_timestamptz(last_seen_at),
    alter column expires_at type timestamptz using tend_ms_to_timestamptz(expires_at);

alter table api_tokens
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column last_used_at type timestamptz using tend_ms_to_timestamptz(last_used_at);

alter table login_failures
    alter column at type timestamptz using tend_ms_to_timestamptz(at);

alter table invites
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column expires_at type timestamptz using tend_ms_to_timestamptz(expires_at),
    alter column used_at type timestamptz using tend_ms_to_timestamptz(used_at);

-- ISO dates read the same whatever the session's DateStyle.
alter table check_ins
    alter column day type date using day::date,
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column updated_at type timestamptz using tend_ms_to_timestamptz(updated_at);

-- The reactions the domain knows (`appreciation::Reaction`); none has ever been stored but these.
alter table appreciations
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column reacted_at type timestamptz using tend_ms_to_timestamptz(reacted_at),
    add constraint appreciations_reaction_check check (reaction in ('love', 'hug', 'smile', 'moved'));

alter table hugs
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at);

-- `open_slot` becomes true while the conversation holds the couple's one open place and stays
-- NULL after. The unique index on (couple_id, open_slot) keeps working as before: NULLs never
-- collide, so a couple has at most one true row. The old check (open_slot = 1) is replaced by
-- its boolean twin, so false cannot sneak in as a second "open" value.
alter table conversations
    alter column shared_phone drop default,
    alter column shared_phone type boolean using shared_phone <> 0,
    alter column shared_phone set default false,
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column joined_at type timestamptz using tend_ms_to_timestamptz(joined_at),
    alter column first_heard_at type timestamptz using tend_ms_to_timestamptz(first_heard_at),
    alter column second_heard_at type timestamptz using tend_ms_to_timestamptz(second_heard_at),
    alter column cancelled_at type timestamptz using tend_ms_to_timestamptz(cancelled_at),
    drop constraint conversations_open_slot_check,
    alter column open_slot type boolean using open_slot = 1,
    add constraint conversations_open_slot_check check (open_slot);

alter table listenings
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column closed_at type timestamptz using tend_ms_to_timestamptz(closed_at),
    drop constraint listenings_open_slot_check,
    alter column open_slot type boolean using open_slot = 1,
    add constraint listenings_open_slot_check check (open_slot);

alter table listening_rounds
    alter column shared_at type timestamptz using tend_ms_to_timestamptz(shared_at),
    alter column reflected_at type timestamptz using tend_ms_to_timestamptz(reflected_at),
    alter column answered_at type timestamptz using tend_ms_to_timestamptz(answered_at);

alter table ladders
    alter column ready_first drop default,
    alter column ready_first type boolean using ready_first <> 0,
    alter column ready_first set default false,
    alter column ready_second drop default,
    alter column ready_second type boolean using ready_second <> 0,
    alter column ready_second set default false;

alter table exchanges
    alter column created_at type timestamptz using tend_ms_to_timestamptz(created_at),
    alter column completed_at type timestamptz using tend_ms_to_timestamptz(completed_at);

alter table answers
    alter column passed drop default,
    alter column passed type boolean using passed <> 0,
    alter column passed set default false,
    alter column favorite drop default,
    alter column favorite type boolean using favorite <> 0,
    alter column favorite set default false,
    alter column answered_at type timestamptz using tend_ms_to_timestamptz(answered_at),
    alter column responded_at type timestamptz using tend_ms_to_timestamptz(responded_at);

alter table question_draws
    alter column day type date using day::date,
    alter column drawn_at type timestamptz using tend_ms_to_timestamptz(drawn_at);

alter table health
    alter column checked_at type timestamptz using tend_ms_to_timestamptz(checked_at);

drop function tend_ms_to_timestamptz(bigint);
