-- 0020: saved segments and CSV import jobs (issue 13). A segment is a
-- named rule set over an account's contacts (rules: JSON, see
-- store.SegmentRules). contact_imports holds one row per import job with
-- its progress, so any instance can read it; heartbeat_at is refreshed by
-- the instance running it (a stale one shows the job failed).
-- contact_import_rejections keeps every rejected row of a job (line,
-- reason, the original fields as one CSV record). Idempotent: CREATE
-- TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS segments (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    name       VARCHAR(100) NOT NULL,
    rules      MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY segments_name (account_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS contact_imports (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id     BIGINT NOT NULL,
    state          VARCHAR(16) NOT NULL,
    options        TEXT NOT NULL,
    mapping        TEXT NOT NULL,
    bytes_total    BIGINT NOT NULL,
    bytes_read     BIGINT NOT NULL,
    rows_read      BIGINT NOT NULL,
    imported       BIGINT NOT NULL,
    updated        BIGINT NOT NULL,
    rejected       BIGINT NOT NULL,
    error          VARCHAR(1024) NOT NULL,
    stop_requested TINYINT(1) NOT NULL,
    holder         VARCHAR(64) NOT NULL,
    created_at     DATETIME(6) NOT NULL,
    started_at     DATETIME(6) NULL,
    finished_at    DATETIME(6) NULL,
    heartbeat_at   DATETIME(6) NOT NULL,
    KEY contact_imports_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS contact_import_rejections (
    import_id BIGINT NOT NULL,
    line      BIGINT NOT NULL,
    reason    VARCHAR(512) NOT NULL,
    record    TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
