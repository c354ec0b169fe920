SELECT name, kind, url, etag, last_modified, last_poll, last_status, last_error, consecutive_failures, items_seen,
    poll_interval, last_new_at
FROM source_rows
ORDER BY name;
