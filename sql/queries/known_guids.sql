-- The GUIDs each source's stored articles carry, and those of its items dropped as copies of
-- stored articles, first seen since $since: a feed poll leaves out summary-only entries it
-- already has instead of fetching their pages again.
SELECT source, list(DISTINCT guid) AS guids
FROM (
    SELECT source, guid FROM article_rows WHERE guid IS NOT NULL AND first_seen_at >= $since
    UNION ALL
    SELECT source, guid FROM copied_guid_rows WHERE seen_at >= $since
)
GROUP BY source;
