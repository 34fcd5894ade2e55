-- 0015: inbound numbers and routed MOs (issue 12). A number row gives an
-- account a long number (kind 1), a short code (2), a range of numbers
-- by prefix (3), or a keyword on a shared short code (4: keyword set,
-- upper case without accents). carrier, when set, limits the row to MOs
-- from that carrier. webhook_url and smpp say where its MOs go. An MO row
-- now says which number row routed it (number_id, 0 for the platform
-- catch-all), the keyword it matched, how many parts it was sent in and
-- whether parts were missing (partial).
CREATE TABLE IF NOT EXISTS numbers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL,
    number      TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    keyword     TEXT NOT NULL,
    carrier     TEXT NOT NULL,
    webhook_url TEXT NOT NULL,
    smpp        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX IF NOT EXISTS numbers_key ON numbers (number, kind, keyword);
CREATE INDEX IF NOT EXISTS numbers_account ON numbers (account_id, id);

ALTER TABLE mo_messages ADD COLUMN number_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mo_messages ADD COLUMN keyword TEXT NOT NULL DEFAULT '';
ALTER TABLE mo_messages ADD COLUMN parts INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mo_messages ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS mo_messages_sender ON mo_messages (account_id, src_addr, id);
