-- 0036: event hook subscriptions (REST hooks, POST /v1/hooks): a URL an
-- account subscribes to some events. events is the set of event types,
-- comma-separated ("message.status,contact.created"); description is the
-- subscriber's own note (an automation platform's zap id, say).
CREATE TABLE IF NOT EXISTS hooks (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    url         VARCHAR(2048) NOT NULL,
    events      VARCHAR(255) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    created_at  DATETIME(6) NOT NULL,
    KEY hooks_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
