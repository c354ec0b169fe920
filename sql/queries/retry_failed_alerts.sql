-- `wirewatch alerts retry`: failed alerts get a fresh set of attempts; their ids (staged first:
-- a lake takes no RETURNING).
CREATE OR REPLACE TEMP TABLE retried_alerts AS SELECT alert_id FROM alert_rows WHERE status = 'failed';

UPDATE alert_rows SET status = 'pending', attempts = 0, next_attempt_at = NULL
WHERE status = 'failed';

SELECT alert_id FROM retried_alerts;
