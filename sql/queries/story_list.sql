-- `wirewatch stories`: flagged stories first (those of $topic only when given), then the most
-- recent; stories last seen before $since left out.
WITH flagged AS (
    SELECT story_id, list(DISTINCT topic ORDER BY topic) AS topics
    FROM topic_matches
    GROUP BY story_id
)
SELECT
    s.story_id, s.headline, s.outlets, s.n_articles, s.first_seen, s.last_seen,
    coalesce(f.topics, []) AS topics
FROM stories s
LEFT JOIN flagged f USING (story_id)
WHERE ($topic IS NULL OR list_contains(f.topics, $topic))
    AND ($since IS NULL OR s.last_seen >= $since)
ORDER BY f.topics IS NULL, s.last_seen DESC, s.story_id
LIMIT $limit;
