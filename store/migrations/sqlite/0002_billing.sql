-- 0002: billing (price plans, carrier buy rates, prepaid balances, leases
-- and the append-only ledger). Money is INTEGER micro-units (1 unit of a
-- currency = 1,000,000 micros); times are INTEGER unix microseconds in UTC.
-- Statements end with ';' at the end of a line (see migrate.go).

-- One row per price plan. owner_account_id 0 is the platform; otherwise
-- the reseller whose sub-accounts may use it. A plan is in force from
-- valid_from until valid_to (NULL: no end). is_default marks the owner's
-- plan for accounts without a plan of their own.
CREATE TABLE IF NOT EXISTS billing_plans (
    id               INTEGER PRIMARY KEY,
    owner_account_id INTEGER NOT NULL DEFAULT 0,
    name             TEXT NOT NULL,
    currency         TEXT NOT NULL,
    is_default       INTEGER NOT NULL DEFAULT 0,
    valid_from       INTEGER NOT NULL,
    valid_to         INTEGER,
    created_at       INTEGER NOT NULL
) STRICT;

-- The price per segment of each destination prefix (E.164 digits).
CREATE TABLE IF NOT EXISTS billing_plan_prices (
    plan_id      INTEGER NOT NULL REFERENCES billing_plans (id),
    prefix       TEXT NOT NULL,
    price_micros INTEGER NOT NULL,
    PRIMARY KEY (plan_id, prefix)
) STRICT;

-- The plans assigned to an account; the one in force wins over defaults.
CREATE TABLE IF NOT EXISTS billing_account_plans (
    account_id INTEGER NOT NULL,
    plan_id    INTEGER NOT NULL REFERENCES billing_plans (id),
    PRIMARY KEY (account_id, plan_id)
) STRICT;

-- What a carrier charges us per segment, by prefix.
CREATE TABLE IF NOT EXISTS billing_buy_rates (
    carrier      TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    price_micros INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    valid_from   INTEGER NOT NULL,
    valid_to     INTEGER,
    PRIMARY KEY (carrier, prefix, valid_from)
) STRICT;

-- The prepaid balance of an account. balance is the money settled from
-- the ledger; held is the credit leased to gateway instances (the sum of
-- billing_leases.amount). available = balance - held - credit_limit.
CREATE TABLE IF NOT EXISTS billing_accounts (
    account_id   INTEGER PRIMARY KEY,
    reseller_id  INTEGER NOT NULL DEFAULT 0,
    currency     TEXT NOT NULL,
    balance      INTEGER NOT NULL DEFAULT 0,
    held         INTEGER NOT NULL DEFAULT 0,
    credit_limit INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
) STRICT;

-- Credit leased by one instance (holder) for one account, until settled.
CREATE TABLE IF NOT EXISTS billing_leases (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    holder     TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, holder)
) STRICT;

-- The append-only ledger. amount changes the balance, hold changes held.
-- Charges and refunds name the lease they were drawn from and carry seq,
-- numbered per lease by the instance holding it, so that a batch retried
-- after a commit of unknown outcome cannot store a row twice (NULL on
-- the rows the store writes itself, which never repeat).
CREATE TABLE IF NOT EXISTS billing_ledger (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    hold       INTEGER NOT NULL,
    lease_id   INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seq        INTEGER
) STRICT;

CREATE INDEX IF NOT EXISTS billing_ledger_account ON billing_ledger (account_id, id);

CREATE UNIQUE INDEX IF NOT EXISTS billing_ledger_seq ON billing_ledger (lease_id, seq);
