-- 0032: a webhook secret sealed at rest (store/seal.go: "gs1:" and the
-- key id, nonce, ciphertext and tag in base64) is about 1.4 times the
-- secret plus 42 characters: 255-byte secrets need 400.
ALTER TABLE accounts MODIFY webhook_secret VARCHAR(512) NOT NULL DEFAULT '';
