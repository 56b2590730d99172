-- One row per event, as it is in MySQL; the empty legacy column (always NULL) is dropped,
-- as Glue's DropNullFields did in the post.
SELECT
  event_id,
  event_type,
  user_id,
  occurred_at,
  amount,
  country,
  notes
FROM events
