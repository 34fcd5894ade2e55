-- 0004: what each message costs its account (SQLite), in micro-units of
-- the account's currency over all its segments; 0 when billing is off.
-- The migration runs in one transaction (see Migrate), so it is applied
-- whole or not at all.
ALTER TABLE messages ADD COLUMN price_micros INTEGER NOT NULL DEFAULT 0;
