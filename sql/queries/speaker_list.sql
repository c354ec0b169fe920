-- `wirewatch speakers`: everyone quoted, most quoted first; with a topic, only those who spoke on
-- it, by how many of their quotes hold its hits.
WITH on_topic AS (
    SELECT substring(md5(speaker_key), 1, 16) AS speaker_id, count(*) AS on_topic
    FROM topic_quotes
    WHERE topic = $topic AND speaker_key IS NOT NULL
    GROUP BY speaker_key
)
SELECT s.speaker_id, s.speaker, s.titles, s.organisations, t.on_topic, s.quotes, s.articles, s.stories,
    s.first_said, s.last_said
FROM speakers s
LEFT JOIN on_topic t ON t.speaker_id = s.speaker_id
WHERE $topic IS NULL OR t.on_topic > 0
ORDER BY coalesce(t.on_topic, 0) DESC, s.quotes DESC, s.speaker
LIMIT $limit;
