-- 0024: campaign_recipients_contact finds a contact's campaign recipient
-- rows, so erasing a contact (DELETE /v1/contacts/{id}) deletes the
-- tracked short links sent to it (link_codes.recipient_id is the
-- recipient row's id; a URL may carry the contact's fields) without
-- scanning every campaign's recipients.
CREATE INDEX IF NOT EXISTS campaign_recipients_contact ON campaign_recipients (contact_id);
