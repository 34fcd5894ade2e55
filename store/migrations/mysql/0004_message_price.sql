-- 0004: what each message costs its account (MySQL 8 / MariaDB 10.6+), in
-- micro-units of the account's currency over all its segments; 0 when
-- billing is off. MySQL 8 has no ADD COLUMN IF NOT EXISTS, so the ALTER
-- is prepared only when the column is missing: re-running the migration
-- after an interruption is harmless. All statements run on one connection
-- (see Migrate), which keeps @gallant_0004 between them.
SET @gallant_0004 = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'messages' AND column_name = 'price_micros') = 0, 'ALTER TABLE messages ADD COLUMN price_micros BIGINT NOT NULL DEFAULT 0', 'DO 0');
PREPARE gallant_0004 FROM @gallant_0004;
EXECUTE gallant_0004;
DEALLOCATE PREPARE gallant_0004;
