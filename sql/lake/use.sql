-- The lake becomes the session's default database: the archive's statements name its tables
-- unqualified, as they do in a DuckDB file.
USE {alias};
