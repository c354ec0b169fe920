-- `wirewatch quotes`: who said what, newest first; optionally only one speaker's (any part of the
-- name, every quote of the same person), only those on a topic (holding its hit), only since a day.
SELECT
    q.article_date AS date, q.speaker, q.speaker_title AS title, q.kind, q.text, q.cue,
    q.said_at, q.said_at_source, q.source, q.article_id, q.story_id
FROM quotes q
WHERE ($speaker IS NULL OR q.speaker_key IN (
        SELECT speaker_key FROM quotes WHERE speaker ILIKE '%' || $speaker || '%'))
    AND ($since IS NULL OR coalesce(q.said_at, q.article_date) >= CAST($since AS DATE))
    AND ($topic IS NULL OR EXISTS (
        SELECT 1 FROM topic_quotes t
        WHERE t.topic = $topic AND t.article_id = q.article_id AND t.quote_no = q.quote_no))
ORDER BY coalesce(q.said_at, q.article_date) DESC, q.article_id, q.span_start
LIMIT $limit;
