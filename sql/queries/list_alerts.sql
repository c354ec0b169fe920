SELECT alert_id, topic, story_id, article_id, channel, status, attempts, created_at, sent_at, error, next_attempt_at, terms
FROM alerts
WHERE $status IS NULL OR status = $status
ORDER BY created_at DESC, alert_id;
