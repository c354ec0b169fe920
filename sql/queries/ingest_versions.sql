-- Write the batch's versions (new articles and revisions), unless already stored. Versions are
-- append-only: a replaced version keeps its text and is only marked (ingest_mark_replaced).
INSERT INTO article_rows BY NAME
WITH stored AS (  -- a safety net: versions already there are not written twice
    SELECT article_key, revision
    FROM article_rows
    WHERE article_key IN (SELECT article_key FROM batch_versions)
)
SELECT
    v.article_id, v.article_key, v.revision, v.is_final AS is_current, v.story_id, v.source, v.url,
    v.url_norm, v.guid, v.section, v.headline, v.subtitle, v.dateline_raw, v.dateline_place,
    v.dateline_region, v.dateline_date_text, v.dateline_date, v.dateline_date_source, v.agency,
    v.agency_raw, v.dateline_separator, v.published_at, v.fetched_at, v.event_at,
    coalesce(v.first_seen_at, $now) AS first_seen_at, $now AS stored_at, v.body, v.content_hash,
    v.text_hash, v.url_key, v.content_key, v.lang, v.provenance, v.story_relation, v.similarity,
    v.similar_to, $run_id AS run_id,
    v.format, v.version, v.pub_status, v.urgency, v.priority, v.slugline, v.byline, v.take_key, v.signals,
    v.subjects, v.ednote, v.correction
FROM batch_versions v
ANTI JOIN stored s ON s.article_key = v.article_key AND s.revision = v.revision;
