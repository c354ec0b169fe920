-- Before a retag: drop the given topics' matches of the window's articles.
DELETE FROM topic_match_rows
WHERE topic IN (SELECT topic::VARCHAR FROM topic_rules_input)
    AND article_id IN (SELECT article_id FROM article_rows WHERE is_current AND event_at >= $since);
