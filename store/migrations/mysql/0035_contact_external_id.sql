-- 0035: a contact's id in another system (a CRM's record id), unique per
-- account, so that a CRM sync can upsert by it (POST /v1/contacts:upsert).
-- NULL when none: a unique index allows many NULLs. Prepared only when
-- still missing (see 0031).
SET @gallant_0035 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'contacts' AND column_name = 'external_id') = 0, 'ALTER TABLE contacts ADD COLUMN external_id VARCHAR(128) NULL', 'DO 0');
PREPARE gallant_0035 FROM @gallant_0035;
EXECUTE gallant_0035;
DEALLOCATE PREPARE gallant_0035;
SET @gallant_0035 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'contacts' AND index_name = 'contacts_external') = 0, 'CREATE UNIQUE INDEX contacts_external ON contacts (account_id, external_id)', 'DO 0');
PREPARE gallant_0035 FROM @gallant_0035;
EXECUTE gallant_0035;
DEALLOCATE PREPARE gallant_0035;
