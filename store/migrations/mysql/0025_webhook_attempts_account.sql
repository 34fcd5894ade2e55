-- 0025: webhook_attempts_account lists an account's webhook delivery
-- attempts newest first (GET /v1/webhooks/deliveries) without scanning
-- every account's attempts. MySQL 8 has no CREATE INDEX IF NOT EXISTS, so
-- it is prepared only when missing (see 0007).
SET @gallant_0025 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'webhook_attempts' AND index_name = 'webhook_attempts_account') = 0, 'CREATE INDEX webhook_attempts_account ON webhook_attempts (account_id, id)', 'DO 0');
PREPARE gallant_0025 FROM @gallant_0025;
EXECUTE gallant_0025;
DEALLOCATE PREPARE gallant_0025;
