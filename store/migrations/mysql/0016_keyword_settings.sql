-- 0016: an account's own opt-out keywords and auto-replies (issue 12).
-- The keywords are added to the platform's defaults (comma-separated, as
-- consent.NormalizeKeyword gives them); an empty reply takes the default.
-- Idempotent: CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS keyword_settings (
    account_id  BIGINT NOT NULL PRIMARY KEY,
    stop_words  VARCHAR(1024) NOT NULL,
    start_words VARCHAR(1024) NOT NULL,
    help_words  VARCHAR(1024) NOT NULL,
    stop_reply  VARCHAR(2048) NOT NULL,
    start_reply VARCHAR(2048) NOT NULL,
    help_reply  VARCHAR(2048) NOT NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
