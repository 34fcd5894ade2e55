-- 0008: drop the (account_id, dst_addr, id) index of messages on SQLite.
-- Destinations are random, so every accepted message wrote a random page
-- of that index: it cost the single SQLite writer a third of its
-- throughput (27k -> 41k submit_sm/s without it, bench/RESULTS.md). A
-- "to" filter of GET /v1/messages now walks the account's messages newest
-- first through messages_account, bounded by the page size and the time
-- range. MySQL keeps the index (its change buffer absorbs the cost).
DROP INDEX IF EXISTS messages_account_dst;
