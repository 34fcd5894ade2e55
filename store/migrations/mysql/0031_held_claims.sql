-- 0031: held receipts and MOs are claimed before they are sent, so that
-- two instances with a bind of the same customer never both send a row
-- (see HeldClaim); and they are looked up by (system_id, account_id), the
-- way every flush and the cross-instance check ask for them. MySQL 8 has
-- no ADD COLUMN / CREATE INDEX IF NOT EXISTS, so each change is prepared
-- only when it is still missing (see 0004).
SET @gallant_0031 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'held_receipts' AND column_name = 'claim_token') = 0, 'ALTER TABLE held_receipts ADD COLUMN claim_token VARCHAR(64) NULL, ADD COLUMN claim_until DATETIME(6) NULL', 'DO 0');
PREPARE gallant_0031 FROM @gallant_0031;
EXECUTE gallant_0031;
DEALLOCATE PREPARE gallant_0031;
SET @gallant_0031 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'held_receipts' AND index_name = 'held_receipts_owner') = 0, 'CREATE INDEX held_receipts_owner ON held_receipts (system_id, account_id, id)', 'DO 0');
PREPARE gallant_0031 FROM @gallant_0031;
EXECUTE gallant_0031;
DEALLOCATE PREPARE gallant_0031;
SET @gallant_0031 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'held_receipts' AND index_name = 'held_receipts_system') > 0, 'DROP INDEX held_receipts_system ON held_receipts', 'DO 0');
PREPARE gallant_0031 FROM @gallant_0031;
EXECUTE gallant_0031;
DEALLOCATE PREPARE gallant_0031;
