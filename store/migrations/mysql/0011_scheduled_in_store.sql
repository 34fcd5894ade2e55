-- 0011: scheduled messages wait in the store, not in memory (issue 10,
-- point 7). due_at is the send time of a message that is still waiting
-- for it, NULL once it is on its way, cancelled, or never was scheduled.
-- sched_node is the gateway node that has loaded the waiting message into
-- memory (-1: none); a node takes a message by clearing due_at only while
-- the row is unclaimed or its own, so two instances never both send one.
-- MySQL has no partial index: ordinary messages sit in messages_due under
-- (-1, NULL), appended in id order. Messages scheduled before this
-- migration that no event has touched wait again from their send time.
-- Idempotent, as 0004: the ALTER runs only while due_at is missing, and
-- the backfill only sets rows that are still waiting.
SET @gallant_0011 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'messages' AND column_name = 'due_at') = 0, 'ALTER TABLE messages ADD COLUMN due_at DATETIME(6) NULL, ADD COLUMN sched_node SMALLINT NOT NULL DEFAULT -1, ADD KEY messages_due (sched_node, due_at, account_id)', 'DO 0');
PREPARE gallant_0011 FROM @gallant_0011;
EXECUTE gallant_0011;
DEALLOCATE PREPARE gallant_0011;
UPDATE messages SET due_at = send_at WHERE status = 2 AND send_at IS NOT NULL AND due_at IS NULL AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = messages.id);
