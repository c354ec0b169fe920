-- One row per article: its current version. Earlier versions are in article_revisions.
CREATE OR REPLACE VIEW articles AS
SELECT
    article_id, story_id, source, url, guid, section, headline, subtitle,
    dateline_place, dateline_region, dateline_date, agency, published_at, fetched_at, body,
    wire_text(section, headline, subtitle, dateline_raw, body) AS wire_text,
    content_hash, revision, lang,
    dateline_raw, dateline_date_text, dateline_date_source, agency_raw, first_seen_at,
    stored_at AS updated_at, story_relation, similarity, similar_to, url_norm, provenance, run_id,
    format, version, pub_status, urgency, priority, slugline, byline, take_key, signals, subjects, ednote, correction, withdrawn_at
FROM article_rows
WHERE is_current;
