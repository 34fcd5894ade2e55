-- 0006: billing policy and low-balance alerts (SQLite).
-- refund_undelivered makes a plan refund the charge of a message whose
-- final status is not delivered (undelivered, expired, rejected, failed).
-- The migration runs in one transaction (see Migrate).
ALTER TABLE billing_plans ADD COLUMN refund_undelivered INTEGER NOT NULL DEFAULT 0;

-- A message is refunded at most once: whatever instance, restart or
-- duplicate receipt asks again, a second refund row of a message fails
-- with a unique violation. Only refund rows are indexed.
CREATE UNIQUE INDEX IF NOT EXISTS billing_ledger_refund ON billing_ledger (message_id) WHERE kind = 'refund' AND message_id <> 0;

-- The low-balance alert of an account: threshold in micros (0: off), where
-- to tell (email, webhook_url; empty: not there), and fired, set by the one
-- instance whose compare-and-set UPDATE wins when the available balance
-- falls below the threshold, cleared when it is back at or above it.
CREATE TABLE IF NOT EXISTS billing_alerts (
    account_id  INTEGER PRIMARY KEY,
    threshold   INTEGER NOT NULL DEFAULT 0,
    email       TEXT NOT NULL DEFAULT '',
    webhook_url TEXT NOT NULL DEFAULT '',
    fired       INTEGER NOT NULL DEFAULT 0,
    fired_at    INTEGER,
    updated_at  INTEGER NOT NULL
) STRICT;
