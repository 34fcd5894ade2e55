-- 0014: the opt-out ledger (issue 12). Every opt-out and every opt-in
-- again is a row of its own, never changed: the current state of a number
-- is its newest row. scope: 1 platform-wide, 2 one account, 3 one sender
-- number of an account (sender set); account_id is 0 for scope 1. source
-- says who recorded it (keyword, api, import, carrier, dnd-registry,
-- operator); keyword and mo_id name the MO that did, when one did (mo_id
-- 0: none). Instances tail the ledger by id into their in-memory index.
-- Idempotent: CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS opt_outs (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    scope      TINYINT UNSIGNED NOT NULL,
    account_id BIGINT NOT NULL,
    sender     VARCHAR(32) NOT NULL,
    number     VARCHAR(32) NOT NULL,
    opted_out  TINYINT(1) NOT NULL,
    source     VARCHAR(16) NOT NULL,
    keyword    VARCHAR(32) NOT NULL,
    mo_id      BIGINT UNSIGNED NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY opt_outs_number (account_id, number, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
