-- The web view's story page: why each of the story's articles ($article_ids, as
-- web_story_articles listed them) matched each topic, with the spans the alert evidence was cut
-- from (field, character offsets into that field). Given the ids, the matches are read without
-- looking the story up again over every article of the archive.
SELECT article_id, topic, score, terms, spans, snippet
FROM topic_match_rows
WHERE list_contains($article_ids::VARCHAR[], article_id)
ORDER BY article_id, topic;
