-- Exact copies counted but not stored (the story window's): the item (source, GUID, URL), the
-- stored article it copied, that article's story, and the rule (guid | url | content hash).
CREATE OR REPLACE VIEW copy_decisions AS
SELECT
    c.seen_at, c.run_id, c.source, c.guid, c.url, c.article_id AS copy_of, a.story_id, c.rule
FROM copy_decision_rows c
LEFT JOIN article_rows a ON a.article_id = c.article_id AND a.is_current;
