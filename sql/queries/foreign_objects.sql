-- What the file already holds, before wirewatch adds anything: the names of its tables and views
-- other than wirewatch's schema_migrations, and whether that table is there. A file with other
-- objects and no schema_migrations belongs to another application and is left alone.
WITH objects AS (
    SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
    UNION ALL
    SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
)
SELECT
    coalesce(list(name ORDER BY name) FILTER (WHERE name <> 'schema_migrations'), []) AS others,
    coalesce(bool_or(name = 'schema_migrations'), false) AS is_archive
FROM objects;
