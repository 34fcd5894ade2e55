-- 0012: the webhook outbox (issue 10, point 8). Status callbacks that the
-- dispatcher cannot hold in memory (its queue, or the account's share of
-- it, is full), that wait on a receiver whose circuit breaker is open when
-- memory is needed, or that are pending at shutdown are kept here and
-- resumed later, by this instance or another. A row is claimable when
-- avail_at has passed: a claim sets owner, claim and avail_at to the end
-- of the claimer's lease (renewed while it holds the row), so two
-- instances never hold one row at once; the holder deletes the row once
-- the callback is delivered or given up, or hands it back (owner '') with
-- avail_at = next_at. No signing secret is stored: it is looked up again
-- for the account when the row is resumed.
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    url         TEXT NOT NULL,
    body        BLOB NOT NULL,
    attempts    INTEGER NOT NULL,
    next_at     INTEGER NOT NULL,
    avail_at    INTEGER NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    claim       TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS webhook_outbox_avail ON webhook_outbox (avail_at, account_id);
CREATE INDEX IF NOT EXISTS webhook_outbox_owner ON webhook_outbox (owner, claim);
