-- One merge at a time across every process and machine writing a lake with a PostgreSQL
-- catalog: DuckLake has no unique constraints, so two anti-join merges running at once would
-- both insert the same new key. A transaction-scoped advisory lock taken in the catalog database
-- (on a connection of its own, in a transaction kept open for the whole merge) is released when
-- that transaction ends, also when the process dies.
CALL postgres_execute($metadata, 'SELECT pg_advisory_xact_lock(hashtext(''wirewatch lake merge''))');
