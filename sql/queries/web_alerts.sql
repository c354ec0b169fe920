-- The web view's alerts page: the outbox newest first (only $status, $topic when given), with the
-- headline of the article that triggered each alert and its time to alert (alert_latency).
SELECT
    al.alert_id, al.topic, al.story_id, al.article_id, a.headline, al.channel, al.status, al.attempts,
    al.created_at, al.sent_at, al.next_attempt_at,
    round(l.seconds_from_published, 1) AS seconds_from_published,
    round(l.seconds_from_fetched, 1) AS seconds_from_fetched, al.error
FROM alerts al
LEFT JOIN alert_latency l USING (alert_id)
LEFT JOIN article_rows a ON a.article_id = al.article_id AND a.is_current
WHERE ($status IS NULL OR al.status = $status) AND ($topic IS NULL OR al.topic = $topic)
ORDER BY al.created_at DESC, al.alert_id
LIMIT $limit OFFSET $offset;
