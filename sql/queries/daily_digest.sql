-- The stories each topic matched among articles first seen since $since (a retag renews
-- matched_at, so it must not count), for the daily digest: one row per (topic, story)
-- with the earliest matching article's headline, link and dateline, the story's size and the
-- union of matched terms, and who spoke on the topic in it. Ordered by topic, then the
-- best-scored stories first.
WITH spoke AS (
    SELECT topic, story_id, list(DISTINCT speaker ORDER BY speaker) AS speakers
    FROM topic_quotes
    WHERE speaker IS NOT NULL
    GROUP BY topic, story_id
)
SELECT
    m.topic,
    a.story_id,
    arg_min(a.headline, (a.first_seen_at, a.article_id)) AS headline,
    arg_min(a.url, (a.first_seen_at, a.article_id)) AS url,
    any_value(s.n_outlets) AS n_sources,  -- outlets, not feeds: one import can carry several
    count(DISTINCT m.article_id) AS n_matching,
    arg_min(a.dateline_place, (a.first_seen_at, a.article_id)) AS dateline_place,
    arg_min(a.dateline_date, (a.first_seen_at, a.article_id)) AS dateline_date,
    arg_min(a.agency, (a.first_seen_at, a.article_id)) AS agency,
    list_sort(list_distinct(flatten(list(m.terms)))) AS terms,
    max(m.score) AS best_score,
    any_value(s.outlets) AS outlets,
    coalesce(any_value(sp.speakers), []) AS speakers
FROM topic_match_rows m
JOIN articles a USING (article_id)
JOIN stories s ON s.story_id = a.story_id
LEFT JOIN spoke sp ON sp.topic = m.topic AND sp.story_id = a.story_id
WHERE a.first_seen_at >= $since
GROUP BY m.topic, a.story_id
ORDER BY m.topic, best_score DESC, a.story_id;
