-- 0009: a final status event may also record its segment's submission.
-- When a carrier's receipt arrives while the segment's "submitted" event
-- is still queued for the writer, the gateway folds the two into one row
-- (issue 5: fewer rows per message under load): submitted_at is then when
-- the carrier took the segment, and readers show it as its own
-- "submitted" event. NULL on every other row.
ALTER TABLE message_events ADD COLUMN submitted_at INTEGER NULL;
