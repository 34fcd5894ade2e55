-- 0028: data-subject requests (issue 15). privacy_requests records every
-- export and erasure: who asked (actor_account_id, actor_user_id for a
-- dashboard user, actor_key_id for an API key), the account whose data it
-- concerned (0: platform-wide, by a platform admin), kind (export or
-- erase), subject_kind (phone or user) and subject: for a phone the keyed
-- hash the privacy service derives (never the clear number), for a user
-- "user:ID". rows_affected is what the request returned or changed.
-- privacy_keys holds the installation's random salt (id 1, made on first
-- use) that keys those hashes and the tokens erased numbers become.
CREATE TABLE IF NOT EXISTS privacy_requests (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL,
    actor_account_id INTEGER NOT NULL,
    actor_user_id    INTEGER NOT NULL,
    actor_key_id     INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    subject_kind     TEXT NOT NULL,
    subject          TEXT NOT NULL,
    rows_affected    INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS privacy_requests_account ON privacy_requests (account_id, id);

CREATE INDEX IF NOT EXISTS privacy_requests_actor ON privacy_requests (actor_account_id, id);

CREATE TABLE IF NOT EXISTS privacy_keys (
    id         INTEGER PRIMARY KEY,
    salt       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
