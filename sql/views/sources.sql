-- Every source that has been polled: validators for conditional GET, health and volume.
CREATE OR REPLACE VIEW sources AS
SELECT
    s.name, s.kind, s.url, s.last_poll, s.last_status, s.last_error, s.etag, s.last_modified,
    s.consecutive_failures, s.items_seen,
    (SELECT count(*) FROM article_rows a WHERE a.is_current AND a.source = s.name) AS articles_stored
FROM source_rows s;
