-- 0034: carrier passwords and the privacy salt sealed at rest are longer
-- than their plaintext (store/seal.go). SQLite's TEXT and BLOB have no
-- length: nothing to change here.
SELECT 1;
