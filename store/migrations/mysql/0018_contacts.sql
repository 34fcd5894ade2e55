-- 0018: contacts (issue 13). One row per phone number of an account
-- (E.164 digits, unique per account), with the personal fields, custom
-- fields as a JSON object, and tags joined by commas. Idempotent: CREATE
-- TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS contacts (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    phone      VARCHAR(20) NOT NULL,
    first_name VARCHAR(100) NOT NULL,
    last_name  VARCHAR(100) NOT NULL,
    email      VARCHAR(254) NOT NULL,
    language   VARCHAR(16) NOT NULL,
    time_zone  VARCHAR(64) NOT NULL,
    fields     TEXT NOT NULL,
    tags       VARCHAR(1024) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY contacts_phone (account_id, phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
