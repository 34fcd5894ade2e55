-- 0036: event hook subscriptions (REST hooks, POST /v1/hooks): a URL an
-- account subscribes to some events. events is the set of event types,
-- comma-separated ("message.status,contact.created"); description is the
-- subscriber's own note (an automation platform's zap id, say).
CREATE TABLE IF NOT EXISTS hooks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS hooks_account ON hooks (account_id, id);
