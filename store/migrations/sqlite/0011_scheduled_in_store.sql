-- 0011: scheduled messages wait in the store, not in memory (issue 10,
-- point 7). due_at is the send time of a message that is still waiting
-- for it, NULL once it is on its way, cancelled, or never was scheduled.
-- sched_node is the gateway node that has loaded the waiting message into
-- memory (-1: none); a node takes a message by clearing due_at only while
-- the row is unclaimed or its own, so two instances never both send one.
-- The partial index holds only waiting messages, so it costs nothing on
-- the insert of an ordinary message. Messages scheduled before this
-- migration that no event has touched wait again from their send time.
ALTER TABLE messages ADD COLUMN due_at INTEGER NULL;
ALTER TABLE messages ADD COLUMN sched_node INTEGER NOT NULL DEFAULT -1;
UPDATE messages SET due_at = send_at WHERE status = 2 AND send_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = messages.id);
CREATE INDEX IF NOT EXISTS messages_due ON messages (sched_node, due_at, account_id) WHERE due_at IS NOT NULL;
