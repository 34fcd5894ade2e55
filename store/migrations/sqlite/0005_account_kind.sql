-- 0005: what kind of account each is (SQLite): 'customer' (the default),
-- 'reseller' (sells to sub-accounts of its own) or 'platform' (the
-- operator's own account, whose admin keys act as platform admin).
ALTER TABLE accounts ADD COLUMN kind TEXT NOT NULL DEFAULT 'customer';
