-- The web view's story page: who said what in story $story_id (the quotes view, when the archive
-- has it), in article and paragraph order.
SELECT article_id, speaker, speaker_title, speaker_org, kind, text, paragraph, cue, said_at
FROM quotes
WHERE story_id = $story_id
ORDER BY article_id, paragraph, span_start
LIMIT $limit;
