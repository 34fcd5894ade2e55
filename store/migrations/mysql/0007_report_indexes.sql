-- 0007: indexes for usage reports and monthly statements (MySQL 8 /
-- MariaDB 10.6+). billing_ledger_message finds the charges and refunds of
-- an account's messages in an id range (message ids are time-ordered),
-- for usage reports; billing_ledger_created finds an account's ledger
-- rows in a month, for statements. MySQL 8 has no CREATE INDEX IF NOT
-- EXISTS, so each is prepared only when missing: re-running the migration
-- after an interruption is harmless (see 0004).
SET @gallant_0007a = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'billing_ledger' AND index_name = 'billing_ledger_message') = 0, 'CREATE INDEX billing_ledger_message ON billing_ledger (account_id, message_id)', 'DO 0');
PREPARE gallant_0007a FROM @gallant_0007a;
EXECUTE gallant_0007a;
DEALLOCATE PREPARE gallant_0007a;
SET @gallant_0007b = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'billing_ledger' AND index_name = 'billing_ledger_created') = 0, 'CREATE INDEX billing_ledger_created ON billing_ledger (account_id, created_at)', 'DO 0');
PREPARE gallant_0007b FROM @gallant_0007b;
EXECUTE gallant_0007b;
DEALLOCATE PREPARE gallant_0007b;
