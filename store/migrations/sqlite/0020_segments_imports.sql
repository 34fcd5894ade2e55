-- 0020: saved segments and CSV import jobs (issue 13). A segment is a
-- named rule set over an account's contacts (rules: JSON, see
-- store.SegmentRules). contact_imports holds one row per import job with
-- its progress, so any instance can read it; heartbeat_at is refreshed by
-- the instance running it (a stale one shows the job failed).
-- contact_import_rejections keeps every rejected row of a job (line,
-- reason, the original fields as one CSV record).
CREATE TABLE IF NOT EXISTS segments (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    rules      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS segments_name ON segments (account_id, name);

CREATE TABLE IF NOT EXISTS contact_imports (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL,
    state          TEXT NOT NULL,
    options        TEXT NOT NULL,
    mapping        TEXT NOT NULL,
    bytes_total    INTEGER NOT NULL,
    bytes_read     INTEGER NOT NULL,
    rows_read      INTEGER NOT NULL,
    imported       INTEGER NOT NULL,
    updated        INTEGER NOT NULL,
    rejected       INTEGER NOT NULL,
    error          TEXT NOT NULL,
    stop_requested INTEGER NOT NULL,
    holder         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    started_at     INTEGER,
    finished_at    INTEGER,
    heartbeat_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS contact_imports_account ON contact_imports (account_id, id);

CREATE TABLE IF NOT EXISTS contact_import_rejections (
    import_id INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    record    TEXT NOT NULL,
    PRIMARY KEY (import_id, line)
) STRICT;
