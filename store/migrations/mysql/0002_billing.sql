-- 0002: billing (price plans, carrier buy rates, prepaid balances, leases
-- and the append-only ledger). Money is BIGINT micro-units (1 unit of a
-- currency = 1,000,000 micros); times are DATETIME(6) in UTC. Every
-- statement is idempotent, as in 0001.
-- Statements end with ';' at the end of a line (see migrate.go).

-- owner_account_id 0 is the platform, otherwise the reseller whose
-- sub-accounts may use the plan. valid_to NULL: no end.
CREATE TABLE IF NOT EXISTS billing_plans (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    owner_account_id BIGINT NOT NULL DEFAULT 0,
    name             VARCHAR(255) NOT NULL,
    currency         CHAR(3) NOT NULL,
    is_default       TINYINT NOT NULL DEFAULT 0,
    valid_from       DATETIME(6) NOT NULL,
    valid_to         DATETIME(6) NULL,
    created_at       DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS billing_plan_prices (
    plan_id      BIGINT NOT NULL,
    prefix       VARCHAR(15) NOT NULL,
    price_micros BIGINT NOT NULL,
    PRIMARY KEY (plan_id, prefix),
    CONSTRAINT billing_plan_prices_plan_fk FOREIGN KEY (plan_id) REFERENCES billing_plans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS billing_account_plans (
    account_id BIGINT NOT NULL,
    plan_id    BIGINT NOT NULL,
    PRIMARY KEY (account_id, plan_id),
    CONSTRAINT billing_account_plans_plan_fk FOREIGN KEY (plan_id) REFERENCES billing_plans (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS billing_buy_rates (
    carrier      VARCHAR(64) NOT NULL,
    prefix       VARCHAR(15) NOT NULL,
    price_micros BIGINT NOT NULL,
    currency     CHAR(3) NOT NULL,
    valid_from   DATETIME(6) NOT NULL,
    valid_to     DATETIME(6) NULL,
    PRIMARY KEY (carrier, prefix, valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- available = balance - held - credit_limit; see the SQLite migration.
CREATE TABLE IF NOT EXISTS billing_accounts (
    account_id   BIGINT NOT NULL PRIMARY KEY,
    reseller_id  BIGINT NOT NULL DEFAULT 0,
    currency     CHAR(3) NOT NULL,
    balance      BIGINT NOT NULL DEFAULT 0,
    held         BIGINT NOT NULL DEFAULT 0,
    credit_limit BIGINT NOT NULL DEFAULT 0,
    updated_at   DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS billing_leases (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    holder     VARCHAR(64) NOT NULL,
    amount     BIGINT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY billing_leases_holder (account_id, holder)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only; no foreign keys, like the other hot tables. seq numbers
-- the charges and refunds of a lease so that a retried batch cannot store
-- a row twice; see the SQLite migration.
CREATE TABLE IF NOT EXISTS billing_ledger (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    amount     BIGINT NOT NULL,
    hold       BIGINT NOT NULL,
    lease_id   BIGINT NOT NULL,
    message_id BIGINT UNSIGNED NOT NULL,
    reason     VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    seq        BIGINT NULL,
    KEY billing_ledger_account (account_id, id),
    UNIQUE KEY billing_ledger_seq (lease_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
