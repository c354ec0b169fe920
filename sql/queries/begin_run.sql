INSERT INTO run_rows BY NAME
SELECT $run_id AS run_id, $kind AS kind, $now AS started_at, 'running' AS status, $host AS host, $pid AS pid;
