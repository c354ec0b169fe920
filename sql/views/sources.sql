-- Every source that has been polled: validators for conditional GET, health and volume, and its
-- cadence (the interval its last poll left for the next one, and when that next one is due).
CREATE OR REPLACE VIEW sources AS
SELECT
    s.name, s.kind, s.url, s.last_poll, s.last_status, s.last_error, s.etag, s.last_modified,
    s.consecutive_failures, s.items_seen,
    (SELECT count(*) FROM article_rows a WHERE a.is_current AND a.source = s.name) AS articles_stored,
    s.poll_interval, s.last_new_at,
    s.last_poll + to_microseconds(CAST(s.poll_interval * 1e6 AS BIGINT)) AS next_poll_at
FROM source_rows s;
