-- 0026: topup_requests holds the top-ups an account asked of its reseller
-- (parent_id; 0: the platform's admins). amount is in micro-units of
-- currency, the account's when it asked. status is pending, topped_up
-- (the parent topped the account up) or declined. The indexes list a
-- parent's, an account's and (for admins) every request by status.
CREATE TABLE IF NOT EXISTS topup_requests (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL,
    parent_id    INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    note         TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_by INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_by  INTEGER NOT NULL DEFAULT 0,
    resolved_at  INTEGER
) STRICT;

CREATE INDEX IF NOT EXISTS topup_requests_parent ON topup_requests (parent_id, status, id);

CREATE INDEX IF NOT EXISTS topup_requests_account ON topup_requests (account_id, status, id);

CREATE INDEX IF NOT EXISTS topup_requests_status ON topup_requests (status, id);
