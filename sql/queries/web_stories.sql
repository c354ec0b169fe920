-- The web view's stories page: flagged stories first (those of $topic only when given), then the
-- most recent; only stories with an article from $outlet and one whose headline contains $q (any
-- case), seen on or after $since and first seen before $until, when given. Stories are ranked
-- from their times alone and only the page's $limit rows (after $offset) get headlines and
-- outlets; the per-article filters run only when given (a filter, not an aggregate, skips them).
WITH flagged AS (
    SELECT story_id, list(DISTINCT topic ORDER BY topic) AS topics
    FROM topic_matches
    WHERE story_id IS NOT NULL
    GROUP BY story_id
),
spans AS (
    SELECT story_id, min(event_at) AS first_seen, max(event_at) AS last_seen, count(*) AS n_articles
    FROM article_rows
    WHERE is_current
    GROUP BY story_id
),
by_outlet AS (
    SELECT DISTINCT story_id FROM article_rows
    WHERE $outlet IS NOT NULL AND is_current AND outlet(agency, url, source) = $outlet
),
by_headline AS (
    SELECT DISTINCT story_id FROM article_rows
    WHERE $q IS NOT NULL AND is_current AND contains(lower(headline), lower($q))
),
page AS (
    SELECT s.*, f.topics
    FROM spans s
    LEFT JOIN flagged f USING (story_id)
    WHERE ($topic IS NULL OR list_contains(f.topics, $topic))
        AND ($since IS NULL OR s.last_seen >= $since)
        AND ($until IS NULL OR s.first_seen < $until)
        AND ($outlet IS NULL OR s.story_id IN (SELECT story_id FROM by_outlet))
        AND ($q IS NULL OR s.story_id IN (SELECT story_id FROM by_headline))
    ORDER BY f.topics IS NULL, s.last_seen DESC, s.story_id
    LIMIT $limit OFFSET $offset
)
SELECT
    p.story_id,
    arg_min(a.headline, (a.event_at, a.article_id)) AS first_headline,
    arg_max(a.headline, (a.event_at, a.article_id)) AS latest_headline,
    list(DISTINCT outlet(a.agency, a.url, a.source) ORDER BY outlet(a.agency, a.url, a.source)) AS outlets,
    p.n_articles, p.first_seen, p.last_seen, coalesce(p.topics, []) AS topics
FROM page p
JOIN article_rows a ON a.story_id = p.story_id AND a.is_current
GROUP BY p.story_id, p.n_articles, p.first_seen, p.last_seen, p.topics
ORDER BY p.topics IS NULL, p.last_seen DESC, p.story_id;
