-- The GUIDs each source's stored articles carry, for articles first seen since $since: a feed
-- poll leaves out summary-only entries it already has instead of fetching their pages again.
SELECT source, list(DISTINCT guid) AS guids
FROM article_rows
WHERE guid IS NOT NULL AND first_seen_at >= $since
GROUP BY source;
