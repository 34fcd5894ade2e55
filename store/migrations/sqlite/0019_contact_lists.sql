-- 0019: custom field declarations and static contact lists (issue 13).
-- contact_fields declares an account's custom fields and their types
-- (text, number, date, boolean); the values live in contacts.fields.
-- contact_list_members holds static membership, removed with the list or
-- the contact.
CREATE TABLE IF NOT EXISTS contact_fields (
    account_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, name)
) STRICT;

CREATE TABLE IF NOT EXISTS contact_lists (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS contact_lists_name ON contact_lists (account_id, name);

CREATE TABLE IF NOT EXISTS contact_list_members (
    list_id    INTEGER NOT NULL,
    contact_id INTEGER NOT NULL,
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (list_id, contact_id)
) STRICT;

CREATE INDEX IF NOT EXISTS contact_list_members_contact ON contact_list_members (contact_id);
