-- `wirewatch story ID`: who said what across the story's copies: each statement once, with the
-- outlets that carried it, in the order the story first reported it.
SELECT
    coalesce(speaker, '(not said)') AS speaker, any_value(speaker_title) AS title, kind, text,
    list_sort(list_distinct(list(source))) AS sources, count(*) AS copies
FROM quotes
WHERE story_id = $story_id
GROUP BY speaker_key, speaker, kind, text
ORDER BY min(article_date), min(span_start);
