-- Before the batch's versions are written: the versions they replace, and which fields each
-- replaced version's successor changed. These are the current stored version of every article
-- the batch revises, and each batch version followed by another of the same batch; with when
-- each was stored (NULL: in this batch).
CREATE OR REPLACE TEMP TABLE batch_replaced AS
WITH versions AS (
    SELECT article_key, revision, section, headline, subtitle, dateline_raw, content_hash, url, stored_at
    FROM article_rows
    WHERE is_current AND article_key IN (SELECT article_key FROM batch_versions WHERE status = 'revised')
    UNION ALL
    SELECT article_key, revision, section, headline, subtitle, dateline_raw, content_hash, url, NULL::TIMESTAMP
    FROM batch_versions
    WHERE article_key IN (SELECT article_key FROM batch_versions WHERE status = 'revised')
),
successive AS (
    SELECT
        article_key,
        revision,
        stored_at,
        lead(revision) OVER next_version AS next_revision,
        concat_ws(
            ',',
            CASE WHEN section IS DISTINCT FROM lead(section) OVER next_version THEN 'section' END,
            CASE WHEN headline IS DISTINCT FROM lead(headline) OVER next_version THEN 'headline' END,
            CASE WHEN subtitle IS DISTINCT FROM lead(subtitle) OVER next_version THEN 'subtitle' END,
            CASE WHEN dateline_raw IS DISTINCT FROM lead(dateline_raw) OVER next_version THEN 'dateline' END,
            CASE WHEN content_hash IS DISTINCT FROM lead(content_hash) OVER next_version THEN 'body' END,
            CASE WHEN url IS DISTINCT FROM lead(url) OVER next_version THEN 'url' END
        ) AS changed
    FROM versions
    WINDOW next_version AS (PARTITION BY article_key ORDER BY revision)
)
SELECT article_key, revision, changed, stored_at FROM successive WHERE next_revision IS NOT NULL;
