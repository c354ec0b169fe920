-- `wirewatch alerts retry`: failed alerts get a fresh set of attempts.
UPDATE alert_rows SET status = 'pending', attempts = 0, next_attempt_at = NULL
WHERE status = 'failed'
RETURNING alert_id;
