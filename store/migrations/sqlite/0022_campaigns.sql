-- 0022: campaigns and their statistics (issue 13).
-- campaigns holds each campaign's definition, state and lease (the
-- instance driving it). campaign_recipients is the audience, materialized
-- at launch: one row per (campaign, phone, step), with its variant, its
-- send state and, once sent, the message id. campaign_stats holds the
-- counters per (campaign, variant, step), campaign_series the per-minute
-- delivery series, campaign_tails the checkpoints (last event id applied)
-- and leases of the statistics tails. not_before and lease_until are unix
-- microseconds (compared in queries on both dialects).
CREATE TABLE IF NOT EXISTS campaigns (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    state        TEXT NOT NULL,
    sender       TEXT NOT NULL,
    body         TEXT NOT NULL,
    template_id  INTEGER NOT NULL,
    list_ids     TEXT NOT NULL,
    segment_ids  TEXT NOT NULL,
    numbers      TEXT NOT NULL,
    send_at      INTEGER,
    max_rate     REAL NOT NULL,
    spread_hours REAL NOT NULL,
    validity_s   INTEGER NOT NULL,
    budget_cap   INTEGER NOT NULL,
    options      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    targeted     INTEGER NOT NULL,
    excluded     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    launched_at  INTEGER,
    finished_at  INTEGER,
    lease_holder TEXT NOT NULL,
    lease_until  INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS campaigns_account ON campaigns (account_id, id);

CREATE INDEX IF NOT EXISTS campaigns_state ON campaigns (state, id);

CREATE TABLE IF NOT EXISTS campaign_recipients (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL,
    phone       TEXT NOT NULL,
    contact_id  INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    variant     INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    price       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    flags       INTEGER NOT NULL,
    not_before  INTEGER NOT NULL,
    sent_at     INTEGER,
    updated_at  INTEGER
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS campaign_recipients_phone ON campaign_recipients (campaign_id, phone, step);

CREATE INDEX IF NOT EXISTS campaign_recipients_due ON campaign_recipients (campaign_id, state, not_before, id);

CREATE INDEX IF NOT EXISTS campaign_recipients_message ON campaign_recipients (message_id);

CREATE TABLE IF NOT EXISTS campaign_stats (
    campaign_id INTEGER NOT NULL,
    variant     INTEGER NOT NULL,
    step        INTEGER NOT NULL,
    targeted    INTEGER NOT NULL DEFAULT 0,
    sent        INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    undelivered INTEGER NOT NULL DEFAULT 0,
    expired     INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    unknown     INTEGER NOT NULL DEFAULT 0,
    opted_out   INTEGER NOT NULL DEFAULT 0,
    replies     INTEGER NOT NULL DEFAULT 0,
    spend       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, variant, step)
) STRICT;

CREATE TABLE IF NOT EXISTS campaign_series (
    campaign_id INTEGER NOT NULL,
    minute      INTEGER NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 0,
    delivered   INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign_id, minute)
) STRICT;

CREATE TABLE IF NOT EXISTS campaign_tails (
    name        TEXT PRIMARY KEY,
    last_id     INTEGER NOT NULL,
    holder      TEXT NOT NULL,
    lease_until INTEGER NOT NULL
) STRICT;
