-- Stored articles sharing an LSH band with a batch row, within the story window of its time;
-- with their signatures, for the caller to verify by estimated Jaccard. The window is checked
-- on the few candidates, not on the band rows: the band scan is the cost of this query.
WITH probes AS (
    SELECT row::INTEGER AS row, band_key::INTEGER AS band_key, event_at::TIMESTAMP AS event_at
    FROM batch_bands_input
),
near AS (
    SELECT DISTINCT p.row, p.event_at, b.article_key
    FROM probes p
    JOIN story_band_rows b ON b.band_key = p.band_key
)
SELECT n.row, s.article_id, s.story_id, s.signature
FROM near n
JOIN story_signature_rows s ON s.article_key = n.article_key
WHERE s.event_at BETWEEN n.event_at - to_days($window_days) AND n.event_at + to_days($window_days)
ORDER BY n.row, s.article_id;
