-- 0011: scheduled messages wait in the store, not in memory (issue 10,
-- point 7). A message scheduled for later has a row here, written in the
-- same transaction as its messages row, until it is on its way (taken),
-- cancelled, or sent; due_at is its send time. sched_node is the gateway
-- node that has loaded it into memory (-1: none); a node takes a message
-- by deleting its row only while the row is unclaimed or its own, so two
-- instances never both send one. Ordinary messages never touch this
-- table. Messages scheduled before this migration that no event has
-- touched wait again from their send time.
CREATE TABLE IF NOT EXISTS scheduled_messages (
    message_id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    sched_node INTEGER NOT NULL DEFAULT -1
) STRICT;
CREATE INDEX IF NOT EXISTS scheduled_messages_due ON scheduled_messages (sched_node, due_at);
CREATE INDEX IF NOT EXISTS scheduled_messages_account ON scheduled_messages (account_id);
INSERT OR IGNORE INTO scheduled_messages (message_id, account_id, due_at) SELECT id, account_id, send_at FROM messages m WHERE status = 2 AND send_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id);
