-- The web view's alerts page: the outbox newest first (only $status, $topic when given), with the
-- headline of the article that triggered each alert and its time to alert (alert_latency). The
-- page's rows are chosen first, so that only they are joined to the articles.
WITH page AS MATERIALIZED (
    SELECT alert_id, topic, story_id, article_id, channel, status, attempts, created_at, sent_at, next_attempt_at, error
    FROM alerts
    WHERE ($status IS NULL OR status = $status) AND ($topic IS NULL OR topic = $topic)
    ORDER BY created_at DESC, alert_id
    LIMIT $limit OFFSET $offset
)
SELECT
    al.alert_id, al.topic, al.story_id, al.article_id, a.headline, al.channel, al.status, al.attempts,
    al.created_at, al.sent_at, al.next_attempt_at,
    round(l.seconds_from_published, 1) AS seconds_from_published,
    round(l.seconds_from_fetched, 1) AS seconds_from_fetched, al.error
FROM page al
LEFT JOIN alert_latency l ON l.alert_id = al.alert_id AND l.alert_id IN (SELECT alert_id FROM page)
LEFT JOIN article_rows a ON a.article_id = al.article_id AND a.is_current
    AND a.article_id IN (SELECT article_id FROM page)
ORDER BY al.created_at DESC, al.alert_id;
