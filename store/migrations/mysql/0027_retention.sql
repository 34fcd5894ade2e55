-- 0027: retention (issue 15). message_rollups keeps the totals of the
-- messages the retention purge deleted, so usage reports and statements
-- of purged days are unchanged: one row per account, UTC day (days since
-- sms.Epoch, as the message id's time gives it), destination prefix (the
-- first three characters, as reports bucket them), current status,
-- segment count and price, with the number of messages, the number of
-- their charge rows, and what the ledger charged and refunded for them
-- (positive micros). A row is added to in the same transaction that
-- deletes its messages, so a total is never counted twice nor lost.
-- retention_state holds the purger's lease (one instance purges at a
-- time) and messages_below, the highest message id below which final
-- messages may have been purged: statements tell a purged message's
-- charge (counted in the rollups) from one that never had a message.
-- webhook_attempts_at lets old attempts be purged by time. MySQL 8 has no
-- CREATE INDEX IF NOT EXISTS, so it is prepared only when missing.
CREATE TABLE IF NOT EXISTS message_rollups (
    account_id   BIGINT NOT NULL,
    day          INT NOT NULL,
    dest         VARCHAR(16) NOT NULL,
    status       TINYINT UNSIGNED NOT NULL,
    segments     INT NOT NULL,
    price_micros BIGINT NOT NULL,
    messages     BIGINT NOT NULL,
    charges      BIGINT NOT NULL,
    charged      BIGINT NOT NULL,
    refunded     BIGINT NOT NULL,
    PRIMARY KEY (account_id, day, dest, status, segments, price_micros)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS retention_state (
    name           VARCHAR(64) NOT NULL PRIMARY KEY,
    holder         VARCHAR(128) NOT NULL,
    lease_until    BIGINT NOT NULL,
    messages_below BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

SET @gallant_0027 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'webhook_attempts' AND index_name = 'webhook_attempts_at') = 0, 'CREATE INDEX webhook_attempts_at ON webhook_attempts (at)', 'DO 0');
PREPARE gallant_0027 FROM @gallant_0027;
EXECUTE gallant_0027;
DEALLOCATE PREPARE gallant_0027;
