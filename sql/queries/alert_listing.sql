-- `wirewatch alerts list`: the outbox with the headline of the article that triggered each alert
-- and when a pending one is next tried.
SELECT
    al.alert_id, al.topic, al.story_id, al.article_id, a.headline, al.channel, al.status, al.attempts,
    al.created_at, al.sent_at, al.next_attempt_at, al.error
FROM alerts al
LEFT JOIN article_rows a ON a.article_id = al.article_id AND a.is_current
WHERE $status IS NULL OR al.status = $status
ORDER BY al.created_at DESC, al.alert_id;
