-- 0023: an account's contact settings (issue 13): the default country
-- (ISO 3166 alpha-2) that turns national numbers given to the contacts
-- API into E.164 when a request names none. Idempotent: CREATE TABLE IF
-- NOT EXISTS.
CREATE TABLE IF NOT EXISTS contact_settings (
    account_id      BIGINT NOT NULL PRIMARY KEY,
    default_country VARCHAR(2) NOT NULL,
    updated_at      DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
