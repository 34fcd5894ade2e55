-- 0029: carriers and routes edited through the API (they seed from the
-- YAML once, on first start). carrier_configs holds one carrier per row:
-- settings is JSON of every setting but the name and the password
-- (address, credentials' system_id, bind type and count, window, tps,
-- tls, outbind); password is kept apart, write-only in the API. routes
-- holds the route plans: account_id 0 is the default plan, any other id
-- that account's own; choices is JSON [{carrier, priority, weight}].
-- config_state has one row (id 1): version grows in the same transaction
-- as every change, so instances poll one integer to see a change;
-- imported_at is when the YAML was imported (NULL: not yet).
CREATE TABLE IF NOT EXISTS carrier_configs (
    name       VARCHAR(64) NOT NULL PRIMARY KEY,
    settings   TEXT NOT NULL,
    password   VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS routes (
    account_id BIGINT NOT NULL,
    prefix     VARCHAR(15) NOT NULL,
    position   INT NOT NULL,
    choices    TEXT NOT NULL,
    least_cost BOOLEAN NOT NULL DEFAULT FALSE,
    sender_tps DOUBLE NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, prefix)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS config_state (
    id          INT NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL,
    imported_at DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO config_state (id, version) VALUES (1, 0);
