-- 0007: indexes for usage reports and monthly statements (SQLite).
-- billing_ledger_message finds the charges and refunds of an account's
-- messages in an id range (message ids are time-ordered), for usage
-- reports; billing_ledger_created finds an account's ledger rows in a
-- month, for statements. The migration runs in one transaction.
CREATE INDEX IF NOT EXISTS billing_ledger_message ON billing_ledger (account_id, message_id);

CREATE INDEX IF NOT EXISTS billing_ledger_created ON billing_ledger (account_id, created_at);
