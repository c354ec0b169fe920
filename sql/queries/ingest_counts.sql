-- Add this batch's counts to its run (a run nobody began is begun here).
INSERT INTO run_rows BY NAME
SELECT $run_id AS run_id, 'batch' AS kind, $now AS started_at
WHERE NOT EXISTS (SELECT 1 FROM run_rows WHERE run_id = $run_id);

UPDATE run_rows SET
    fetched = fetched + $fetched,
    new = new + $new,
    duplicate = duplicate + $duplicate,
    revised = revised + $revised,
    rejected = rejected + $rejected,
    flagged = flagged + $flagged,
    alerts = alerts + $alerts
WHERE run_id = $run_id;
