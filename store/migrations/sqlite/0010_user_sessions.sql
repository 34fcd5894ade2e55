-- 0010: sessions that can be ended (issue 10). See the MySQL file for
-- what each column is. Times are INTEGER unix microseconds in UTC.
ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at INTEGER NULL;
ALTER TABLE users ADD COLUMN self_registered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refresh_tokens ADD COLUMN started_at INTEGER NULL;
