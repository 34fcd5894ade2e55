-- 0016: an account's own opt-out keywords and auto-replies (issue 12).
-- The keywords are added to the platform's defaults (comma-separated, as
-- consent.NormalizeKeyword gives them); an empty reply takes the default.
CREATE TABLE IF NOT EXISTS keyword_settings (
    account_id  INTEGER NOT NULL PRIMARY KEY,
    stop_words  TEXT NOT NULL,
    start_words TEXT NOT NULL,
    help_words  TEXT NOT NULL,
    stop_reply  TEXT NOT NULL,
    start_reply TEXT NOT NULL,
    help_reply  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
