-- 0010: sessions that can be ended (issue 10). Idempotent, as 0004: each
-- ALTER is prepared only when its column is missing.
--
-- users.token_version is written into every access token; raising it
-- (log out everywhere, a password change, disabling the user) makes every
-- token issued before refused on every instance. users.disabled_at, when
-- set, refuses the user's logins and sessions. users.self_registered marks
-- a user who signed up on its own (POST /v1/auth/register): until its
-- email is verified it may not send nor manage its account.
-- refresh_tokens.started_at is the login time of the token's family,
-- copied on rotation, so a session has an absolute lifetime
-- (auth.session_max_age); NULL on rows older than this migration, which
-- then count from their own created_at.
SET @gallant_0010a = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'token_version') = 0, 'ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0', 'DO 0');
PREPARE gallant_0010a FROM @gallant_0010a;
EXECUTE gallant_0010a;
DEALLOCATE PREPARE gallant_0010a;
SET @gallant_0010b = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'disabled_at') = 0, 'ALTER TABLE users ADD COLUMN disabled_at DATETIME(6) NULL', 'DO 0');
PREPARE gallant_0010b FROM @gallant_0010b;
EXECUTE gallant_0010b;
DEALLOCATE PREPARE gallant_0010b;
SET @gallant_0010c = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'users' AND column_name = 'self_registered') = 0, 'ALTER TABLE users ADD COLUMN self_registered TINYINT(1) NOT NULL DEFAULT 0', 'DO 0');
PREPARE gallant_0010c FROM @gallant_0010c;
EXECUTE gallant_0010c;
DEALLOCATE PREPARE gallant_0010c;
SET @gallant_0010d = IF((SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'refresh_tokens' AND column_name = 'started_at') = 0, 'ALTER TABLE refresh_tokens ADD COLUMN started_at DATETIME(6) NULL', 'DO 0');
PREPARE gallant_0010d FROM @gallant_0010d;
EXECUTE gallant_0010d;
DEALLOCATE PREPARE gallant_0010d;
