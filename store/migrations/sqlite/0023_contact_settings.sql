-- 0023: an account's contact settings (issue 13): the default country
-- (ISO 3166 alpha-2) that turns national numbers given to the contacts
-- API into E.164 when a request names none.
CREATE TABLE IF NOT EXISTS contact_settings (
    account_id      INTEGER PRIMARY KEY,
    default_country TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
