-- The source's wirewatch tables that hold data (not its schema bookkeeping), with their rows,
-- if it is a wirewatch archive at all (is_archive: it has schema_migrations).
SELECT
    coalesce(list(table_name ORDER BY table_name) FILTER (WHERE table_name NOT IN ('schema_migrations', 'schema_views', 'archive_migrations')), []) AS data_tables,
    coalesce(bool_or(table_name = 'schema_migrations'), false) AS is_archive
FROM duckdb_tables()
WHERE database_name = 'migrate_source' AND NOT internal;
