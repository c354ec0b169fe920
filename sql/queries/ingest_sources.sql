-- Source states polled with this batch: update the known ones, add the others.
UPDATE source_rows AS s SET
    kind = p.kind::VARCHAR, url = p.url::VARCHAR, etag = p.etag::VARCHAR,
    last_modified = p.last_modified::VARCHAR, last_poll = p.last_poll::TIMESTAMP,
    last_status = p.last_status::VARCHAR, last_error = p.last_error::VARCHAR,
    consecutive_failures = p.consecutive_failures::INTEGER, items_seen = p.items_seen::BIGINT,
    poll_interval = p.poll_interval::DOUBLE, last_new_at = p.last_new_at::TIMESTAMP,
    updated_at = $now
FROM batch_sources_input AS p
WHERE s.name = p.name::VARCHAR;

INSERT INTO source_rows BY NAME
SELECT
    name::VARCHAR AS name, kind::VARCHAR AS kind, url::VARCHAR AS url, etag::VARCHAR AS etag,
    last_modified::VARCHAR AS last_modified, last_poll::TIMESTAMP AS last_poll,
    last_status::VARCHAR AS last_status, last_error::VARCHAR AS last_error,
    consecutive_failures::INTEGER AS consecutive_failures, items_seen::BIGINT AS items_seen,
    poll_interval::DOUBLE AS poll_interval, last_new_at::TIMESTAMP AS last_new_at,
    $now AS updated_at
FROM batch_sources_input p
WHERE NOT EXISTS (SELECT 1 FROM source_rows s WHERE s.name = p.name::VARCHAR);
