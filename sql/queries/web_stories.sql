-- The web view's stories page: the stories with articles in the window [$since, $until) of
-- article time ($until NULL: open), each as the window shows it (its articles, outlets, first
-- and latest headline and the topics they matched there): flagged stories first (those of
-- $topic only when given), then the most recent; only stories with an article from $outlet and
-- one whose headline contains $q (any case), when given. A window keeps the page's cost to the
-- articles it covers rather than the whole archive; the per-article filters run only when given,
-- and outlets (a regular expression over the url) are worked out only for the page's stories.
WITH windowed AS MATERIALIZED (
    SELECT story_id, article_id, event_at, headline, agency, url, source
    FROM article_rows
    WHERE is_current AND event_at >= $since AND ($until IS NULL OR event_at < $until)
),
flagged AS (
    SELECT w.story_id, list(DISTINCT m.topic ORDER BY m.topic) AS topics
    FROM topic_match_rows m
    JOIN windowed w USING (article_id)
    GROUP BY w.story_id
),
spans AS (
    SELECT story_id, min(event_at) AS first_seen, max(event_at) AS last_seen, count(*) AS n_articles
    FROM windowed
    GROUP BY story_id
),
by_outlet AS (
    SELECT DISTINCT story_id FROM windowed WHERE $outlet IS NOT NULL AND outlet(agency, url, source) = $outlet
),
by_headline AS (
    SELECT DISTINCT story_id FROM windowed WHERE $q IS NOT NULL AND contains(lower(headline), lower($q))
),
page AS (
    SELECT s.*, f.topics
    FROM spans s
    LEFT JOIN flagged f USING (story_id)
    WHERE ($topic IS NULL OR list_contains(f.topics, $topic))
        AND ($outlet IS NULL OR s.story_id IN (SELECT story_id FROM by_outlet))
        AND ($q IS NULL OR s.story_id IN (SELECT story_id FROM by_headline))
    ORDER BY f.topics IS NULL, s.last_seen DESC, s.story_id
    LIMIT $limit OFFSET $offset
)
SELECT
    p.story_id,
    arg_min(w.headline, (w.event_at, w.article_id)) AS first_headline,
    arg_max(w.headline, (w.event_at, w.article_id)) AS latest_headline,
    list(DISTINCT outlet(w.agency, w.url, w.source) ORDER BY outlet(w.agency, w.url, w.source)) AS outlets,
    p.n_articles, p.first_seen, p.last_seen, coalesce(p.topics, []) AS topics
FROM page p
JOIN windowed w USING (story_id)
GROUP BY p.story_id, p.n_articles, p.first_seen, p.last_seen, p.topics
ORDER BY p.topics IS NULL, p.last_seen DESC, p.story_id;
