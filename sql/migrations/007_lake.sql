-- What an archive needs once it may be a lake (DuckLake keeps views and macros in its catalog).

-- The digest of the views and macros (sql/views/) the archive holds: a writer replaces them only
-- when they changed, so that opening an archive adds no lake snapshot and never competes with
-- other writers to replace the same views.
CREATE TABLE schema_views (
    digest VARCHAR NOT NULL,              -- SHA-256 of the view files' names and text
    applied_at TIMESTAMP NOT NULL
);

-- DuckDB-file archives moved into this one by `wirewatch migrate`: which file (the SHA-256 of
-- its bytes, so a rerun of the same move is recognised) and the rows copied per table.
CREATE TABLE archive_migrations (
    source VARCHAR NOT NULL,              -- the file's path as given
    sha256 VARCHAR NOT NULL,
    counts JSON NOT NULL,                 -- {"article_rows": 1234, ...}
    migrated_at TIMESTAMP NOT NULL
);
