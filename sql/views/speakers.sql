-- One row per speaker across the archive: the fullest name, every title and organisation given,
-- how many quotes, articles and stories, and the first and last day they spoke (when said, else
-- the article's date).
CREATE OR REPLACE VIEW speakers AS
SELECT
    substring(md5(speaker_key), 1, 16) AS speaker_id,
    arg_max(speaker, length(speaker)) AS speaker,
    list_sort(list_distinct(list(speaker_title) FILTER (WHERE speaker_title IS NOT NULL))) AS titles,
    list_sort(list_distinct(list(speaker_org) FILTER (WHERE speaker_org IS NOT NULL))) AS organisations,
    count(*) AS quotes,
    count(DISTINCT article_id) AS articles,
    count(DISTINCT story_id) AS stories,
    min(coalesce(said_at, article_date)) AS first_said,
    max(coalesce(said_at, article_date)) AS last_said
FROM quotes
WHERE speaker_key IS NOT NULL
GROUP BY speaker_key;
