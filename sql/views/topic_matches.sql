-- Why each article matched a topic: the terms, where they occur (field and character offsets
-- into that field, body offsets into articles.body) and the sentence with the strongest hit.
CREATE OR REPLACE VIEW topic_matches AS
SELECT
    m.article_id, a.story_id, m.topic, m.score, m.terms, m.spans, m.snippet, m.rule_version,
    m.matched_at, m.revision
FROM topic_match_rows m
LEFT JOIN article_rows a ON a.article_id = m.article_id AND a.is_current;
