-- 0031: held receipts and MOs are claimed before they are sent, so that
-- two senders never both send a row (see HeldClaim); and they are looked
-- up by (system_id, account_id), the way every flush and the
-- cross-instance check ask for them.
ALTER TABLE held_receipts ADD COLUMN claim_token TEXT;
ALTER TABLE held_receipts ADD COLUMN claim_until INTEGER;
CREATE INDEX IF NOT EXISTS held_receipts_owner ON held_receipts (system_id, account_id, id);
DROP INDEX IF EXISTS held_receipts_system;
