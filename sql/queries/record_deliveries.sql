-- Delivery outcomes: a sent alert is done (sent_at: when its channel accepted it, else the run's now); a failed one is retried after backoff_seconds,
-- doubled on each further failure, and fails for good after max_attempts attempts.
UPDATE alert_rows AS a SET
    attempts = a.attempts + 1,
    status = CASE
        WHEN r.ok::BOOLEAN THEN 'sent'
        WHEN a.attempts + 1 >= $max_attempts THEN 'failed'
        ELSE 'pending'
    END,
    sent_at = CASE WHEN r.ok::BOOLEAN THEN coalesce(r.sent_at::TIMESTAMP, $now) ELSE a.sent_at END,
    error = CASE WHEN r.ok::BOOLEAN THEN NULL ELSE coalesce(r.error::VARCHAR, 'delivery failed') END,
    next_attempt_at = CASE
        WHEN r.ok::BOOLEAN OR a.attempts + 1 >= $max_attempts THEN NULL
        ELSE $now + to_microseconds(CAST($backoff_seconds * 1e6 * pow(2, a.attempts) AS BIGINT))
    END
FROM delivery_input AS r
WHERE a.alert_id = r.alert_id::VARCHAR AND a.status = 'pending';
