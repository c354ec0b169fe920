-- The web view's story page: why each article of story $story_id matched each topic, with the
-- spans the alert evidence was cut from (field, character offsets into that field).
SELECT article_id, topic, score, terms, spans, snippet
FROM topic_matches
WHERE story_id = $story_id
ORDER BY article_id, topic;
