-- A reader's session may read the lake and nothing else: its Parquet folder (and a SQLite
-- catalog) stay reachable, every other file, extension and ATTACH is refused, and the settings
-- are locked so that a query cannot SET them back. DuckLake must read its own files, so this is
-- a list of allowed places rather than DuckDB's "no external access" of a file archive.
SET allowed_directories = $directories;
SET allowed_paths = $paths;
SET enable_external_access = false;
SET lock_configuration = true;
