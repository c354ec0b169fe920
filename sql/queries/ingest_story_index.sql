-- Index this batch's versions for near-duplicate checks: signature and LSH band keys.
INSERT INTO story_signature_rows
SELECT article_key, article_id, story_id, event_at, signature
FROM batch_versions
WHERE signature IS NOT NULL;

INSERT INTO story_band_rows
SELECT DISTINCT b.band_key::INTEGER, v.article_key, v.event_at
FROM batch_bands_input b
JOIN batch_versions v ON v.row = b.row::INTEGER;
