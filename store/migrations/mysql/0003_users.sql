-- 0003: dashboard users, their tokens, the reseller tree and the audit
-- log (MySQL 8 / MariaDB 10.6+). Every statement is idempotent, as in
-- 0001. Secrets (tokens) are stored as lower-case hex SHA-256 only.
-- Statements end with ';' at the end of a line (see migrate.go).

-- account_parents gives a sub-account its reseller. It is a table of its
-- own rather than a column of accounts so that this migration needs no
-- ALTER TABLE (not idempotent on MySQL 8) and the hot account lookups
-- keep their shape. An account without a row has no parent.
CREATE TABLE IF NOT EXISTS account_parents (
    account_id BIGINT NOT NULL PRIMARY KEY,
    parent_id  BIGINT NOT NULL,
    KEY account_parents_parent (parent_id, account_id),
    CONSTRAINT account_parents_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
    CONSTRAINT account_parents_parent_fk FOREIGN KEY (parent_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- users log in to the dashboard. email is normalised (lower case) by the
-- caller, so the binary collation makes it unique case-insensitively.
CREATE TABLE IF NOT EXISTS users (
    id                BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id        BIGINT NOT NULL,
    email             VARCHAR(254) NOT NULL,
    password_hash     VARCHAR(255) NOT NULL,
    role              VARCHAR(16) NOT NULL,
    can_send          TINYINT(1) NOT NULL DEFAULT 0,
    email_verified_at DATETIME(6) NULL,
    created_at        DATETIME(6) NOT NULL,
    UNIQUE KEY users_email (email),
    KEY users_account (account_id, id),
    CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- user_tokens are single-use mailed tokens: password reset and email
-- verification.
CREATE TABLE IF NOT EXISTS user_tokens (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    hash       CHAR(64) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at    DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY user_tokens_hash (hash),
    KEY user_tokens_user (user_id, id),
    CONSTRAINT user_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- refresh_tokens are dashboard session tokens, rotated on every use. A
-- family is the chain of tokens issued from one login: presenting a
-- rotated-out token again revokes its whole family.
CREATE TABLE IF NOT EXISTS refresh_tokens (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    family     CHAR(32) NOT NULL,
    hash       CHAR(64) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY refresh_tokens_hash (hash),
    KEY refresh_tokens_family (family),
    KEY refresh_tokens_user (user_id, id),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- audit_log is append-only: the store has no UPDATE or DELETE for it.
-- account_id is the account the action concerns (0 when unknown, such as
-- a failed login for an unknown email); actor_user_id is 0 when the actor
-- is not a user (an API key, the CLI).
CREATE TABLE IF NOT EXISTS audit_log (
    id            BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id    BIGINT NOT NULL,
    actor_user_id BIGINT NOT NULL,
    action        VARCHAR(64) NOT NULL,
    target        VARCHAR(255) NOT NULL,
    details       VARCHAR(1024) NOT NULL,
    ip            VARCHAR(64) NOT NULL,
    at            DATETIME(6) NOT NULL,
    KEY audit_log_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
