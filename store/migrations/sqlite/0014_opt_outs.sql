-- 0014: the opt-out ledger (issue 12). Every opt-out and every opt-in
-- again is a row of its own, never changed: the current state of a number
-- is its newest row. scope: 1 platform-wide, 2 one account, 3 one sender
-- number of an account (sender set); account_id is 0 for scope 1. source
-- says who recorded it (keyword, api, import, carrier, dnd-registry,
-- operator); keyword and mo_id name the MO that did, when one did (mo_id
-- 0: none). Instances tail the ledger by id into their in-memory index,
-- so ids are never reused (AUTOINCREMENT).
CREATE TABLE IF NOT EXISTS opt_outs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scope      INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    sender     TEXT NOT NULL,
    number     TEXT NOT NULL,
    opted_out  INTEGER NOT NULL,
    source     TEXT NOT NULL,
    keyword    TEXT NOT NULL,
    mo_id      INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS opt_outs_number ON opt_outs (account_id, number, id);
