-- 0034: carrier passwords and the privacy salt sealed at rest
-- (store/seal.go). A sealed password is "gs1:" and the key id, nonce,
-- ciphertext and tag in base64: a 255-byte password needs 384
-- characters. A sealed salt is the 32 bytes and 34 of overhead: 66.
ALTER TABLE carrier_configs MODIFY password VARCHAR(512) NOT NULL;
ALTER TABLE privacy_keys MODIFY salt VARBINARY(128) NOT NULL;
