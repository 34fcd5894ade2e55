-- 0018: contacts (issue 13). One row per phone number of an account
-- (E.164 digits, unique per account), with the personal fields, custom
-- fields as a JSON object, and tags joined by commas.
CREATE TABLE IF NOT EXISTS contacts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    phone      TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL,
    email      TEXT NOT NULL,
    language   TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    fields     TEXT NOT NULL,
    tags       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS contacts_phone ON contacts (account_id, phone);
