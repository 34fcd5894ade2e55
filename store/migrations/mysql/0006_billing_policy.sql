-- 0006: billing policy and low-balance alerts (MySQL 8 / MariaDB 10.6+).
-- refund_undelivered makes a plan refund the charge of a message whose
-- final status is not delivered. Each ALTER is prepared only when its
-- column or index is missing, so re-running the migration is harmless
-- (see 0004).
SET @gallant_0006a = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'billing_plans' AND column_name = 'refund_undelivered') = 0, 'ALTER TABLE billing_plans ADD COLUMN refund_undelivered TINYINT(1) NOT NULL DEFAULT 0', 'DO 0');
PREPARE gallant_0006a FROM @gallant_0006a;
EXECUTE gallant_0006a;
DEALLOCATE PREPARE gallant_0006a;

-- A message is refunded at most once: refund_of is the message id of a
-- refund row (NULL for every other row, and NULLs do not collide), and it
-- is unique, so a second refund row of a message fails.
SET @gallant_0006b = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'billing_ledger' AND column_name = 'refund_of') = 0, 'ALTER TABLE billing_ledger ADD COLUMN refund_of BIGINT UNSIGNED AS (CASE WHEN kind = ''refund'' AND message_id <> 0 THEN message_id END) STORED, ADD UNIQUE KEY billing_ledger_refund (refund_of)', 'DO 0');
PREPARE gallant_0006b FROM @gallant_0006b;
EXECUTE gallant_0006b;
DEALLOCATE PREPARE gallant_0006b;

-- The low-balance alert of an account: threshold in micros (0: off), where
-- to tell (email, webhook_url; empty: not there), and fired, set by the one
-- instance whose compare-and-set UPDATE wins when the available balance
-- falls below the threshold, cleared when it is back at or above it.
CREATE TABLE IF NOT EXISTS billing_alerts (
    account_id  BIGINT NOT NULL PRIMARY KEY,
    threshold   BIGINT NOT NULL DEFAULT 0,
    email       VARCHAR(255) NOT NULL DEFAULT '',
    webhook_url VARCHAR(2048) NOT NULL DEFAULT '',
    fired       TINYINT(1) NOT NULL DEFAULT 0,
    fired_at    DATETIME(6) NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
