-- 0021: message templates, their per-account settings, and tracked
-- short links with their clicks (issue 13).
-- templates: named bodies with placeholders, unique by name per account.
-- template_settings: an account's {{optout}} text ('' = the default).
-- link_codes: one short code per recipient and URL (code case-sensitive,
-- base62), with its click count; link_clicks logs the first clicks of
-- each code (time, user agent); campaign_clicks counts a campaign's
-- clicks (total and distinct codes) per variant or drip step (0: none)
-- as they happen, so statistics never count over link_clicks. Idempotent: CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS templates (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    name       VARCHAR(100) NOT NULL,
    body       VARCHAR(1600) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY templates_name (account_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS template_settings (
    account_id  BIGINT NOT NULL PRIMARY KEY,
    optout_text VARCHAR(160) NOT NULL,
    updated_at  DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS link_codes (
    code           VARCHAR(16) NOT NULL PRIMARY KEY,
    account_id     BIGINT NOT NULL,
    campaign_id    BIGINT NOT NULL,
    recipient_id   BIGINT NOT NULL,
    variant        BIGINT NOT NULL,
    url            VARCHAR(2048) NOT NULL,
    created_at     DATETIME(6) NOT NULL,
    clicks         BIGINT NOT NULL DEFAULT 0,
    first_click_at DATETIME(6) NULL,
    last_click_at  DATETIME(6) NULL,
    KEY link_codes_recipient (account_id, recipient_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS link_clicks (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code        VARCHAR(16) NOT NULL,
    account_id  BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    clicked_at  DATETIME(6) NOT NULL,
    user_agent  VARCHAR(256) NOT NULL,
    KEY link_clicks_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS campaign_clicks (
    account_id  BIGINT NOT NULL,
    campaign_id BIGINT NOT NULL,
    variant     BIGINT NOT NULL,
    total       BIGINT NOT NULL,
    uniq        BIGINT NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    PRIMARY KEY (account_id, campaign_id, variant)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
