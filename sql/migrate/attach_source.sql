-- The DuckDB-file archive to move into the lake, attached read-only: it stays as it was.
-- ({source} is the path as a string literal: DuckDB's ATTACH takes no parameter for it.)
ATTACH {source} AS migrate_source (READ_ONLY);
