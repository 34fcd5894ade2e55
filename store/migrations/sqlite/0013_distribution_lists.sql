-- 0013: distribution lists, for submit_multi's dl_name destinations
-- (SMPP 3.4 §4.5.1). One row per list of an account: its name (the
-- dl_name a customer gives, case-sensitive) and its members, E.164 digits
-- joined by commas, with their count for listings.
CREATE TABLE IF NOT EXISTS distribution_lists (
    account_id   INTEGER NOT NULL,
    name         TEXT NOT NULL,
    numbers      TEXT NOT NULL,
    number_count INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;
