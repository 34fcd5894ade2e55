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
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id       BIGINT NOT NULL,
    actor_account_id BIGINT NOT NULL,
    actor_user_id    BIGINT NOT NULL,
    actor_key_id     BIGINT NOT NULL,
    kind             VARCHAR(16) NOT NULL,
    subject_kind     VARCHAR(16) NOT NULL,
    subject          VARCHAR(80) NOT NULL,
    rows_affected    BIGINT NOT NULL,
    created_at       DATETIME(6) NOT NULL,
    KEY privacy_requests_account (account_id, id),
    KEY privacy_requests_actor (actor_account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS privacy_keys (
    id         BIGINT NOT NULL PRIMARY KEY,
    salt       VARBINARY(64) NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
