-- The runs a machine has started that have not ended, with the process running each.
SELECT run_id, pid FROM run_rows WHERE status = 'running' AND host = $host ORDER BY started_at;
