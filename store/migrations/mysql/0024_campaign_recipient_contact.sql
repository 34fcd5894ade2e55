-- 0024: campaign_recipients_contact finds a contact's campaign recipient
-- rows, so erasing a contact (DELETE /v1/contacts/{id}) deletes the
-- tracked short links sent to it (link_codes.recipient_id is the
-- recipient row's id; a URL may carry the contact's fields) without
-- scanning every campaign's recipients. MySQL 8 has no CREATE INDEX IF
-- NOT EXISTS, so it is prepared only when missing (see 0007).
SET @gallant_0024 = IF((SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'campaign_recipients' AND index_name = 'campaign_recipients_contact') = 0, 'CREATE INDEX campaign_recipients_contact ON campaign_recipients (contact_id)', 'DO 0');
PREPARE gallant_0024 FROM @gallant_0024;
EXECUTE gallant_0024;
DEALLOCATE PREPARE gallant_0024;
