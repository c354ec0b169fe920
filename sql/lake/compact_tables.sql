-- The lake's tables, each compacted in pieces of its own (one piece's commit is small and a
-- failed piece loses only itself).
SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $alias ORDER BY schema_name, table_name;
