-- One row per ingest run (an import or a scheduled poll) with what it did. status: running,
-- finished, interrupted (Ctrl-C, SIGTERM, or its process was found gone), failed (an error);
-- "unfinished" for a run recorded before runs had a status and never finished.
CREATE OR REPLACE VIEW runs AS
SELECT
    run_id, kind, coalesce(status, CASE WHEN finished_at IS NULL THEN 'unfinished' ELSE 'finished' END) AS status,
    started_at, finished_at, fetched, new, duplicate, revised, rejected, flagged,
    alerts, errors,
    date_diff('millisecond', started_at, finished_at) / 1000.0 AS seconds
FROM run_rows;
