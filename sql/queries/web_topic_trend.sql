-- The web view's trend chart: matched articles and stories per topic and $unit ('hour' or 'day')
-- of article time over [$start, $end), every bucket present (zero when quiet) so that a spike
-- stands against the topic's ordinary days.
WITH buckets AS (
    SELECT unnest(generate_series(
        date_trunc($unit, $start::TIMESTAMP),
        $end::TIMESTAMP - INTERVAL 1 MICROSECOND,
        CASE $unit WHEN 'hour' THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END
    )) AS bucket
),
topics AS (
    SELECT unnest($configured::VARCHAR[]) AS topic UNION SELECT DISTINCT topic FROM topic_match_rows
),
matched AS MATERIALIZED (
    SELECT DISTINCT m.topic, a.article_id, a.story_id, date_trunc($unit, a.event_at) AS bucket
    FROM topic_match_rows m
    JOIN article_rows a ON a.article_id = m.article_id AND a.is_current
    WHERE a.event_at >= $start AND a.event_at < $end
),
counts AS (
    SELECT topic, bucket, count(*) AS articles, count(DISTINCT story_id) AS stories
    FROM matched GROUP BY topic, bucket
)
SELECT t.topic, b.bucket, coalesce(c.articles, 0) AS articles, coalesce(c.stories, 0) AS stories
FROM topics t
CROSS JOIN buckets b
LEFT JOIN counts c ON c.topic = t.topic AND c.bucket = b.bucket
ORDER BY t.topic, b.bucket;
