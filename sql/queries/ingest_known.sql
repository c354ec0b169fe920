-- Stored articles that an incoming item points at: the same article id (source + guid), the
-- same normalised URL, or the content hash of any of their versions; with every content and
-- text hash they have had, so that an old version seen again counts as a duplicate.
WITH keys AS (
    SELECT article_key::BIGINT AS article_key, url_key::BIGINT AS url_key, content_key::BIGINT AS content_key
    FROM batch_keys_input
),
hits AS (
    SELECT article_key FROM article_rows WHERE article_key IN (SELECT article_key FROM keys)
    UNION
    SELECT article_key FROM article_rows WHERE url_key IN (SELECT url_key FROM keys)
    UNION
    SELECT article_key FROM article_rows WHERE content_key IN (SELECT content_key FROM keys)
)
SELECT
    article_id,
    arg_max(url_norm, revision) AS url_norm,
    arg_max(story_id, revision) AS story_id,
    max(revision) AS revision,
    list(DISTINCT content_hash) AS content_hashes,
    list(DISTINCT text_hash) AS text_hashes,
    -- what a revision of it carries over from its first version
    min(first_seen_at) AS first_seen_at,
    arg_min(story_relation, revision) AS story_relation,
    arg_min(similarity, revision) AS similarity,
    arg_min(similar_to, revision) AS similar_to,
    any_value(source) AS source  -- a URL hit is a revision only within the same source
FROM article_rows
WHERE article_key IN (SELECT article_key FROM hits)
GROUP BY article_id
ORDER BY min(first_seen_at), article_id;
