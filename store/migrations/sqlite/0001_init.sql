-- 0001: the gateway's first schema (SQLite 3.37+, STRICT tables).
-- The whole migration runs in one transaction.
-- Times are INTEGER unix microseconds in UTC; NULL stands for "none".
-- Message ids are the 64 bits of sms.ID in a signed INTEGER.
-- Statements end with ';' at the end of a line (see migrate.go).

CREATE TABLE IF NOT EXISTS instances (
    node       INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    holder     TEXT NOT NULL,
    leased_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS accounts (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL,
    webhook_url    TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    tps_limit      INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS api_keys (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    scopes       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;

CREATE INDEX IF NOT EXISTS api_keys_account ON api_keys (account_id, id);

CREATE TABLE IF NOT EXISTS smpp_credentials (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    system_id     TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    bind_limit    INTEGER NOT NULL DEFAULT 0,
    tps_limit     INTEGER NOT NULL DEFAULT 0,
    allowed_cidrs TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS smpp_credentials_account ON smpp_credentials (account_id, id);

CREATE TABLE IF NOT EXISTS messages (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL,
    ingress             INTEGER NOT NULL,
    system_id           TEXT NOT NULL,
    client_ref          TEXT NOT NULL,
    src_ton             INTEGER NOT NULL,
    src_npi             INTEGER NOT NULL,
    src_addr            TEXT NOT NULL,
    dst_ton             INTEGER NOT NULL,
    dst_npi             INTEGER NOT NULL,
    dst_addr            TEXT NOT NULL,
    data_coding         INTEGER NOT NULL,
    esm_class           INTEGER NOT NULL,
    protocol_id         INTEGER NOT NULL,
    priority            INTEGER NOT NULL,
    registered_delivery INTEGER NOT NULL,
    body                BLOB NOT NULL,
    segments            INTEGER NOT NULL,
    send_at             INTEGER,
    valid_until         INTEGER,
    callback_url        TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    status              INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS messages_account ON messages (account_id, id);

CREATE INDEX IF NOT EXISTS messages_account_dst ON messages (account_id, dst_addr, id);

CREATE TABLE IF NOT EXISTS message_events (
    id             INTEGER PRIMARY KEY,
    message_id     INTEGER NOT NULL,
    account_id     INTEGER NOT NULL,
    status         INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    segment        INTEGER NOT NULL,
    carrier        TEXT NOT NULL,
    carrier_msg_id TEXT NOT NULL,
    error_code     TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS message_events_message ON message_events (message_id);

CREATE INDEX IF NOT EXISTS message_events_carrier ON message_events (carrier, carrier_msg_id);

CREATE TABLE IF NOT EXISTS mo_messages (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL,
    carrier     TEXT NOT NULL,
    src_ton     INTEGER NOT NULL,
    src_npi     INTEGER NOT NULL,
    src_addr    TEXT NOT NULL,
    dst_ton     INTEGER NOT NULL,
    dst_npi     INTEGER NOT NULL,
    dst_addr    TEXT NOT NULL,
    data_coding INTEGER NOT NULL,
    esm_class   INTEGER NOT NULL,
    body        BLOB NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS mo_messages_account ON mo_messages (account_id, id);

CREATE TABLE IF NOT EXISTS held_receipts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    system_id  TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    payload    BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS held_receipts_system ON held_receipts (system_id, id);

CREATE INDEX IF NOT EXISTS held_receipts_expiry ON held_receipts (expires_at);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    account_id   INTEGER NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER NOT NULL,
    response     BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, idem_key)
) STRICT;

CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL,
    account_id  INTEGER NOT NULL,
    url         TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    "error"     TEXT NOT NULL,
    at          INTEGER NOT NULL,
    gave_up     INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS webhook_attempts_message ON webhook_attempts (message_id);
