-- 0013: distribution lists, for submit_multi's dl_name destinations
-- (SMPP 3.4 §4.5.1). One row per list of an account: its name (the
-- dl_name a customer gives, case-sensitive) and its members, E.164 digits
-- joined by commas, with their count for listings. Idempotent: CREATE
-- TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS distribution_lists (
    account_id   BIGINT NOT NULL,
    name         VARCHAR(64) NOT NULL,
    numbers      MEDIUMTEXT NOT NULL,
    number_count INT NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
