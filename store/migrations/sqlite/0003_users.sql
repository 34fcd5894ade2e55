-- 0003: dashboard users, their tokens, the reseller tree and the audit
-- log (SQLite, STRICT tables). See the MySQL file for what each table is.
-- Times are INTEGER unix microseconds in UTC; NULL stands for "none".
-- Statements end with ';' at the end of a line (see migrate.go).

CREATE TABLE IF NOT EXISTS account_parents (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    parent_id  INTEGER NOT NULL REFERENCES accounts (id)
) STRICT;

CREATE INDEX IF NOT EXISTS account_parents_parent ON account_parents (parent_id, account_id);

CREATE TABLE IF NOT EXISTS users (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id),
    email             TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    role              TEXT NOT NULL,
    can_send          INTEGER NOT NULL DEFAULT 0,
    email_verified_at INTEGER,
    created_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS users_account ON users (account_id, id);

CREATE TABLE IF NOT EXISTS user_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    kind       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS user_tokens_user ON user_tokens (user_id, id);

CREATE TABLE IF NOT EXISTS refresh_tokens (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    family     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family);

CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id, id);

CREATE TABLE IF NOT EXISTS audit_log (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL,
    actor_user_id INTEGER NOT NULL,
    action        TEXT NOT NULL,
    target        TEXT NOT NULL,
    details       TEXT NOT NULL,
    ip            TEXT NOT NULL,
    at            INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS audit_log_account ON audit_log (account_id, id);
