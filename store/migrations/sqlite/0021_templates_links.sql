-- 0021: message templates, their per-account settings, and tracked
-- short links with their clicks (issue 13).
-- templates: named bodies with placeholders, unique by name per account.
-- template_settings: an account's {{optout}} text ('' = the default).
-- link_codes: one short code per recipient and URL (code case-sensitive,
-- base62), with its click count; link_clicks logs the first clicks of
-- each code (time, user agent); campaign_clicks counts a campaign's
-- clicks (total and distinct codes) per variant or drip step (0: none)
-- as they happen, so statistics never count over link_clicks.
CREATE TABLE IF NOT EXISTS templates (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS templates_name ON templates (account_id, name);

CREATE TABLE IF NOT EXISTS template_settings (
    account_id  INTEGER NOT NULL PRIMARY KEY,
    optout_text TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS link_codes (
    code           TEXT NOT NULL PRIMARY KEY,
    account_id     INTEGER NOT NULL,
    campaign_id    INTEGER NOT NULL,
    recipient_id   INTEGER NOT NULL,
    variant        INTEGER NOT NULL,
    url            TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    clicks         INTEGER NOT NULL DEFAULT 0,
    first_click_at INTEGER,
    last_click_at  INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS link_codes_recipient ON link_codes (account_id, recipient_id);

CREATE TABLE IF NOT EXISTS link_clicks (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    account_id  INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL,
    clicked_at  INTEGER NOT NULL,
    user_agent  TEXT NOT NULL
) STRICT;

CREATE INDEX IF NOT EXISTS link_clicks_code ON link_clicks (code);

CREATE TABLE IF NOT EXISTS campaign_clicks (
    account_id  INTEGER NOT NULL,
    campaign_id INTEGER NOT NULL,
    variant     INTEGER NOT NULL,
    total       INTEGER NOT NULL,
    uniq        INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, campaign_id, variant)
) STRICT;
