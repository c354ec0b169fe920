-- The web view's story page: every stored article of story $story_id, oldest first (as `wirewatch
-- story`), with the text the matched spans point into (headline, body and dateline fields).
SELECT
    article_id, story_relation AS relation, outlet(agency, url, source) AS outlet, source, agency,
    dateline_place, dateline_date, concat_ws(', ', dateline_place, dateline_date::VARCHAR) AS dateline,
    published_at, fetched_at, revision, round(similarity, 2) AS similarity, similar_to, url,
    section, headline, subtitle, body
FROM articles
WHERE story_id = $story_id
ORDER BY coalesce(published_at, fetched_at, first_seen_at), story_relation <> 'first', article_id
LIMIT $limit;
