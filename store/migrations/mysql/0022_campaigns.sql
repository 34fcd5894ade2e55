-- 0022: campaigns and their statistics (issue 13).
-- campaigns holds each campaign's definition, state and lease (the
-- instance driving it). campaign_recipients is the audience, materialized
-- at launch: one row per (campaign, phone, step), with its variant, its
-- send state and, once sent, the message id. campaign_stats holds the
-- counters per (campaign, variant, step), campaign_series the per-minute
-- delivery series, campaign_tails the checkpoints (last event id applied)
-- and leases of the statistics tails. not_before and lease_until are unix
-- microseconds (compared in queries on both dialects). Idempotent: CREATE
-- TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS campaigns (
    id           BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id   BIGINT NOT NULL,
    name         VARCHAR(200) NOT NULL,
    kind         VARCHAR(16) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    sender       VARCHAR(32) NOT NULL,
    body         TEXT NOT NULL,
    template_id  BIGINT NOT NULL,
    list_ids     TEXT NOT NULL,
    segment_ids  TEXT NOT NULL,
    numbers      MEDIUMTEXT NOT NULL,
    send_at      DATETIME(6) NULL,
    max_rate     DOUBLE NOT NULL,
    spread_hours DOUBLE NOT NULL,
    validity_s   BIGINT NOT NULL,
    budget_cap   BIGINT NOT NULL,
    options      TEXT NOT NULL,
    reason       VARCHAR(500) NOT NULL,
    targeted     BIGINT NOT NULL,
    excluded     BIGINT NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NOT NULL,
    launched_at  DATETIME(6) NULL,
    finished_at  DATETIME(6) NULL,
    lease_holder VARCHAR(64) NOT NULL,
    lease_until  BIGINT NOT NULL,
    KEY campaigns_account (account_id, id),
    KEY campaigns_state (state, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_recipients (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    campaign_id BIGINT NOT NULL,
    phone       VARCHAR(20) NOT NULL,
    contact_id  BIGINT NOT NULL,
    step        INT NOT NULL,
    variant     INT NOT NULL,
    state       TINYINT NOT NULL,
    status      TINYINT NOT NULL,
    message_id  BIGINT UNSIGNED NOT NULL,
    price       BIGINT NOT NULL,
    reason      VARCHAR(200) NOT NULL,
    flags       INT NOT NULL,
    not_before  BIGINT NOT NULL,
    sent_at     DATETIME(6) NULL,
    updated_at  DATETIME(6) NULL,
    UNIQUE KEY campaign_recipients_phone (campaign_id, phone, step),
    KEY campaign_recipients_due (campaign_id, state, not_before, id),
    KEY campaign_recipients_message (message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_stats (
    campaign_id BIGINT NOT NULL,
    variant     INT NOT NULL,
    step        INT NOT NULL,
    targeted    BIGINT NOT NULL DEFAULT 0,
    sent        BIGINT NOT NULL DEFAULT 0,
    delivered   BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    undelivered BIGINT NOT NULL DEFAULT 0,
    expired     BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    unknown     BIGINT NOT NULL DEFAULT 0,
    opted_out   BIGINT NOT NULL DEFAULT 0,
    replies     BIGINT NOT NULL DEFAULT 0,
    spend       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, variant, step)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_series (
    campaign_id BIGINT NOT NULL,
    minute      BIGINT NOT NULL,
    sent        BIGINT NOT NULL DEFAULT 0,
    delivered   BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, minute)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_tails (
    name        VARCHAR(64) NOT NULL PRIMARY KEY,
    last_id     BIGINT NOT NULL,
    holder      VARCHAR(64) NOT NULL,
    lease_until BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
