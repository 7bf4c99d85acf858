-- The first-week guide on Today, put away by each person when they wish.
alter table users add column guide_hidden_at timestamptz;
