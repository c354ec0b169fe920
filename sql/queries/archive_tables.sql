-- The archive's own tables (of the default database: the lake, or the DuckDB file).
SELECT coalesce(list(table_name ORDER BY table_name), []) FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal;
