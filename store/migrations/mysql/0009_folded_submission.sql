-- 0009: a final status event may also record its segment's submission.
-- When a carrier's receipt arrives while the segment's "submitted" event
-- is still queued for the writer, the gateway folds the two into one row
-- (issue 5: fewer rows per message under load): submitted_at is then when
-- the carrier took the segment, and readers show it as its own
-- "submitted" event. NULL on every other row. Idempotent, as 0004.
SET @gallant_0009 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'message_events' AND column_name = 'submitted_at') = 0, 'ALTER TABLE message_events ADD COLUMN submitted_at DATETIME(6) NULL', 'DO 0');
PREPARE gallant_0009 FROM @gallant_0009;
EXECUTE gallant_0009;
DEALLOCATE PREPARE gallant_0009;
