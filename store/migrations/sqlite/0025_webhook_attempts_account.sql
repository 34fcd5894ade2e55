-- 0025: webhook_attempts_account lists an account's webhook delivery
-- attempts newest first (GET /v1/webhooks/deliveries) without scanning
-- every account's attempts.
CREATE INDEX IF NOT EXISTS webhook_attempts_account ON webhook_attempts (account_id, id);
