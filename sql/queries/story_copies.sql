-- `wirewatch story ID`: the exact copies of the story's articles that were counted, not stored.
SELECT source, guid, url, copy_of, rule, seen_at
FROM copy_decisions
WHERE story_id = $story_id
ORDER BY seen_at, source, guid;
