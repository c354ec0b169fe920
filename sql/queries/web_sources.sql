-- The web view's sources page: every polled source's health, volume and cadence (the sources
-- view), failing ones first.
SELECT
    name, kind, url, last_status, last_error, consecutive_failures, last_poll, next_poll_at,
    poll_interval, items_seen, articles_stored, last_new_at
FROM sources
ORDER BY consecutive_failures DESC, name
LIMIT $limit OFFSET $offset;
