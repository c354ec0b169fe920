-- Runs that ended without finishing (Ctrl-C, SIGTERM, an error, or a process found gone): when
-- it was noticed and how; a run that finished meanwhile keeps its record.
UPDATE run_rows SET finished_at = $now, status = $status
WHERE run_id IN (SELECT unnest($run_ids::VARCHAR[])) AND status = 'running';
