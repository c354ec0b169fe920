-- `wirewatch status`: the last topic alert created, its outcome, and when its channel took it.
SELECT topic, status, created_at, sent_at FROM alerts ORDER BY created_at DESC, alert_id LIMIT 1;
