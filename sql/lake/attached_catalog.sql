-- The catalog behind an attached lake: 'sqlite:PATH' or 'postgres:dbname=... host=...'.
SELECT path FROM duckdb_databases() WHERE database_name = $alias AND type = 'ducklake';
