-- 0001: the gateway's first schema (MySQL 8 / MariaDB 10.6+).
-- MySQL commits each DDL statement by itself, so every statement here is
-- idempotent (IF NOT EXISTS, indexes declared inside CREATE TABLE): a
-- migration interrupted halfway is simply run again.
-- Text columns use utf8mb4_bin: exact, case-sensitive comparison, which
-- carrier message ids, addresses and keys need.
-- Times are DATETIME(6) in UTC; NULL stands for "none".
-- Statements end with ';' at the end of a line (see migrate.go).

CREATE TABLE IF NOT EXISTS instances (
    node       SMALLINT UNSIGNED NOT NULL PRIMARY KEY,
    name       VARCHAR(255) NOT NULL,
    holder     CHAR(32) NOT NULL,
    leased_at  DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS accounts (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name           VARCHAR(255) NOT NULL,
    status         VARCHAR(16) NOT NULL,
    webhook_url    VARCHAR(2048) NOT NULL DEFAULT '',
    webhook_secret VARCHAR(255) NOT NULL DEFAULT '',
    tps_limit      INT NOT NULL DEFAULT 0,
    created_at     DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_keys (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id   BIGINT NOT NULL,
    name         VARCHAR(255) NOT NULL DEFAULT '',
    prefix       VARCHAR(64) NOT NULL,
    hash         CHAR(64) NOT NULL,
    scopes       VARCHAR(1024) NOT NULL DEFAULT '',
    created_at   DATETIME(6) NOT NULL,
    last_used_at DATETIME(6) NULL,
    revoked_at   DATETIME(6) NULL,
    UNIQUE KEY api_keys_prefix (prefix),
    KEY api_keys_account (account_id, id),
    CONSTRAINT api_keys_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS smpp_credentials (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id    BIGINT NOT NULL,
    system_id     VARCHAR(16) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    bind_limit    INT NOT NULL DEFAULT 0,
    tps_limit     INT NOT NULL DEFAULT 0,
    allowed_cidrs VARCHAR(1024) NOT NULL DEFAULT '',
    created_at    DATETIME(6) NOT NULL,
    UNIQUE KEY smpp_credentials_system_id (system_id),
    KEY smpp_credentials_account (account_id, id),
    CONSTRAINT smpp_credentials_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per accepted message, inserted once and never updated; its
-- status history is in message_events. No foreign keys on the hot tables:
-- their checks would cost every batch a lookup per row.
CREATE TABLE IF NOT EXISTS messages (
    id                  BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    account_id          BIGINT NOT NULL,
    ingress             TINYINT UNSIGNED NOT NULL,
    system_id           VARCHAR(16) NOT NULL,
    client_ref          VARCHAR(255) NOT NULL,
    src_ton             TINYINT UNSIGNED NOT NULL,
    src_npi             TINYINT UNSIGNED NOT NULL,
    src_addr            VARCHAR(64) NOT NULL,
    dst_ton             TINYINT UNSIGNED NOT NULL,
    dst_npi             TINYINT UNSIGNED NOT NULL,
    dst_addr            VARCHAR(64) NOT NULL,
    data_coding         TINYINT UNSIGNED NOT NULL,
    esm_class           TINYINT UNSIGNED NOT NULL,
    protocol_id         TINYINT UNSIGNED NOT NULL,
    priority            TINYINT UNSIGNED NOT NULL,
    registered_delivery TINYINT UNSIGNED NOT NULL,
    body                BLOB NOT NULL,
    segments            SMALLINT UNSIGNED NOT NULL,
    send_at             DATETIME(6) NULL,
    valid_until         DATETIME(6) NULL,
    callback_url        VARCHAR(2048) NOT NULL,
    created_at          DATETIME(6) NOT NULL,
    status              TINYINT UNSIGNED NOT NULL,
    KEY messages_account (account_id, id),
    KEY messages_account_dst (account_id, dst_addr, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only status history. The id orders events as the gateway
-- recorded them.
CREATE TABLE IF NOT EXISTS message_events (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id     BIGINT UNSIGNED NOT NULL,
    account_id     BIGINT NOT NULL,
    status         TINYINT UNSIGNED NOT NULL,
    at             DATETIME(6) NOT NULL,
    segment        SMALLINT UNSIGNED NOT NULL,
    carrier        VARCHAR(64) NOT NULL,
    carrier_msg_id VARCHAR(65) NOT NULL,
    error_code     VARCHAR(32) NOT NULL,
    KEY message_events_message (message_id),
    KEY message_events_carrier (carrier, carrier_msg_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS mo_messages (
    id          BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    carrier     VARCHAR(64) NOT NULL,
    src_ton     TINYINT UNSIGNED NOT NULL,
    src_npi     TINYINT UNSIGNED NOT NULL,
    src_addr    VARCHAR(64) NOT NULL,
    dst_ton     TINYINT UNSIGNED NOT NULL,
    dst_npi     TINYINT UNSIGNED NOT NULL,
    dst_addr    VARCHAR(64) NOT NULL,
    data_coding TINYINT UNSIGNED NOT NULL,
    esm_class   TINYINT UNSIGNED NOT NULL,
    body        BLOB NOT NULL,
    received_at DATETIME(6) NOT NULL,
    KEY mo_messages_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS held_receipts (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    system_id  VARCHAR(16) NOT NULL,
    message_id BIGINT UNSIGNED NOT NULL,
    payload    BLOB NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY held_receipts_system (system_id, id),
    KEY held_receipts_expiry (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS idempotency_keys (
    account_id   BIGINT NOT NULL,
    idem_key     VARCHAR(255) NOT NULL,
    request_hash VARCHAR(128) NOT NULL,
    status_code  INT NOT NULL,
    response     MEDIUMBLOB NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, idem_key),
    KEY idempotency_keys_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS webhook_attempts (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    message_id  BIGINT UNSIGNED NOT NULL,
    account_id  BIGINT NOT NULL,
    url         VARCHAR(2048) NOT NULL,
    attempt     INT NOT NULL,
    status_code INT NOT NULL,
    `error`     VARCHAR(1024) NOT NULL,
    at          DATETIME(6) NOT NULL,
    gave_up     TINYINT(1) NOT NULL,
    KEY webhook_attempts_message (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
