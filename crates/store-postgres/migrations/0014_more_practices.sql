-- Two more practices on the couple's rhythm: the weekly State of Us ('state-of-us') and the
-- monthly look at the intimacy map ('intimacy-map'). Every table with a practice column checks
-- it against the list of practices, so each of the five takes the longer list. The checks
-- are the ones 0008 and 0009 made inline, under the names PostgreSQL gave them; adding a
-- check again verifies every row already there.

alter table rhythm_slots drop constraint if exists rhythm_slots_practice_check;
alter table rhythm_slots add constraint rhythm_slots_practice_check
    check (practice in ('hug', 'check-in', 'appreciation', 'conversation', 'tech-free-evening', 'listening',
                        'show-and-tell', 'state-of-us', 'intimacy-map'));

alter table practice_marks drop constraint if exists practice_marks_practice_check;
alter table practice_marks add constraint practice_marks_practice_check
    check (practice in ('hug', 'check-in', 'appreciation', 'conversation', 'tech-free-evening', 'listening',
                        'show-and-tell', 'state-of-us', 'intimacy-map'));

alter table reminder_choices drop constraint if exists reminder_choices_practice_check;
alter table reminder_choices add constraint reminder_choices_practice_check
    check (practice in ('hug', 'check-in', 'appreciation', 'conversation', 'tech-free-evening', 'listening',
                        'show-and-tell', 'state-of-us', 'intimacy-map'));

alter table reminders drop constraint if exists reminders_practice_check;
alter table reminders add constraint reminders_practice_check
    check (practice in ('hug', 'check-in', 'appreciation', 'conversation', 'tech-free-evening', 'listening',
                        'show-and-tell', 'state-of-us', 'intimacy-map'));

alter table nudges drop constraint if exists nudges_practice_check;
alter table nudges add constraint nudges_practice_check
    check (practice in ('hug', 'check-in', 'appreciation', 'conversation', 'tech-free-evening', 'listening',
                        'show-and-tell', 'state-of-us', 'intimacy-map'));
