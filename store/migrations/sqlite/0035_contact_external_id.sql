-- 0035: a contact's id in another system (a CRM's record id), unique per
-- account, so that a CRM sync can upsert by it (POST /v1/contacts:upsert).
-- NULL when none: a unique index allows many NULLs.
ALTER TABLE contacts ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS contacts_external ON contacts (account_id, external_id);
