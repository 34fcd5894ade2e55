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
    name       TEXT PRIMARY KEY,
    settings   TEXT NOT NULL,
    password   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS routes (
    account_id INTEGER NOT NULL,
    prefix     TEXT NOT NULL,
    position   INTEGER NOT NULL,
    choices    TEXT NOT NULL,
    least_cost INTEGER NOT NULL DEFAULT 0,
    sender_tps REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, prefix)
) STRICT;

CREATE TABLE IF NOT EXISTS config_state (
    id          INTEGER PRIMARY KEY,
    version     INTEGER NOT NULL,
    imported_at INTEGER
) STRICT;

INSERT OR IGNORE INTO config_state (id, version) VALUES (1, 0);
