-- 0017: national do-not-disturb registries (issue 12). A registry is a
-- country's list of numbers no account may message, replaced whole by
-- each import (gallant admin dnd import FILE --country CC): its numbers
-- are stored packed (consent's 8-byte form, sorted, up to 65,536 per
-- chunk), so that ten million load and store in seconds, and every
-- instance reloads a registry whose version changed.
CREATE TABLE IF NOT EXISTS dnd_registries (
    country     VARCHAR(8) NOT NULL PRIMARY KEY,
    version     BIGINT NOT NULL,
    count       BIGINT NOT NULL,
    imported_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS dnd_chunks (
    country VARCHAR(8) NOT NULL,
    seq     BIGINT NOT NULL,
    numbers LONGBLOB NOT NULL,
    PRIMARY KEY (country, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
