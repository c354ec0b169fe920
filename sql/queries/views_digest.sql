-- The digest of the views the archive holds (none before the first definition).
SELECT max_by(digest, applied_at) FROM schema_views HAVING count(*) > 0;
