-- Stored articles of a time window (publication time, else fetch, else first seen), oldest
-- first, a page at a time: the page after (after_at, after_id), or the first when after_at is NULL.
SELECT
    article_id, story_id, revision, source, url, guid, section, headline, subtitle,
    dateline_raw, dateline_place, dateline_region, dateline_date_text, dateline_date,
    dateline_date_source, agency, agency_raw, dateline_separator, body, published_at, fetched_at,
    lang, provenance, event_at
FROM article_rows
WHERE is_current
    AND event_at >= $since
    AND ($after_at IS NULL OR event_at > $after_at OR (event_at = $after_at AND article_id > $after_id))
ORDER BY event_at, article_id
LIMIT $limit;
