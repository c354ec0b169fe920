-- `wirewatch status`: the last scheduled or manual poll (an ingest run), whether it finished.
SELECT started_at, finished_at, new, errors FROM runs WHERE kind = 'ingest' ORDER BY started_at DESC LIMIT 1;
