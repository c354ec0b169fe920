UPDATE run_rows SET finished_at = $now, errors = errors + $errors, status = 'finished' WHERE run_id = $run_id;
