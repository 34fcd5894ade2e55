-- 0008: nothing on MySQL. SQLite drops the (account_id, dst_addr, id)
-- index of messages here (see the SQLite file); MySQL keeps it: InnoDB's
-- change buffer absorbs the random inserts (no measurable gain without it).
DO 0;
