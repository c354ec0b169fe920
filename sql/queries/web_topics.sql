-- The web view's topics page: each topic (the configured ones in $configured and any with stored
-- matches) with what its matches came to in the window [$start, $end) of article time: articles,
-- stories, outlets (the busiest first, with their article counts), its alerts (sent of all) and
-- its trend: articles and stories per $unit ('hour' or 'day'), every bucket present (zero when
-- quiet) so that a spike stands against the topic's ordinary days. One query, so that the
-- window's matches are read once for all of it.
WITH matched AS MATERIALIZED (
    SELECT DISTINCT m.topic, a.article_id, a.story_id, outlet(a.agency, a.url, a.source) AS outlet,
        date_trunc($unit, a.event_at) AS bucket
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
sent AS (  -- alerts about the window's matched articles (any revision of them)
    SELECT al.topic, count(*) AS alerts, count(*) FILTER (WHERE al.status = 'sent') AS alerts_sent
    FROM alert_rows al
    SEMI JOIN matched w ON w.topic = al.topic AND w.article_id = al.article_id
    WHERE al.withdraws IS NULL
    GROUP BY al.topic
),
topics AS MATERIALIZED (
    SELECT unnest($configured::VARCHAR[]) AS topic UNION SELECT DISTINCT topic FROM topic_match_rows
),
buckets AS (
    SELECT unnest(generate_series(
        date_trunc($unit, $start::TIMESTAMP),
        $end::TIMESTAMP - INTERVAL 1 MICROSECOND,
        CASE $unit WHEN 'hour' THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END
    )) AS bucket
),
counts AS (
    SELECT topic, bucket, count(*) AS articles, count(DISTINCT story_id) AS stories
    FROM matched GROUP BY topic, bucket
),
trend AS (
    SELECT t.topic,
        list({'bucket': b.bucket, 'articles': coalesce(c.articles, 0), 'stories': coalesce(c.stories, 0)} ORDER BY b.bucket) AS trend
    FROM topics t
    CROSS JOIN buckets b
    LEFT JOIN counts c ON c.topic = t.topic AND c.bucket = b.bucket
    GROUP BY t.topic
)
SELECT
    t.topic, coalesce(s.stories, 0) AS stories, coalesce(s.articles, 0) AS articles,
    coalesce(o.n_outlets, 0) AS n_outlets, coalesce(o.top_outlets, []) AS top_outlets,
    coalesce(al.alerts, 0) AS alerts, coalesce(al.alerts_sent, 0) AS alerts_sent, tr.trend
FROM topics t
LEFT JOIN totals s USING (topic)
LEFT JOIN outlets o USING (topic)
LEFT JOIN sent al USING (topic)
LEFT JOIN trend tr USING (topic)
ORDER BY stories DESC, t.topic;
