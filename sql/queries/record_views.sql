-- The views were (re)defined from sql/views/ with this digest.
DELETE FROM schema_views;
INSERT INTO schema_views VALUES ($digest, $now);
