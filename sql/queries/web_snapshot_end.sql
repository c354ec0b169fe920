-- The end of a page's read-only transaction (sql/queries/web_snapshot_begin.sql).
ROLLBACK;
