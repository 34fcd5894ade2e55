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
-- for the account when the row is resumed. Idempotent: CREATE TABLE IF NOT
-- EXISTS with its indexes inline.
CREATE TABLE IF NOT EXISTS webhook_outbox (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    message_id  BIGINT UNSIGNED NOT NULL,
    url         VARCHAR(2048) NOT NULL,
    body        BLOB NOT NULL,
    attempts    INT NOT NULL,
    next_at     DATETIME(6) NOT NULL,
    avail_at    DATETIME(6) NOT NULL,
    owner       VARCHAR(64) NOT NULL DEFAULT '',
    claim       VARCHAR(64) NOT NULL DEFAULT '',
    created_at  DATETIME(6) NOT NULL,
    KEY webhook_outbox_avail (avail_at, account_id),
    KEY webhook_outbox_owner (owner, claim)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
