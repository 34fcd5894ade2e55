-- 0032: a webhook secret sealed at rest is longer than the secret
-- (store/seal.go). SQLite's TEXT has no length: nothing to change here.
SELECT 1;
