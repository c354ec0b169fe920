-- `wirewatch story ID`: every stored article of the story, oldest first (the first one first
-- among those of one moment), with how it joined it.
SELECT
    article_id, outlet(agency, url, source) AS outlet, source, agency,
    concat_ws(', ', dateline_place, dateline_date::VARCHAR) AS dateline, story_relation AS relation,
    round(similarity, 2) AS similarity, similar_to, headline
FROM articles
WHERE story_id = $story_id
ORDER BY coalesce(published_at, fetched_at, first_seen_at), story_relation <> 'first', article_id;
