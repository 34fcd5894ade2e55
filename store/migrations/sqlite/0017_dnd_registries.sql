-- 0017: national do-not-disturb registries (issue 12). A registry is a
-- country's list of numbers no account may message, replaced whole by
-- each import (gallant admin dnd import FILE --country CC): its numbers
-- are stored packed (consent's 8-byte form, sorted, up to 65,536 per
-- chunk), so that ten million load and store in seconds, and every
-- instance reloads a registry whose version changed.
CREATE TABLE IF NOT EXISTS dnd_registries (
    country     TEXT NOT NULL PRIMARY KEY,
    version     INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS dnd_chunks (
    country TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    numbers BLOB NOT NULL,
    PRIMARY KEY (country, seq)
) STRICT;
