-- Tables of the open file when it holds some but no schema_migrations: another application's.
SELECT count(*) FILTER (WHERE table_name <> 'schema_migrations') AS others
FROM duckdb_tables()
WHERE database_name = current_database()
HAVING count(*) FILTER (WHERE table_name = 'schema_migrations') = 0;
