SELECT name, kind, url, etag, last_modified, last_poll, last_status, last_error, consecutive_failures, items_seen
FROM source_rows
ORDER BY name;
