-- The web view's topics page: each topic (the configured ones in $configured and any with stored
-- matches) with what its matches came to in the window [$start, $end) of article time: articles,
-- stories, outlets (the busiest first, with their article counts) and its alerts (sent of all).
WITH matched AS MATERIALIZED (
    SELECT DISTINCT m.topic, a.article_id, a.story_id, outlet(a.agency, a.url, a.source) AS outlet
    FROM topic_match_rows m
    JOIN article_rows a ON a.article_id = m.article_id AND a.is_current
    WHERE a.event_at >= $start AND a.event_at < $end
),
by_outlet AS (
    SELECT topic, outlet, count(*) AS articles FROM matched GROUP BY topic, outlet
),
outlets AS (
    SELECT topic, count(*) AS n_outlets,
        list({'outlet': outlet, 'articles': articles} ORDER BY articles DESC, outlet)[1:8] AS top_outlets
    FROM by_outlet GROUP BY topic
),
totals AS (
    SELECT topic, count(*) AS articles, count(DISTINCT story_id) AS stories FROM matched GROUP BY topic
),
sent AS (
    SELECT al.topic, count(*) AS alerts, count(*) FILTER (WHERE al.status = 'sent') AS alerts_sent
    FROM alert_rows al
    JOIN article_rows a ON a.article_id = al.article_id AND a.revision = al.revision
    WHERE al.withdraws IS NULL AND a.event_at >= $start AND a.event_at < $end
    GROUP BY al.topic
),
topics AS (
    SELECT unnest($configured::VARCHAR[]) AS topic UNION SELECT DISTINCT topic FROM topic_match_rows
)
SELECT
    t.topic, coalesce(s.stories, 0) AS stories, coalesce(s.articles, 0) AS articles,
    coalesce(o.n_outlets, 0) AS n_outlets, coalesce(o.top_outlets, []) AS top_outlets,
    coalesce(al.alerts, 0) AS alerts, coalesce(al.alerts_sent, 0) AS alerts_sent
FROM topics t
LEFT JOIN totals s USING (topic)
LEFT JOIN outlets o USING (topic)
LEFT JOIN sent al USING (topic)
ORDER BY stories DESC, t.topic;
