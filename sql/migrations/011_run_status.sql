-- A run's outcome, so that a run stopped by Ctrl-C, SIGTERM, an error or kill -9 does not look
-- as if it were still running: running | finished | interrupted | failed (NULL: a run recorded
-- before this column; finished_at tells). host and pid name the process that runs it, so that
-- the next run on that machine can mark a run whose process is gone as interrupted.
ALTER TABLE run_rows ADD COLUMN status VARCHAR;
ALTER TABLE run_rows ADD COLUMN host VARCHAR;
ALTER TABLE run_rows ADD COLUMN pid BIGINT;
