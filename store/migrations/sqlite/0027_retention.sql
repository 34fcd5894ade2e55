-- 0027: retention (issue 15). message_rollups keeps the totals of the
-- messages the retention purge deleted, so usage reports and statements
-- of purged days are unchanged: one row per account, UTC day (days since
-- sms.Epoch, as the message id's time gives it), destination prefix (the
-- first three characters, as reports bucket them), current status,
-- segment count and price, with the number of messages, the number of
-- their charge rows, and what the ledger charged and refunded for them
-- (positive micros). A row is added to in the same transaction that
-- deletes its messages, so a total is never counted twice nor lost.
-- retention_state holds the purger's lease (one instance purges at a
-- time) and messages_below, the highest message id below which final
-- messages may have been purged: statements tell a purged message's
-- charge (counted in the rollups) from one that never had a message.
-- webhook_attempts_at lets old attempts be purged by time.
CREATE TABLE IF NOT EXISTS message_rollups (
    account_id   INTEGER NOT NULL,
    day          INTEGER NOT NULL,
    dest         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    segments     INTEGER NOT NULL,
    price_micros INTEGER NOT NULL,
    messages     INTEGER NOT NULL,
    charges      INTEGER NOT NULL,
    charged      INTEGER NOT NULL,
    refunded     INTEGER NOT NULL,
    PRIMARY KEY (account_id, day, dest, status, segments, price_micros)
) STRICT;

CREATE TABLE IF NOT EXISTS retention_state (
    name           TEXT PRIMARY KEY,
    holder         TEXT NOT NULL,
    lease_until    INTEGER NOT NULL,
    messages_below INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS webhook_attempts_at ON webhook_attempts (at);
