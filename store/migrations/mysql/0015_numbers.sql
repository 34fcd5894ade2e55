-- 0015: inbound numbers and routed MOs (issue 12). A number row gives an
-- account a long number (kind 1), a short code (2), a range of numbers
-- by prefix (3), or a keyword on a shared short code (4: keyword set,
-- upper case without accents). carrier, when set, limits the row to MOs
-- from that carrier. webhook_url and smpp say where its MOs go. An MO row
-- now says which number row routed it (number_id, 0 for the platform
-- catch-all), the keyword it matched, how many parts it was sent in and
-- whether parts were missing (partial). MySQL 8 has no ADD COLUMN IF NOT
-- EXISTS: each ALTER is prepared only when needed, so re-running the
-- migration after an interruption is harmless.
CREATE TABLE IF NOT EXISTS numbers (
    id          BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    number      VARCHAR(32) NOT NULL,
    kind        TINYINT UNSIGNED NOT NULL,
    keyword     VARCHAR(32) NOT NULL,
    carrier     VARCHAR(64) NOT NULL,
    webhook_url VARCHAR(2048) NOT NULL,
    smpp        TINYINT(1) NOT NULL,
    created_at  DATETIME(6) NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    UNIQUE KEY numbers_key (number, kind, keyword),
    KEY numbers_account (account_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
SET @gallant_0015 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'mo_messages' AND column_name = 'number_id') = 0, 'ALTER TABLE mo_messages ADD COLUMN number_id BIGINT NOT NULL DEFAULT 0, ADD COLUMN keyword VARCHAR(32) NOT NULL DEFAULT \'\', ADD COLUMN parts INT NOT NULL DEFAULT 1, ADD COLUMN partial TINYINT(1) NOT NULL DEFAULT 0, ADD KEY mo_messages_sender (account_id, src_addr, id)', 'DO 0');
PREPARE gallant_0015 FROM @gallant_0015;
EXECUTE gallant_0015;
DEALLOCATE PREPARE gallant_0015;
