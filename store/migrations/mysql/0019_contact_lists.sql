-- 0019: custom field declarations and static contact lists (issue 13).
-- contact_fields declares an account's custom fields and their types
-- (text, number, date, boolean); the values live in contacts.fields.
-- contact_list_members holds static membership, removed with the list or
-- the contact. Idempotent: CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS contact_fields (
    account_id BIGINT NOT NULL,
    name       VARCHAR(64) NOT NULL,
    type       VARCHAR(16) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS contact_lists (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    name       VARCHAR(100) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY contact_lists_name (account_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS contact_list_members (
    list_id    BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    added_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (list_id, contact_id),
    KEY contact_list_members_contact (contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
