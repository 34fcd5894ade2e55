-- 0005: what kind of account each is (MySQL 8 / MariaDB 10.6+):
-- 'customer' (the default), 'reseller' (sells to sub-accounts of its own)
-- or 'platform' (the operator's own account, whose admin keys act as
-- platform admin). The ALTER is prepared only when the column is missing,
-- so re-running the migration is harmless (see 0004).
SET @gallant_0005 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'accounts' AND column_name = 'kind') = 0, 'ALTER TABLE accounts ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT ''customer''', 'DO 0');
PREPARE gallant_0005 FROM @gallant_0005;
EXECUTE gallant_0005;
DEALLOCATE PREPARE gallant_0005;
