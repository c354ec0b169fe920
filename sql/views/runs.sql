-- One row per ingest run (an import or a scheduled poll) with what it did.
CREATE OR REPLACE VIEW runs AS
SELECT
    run_id, kind, started_at, finished_at, fetched, new, duplicate, revised, rejected, flagged,
    alerts, errors,
    date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds
FROM run_rows;
