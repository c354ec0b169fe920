-- Every earlier version of an article: revision n was replaced at replaced_at by revision n+1,
-- which changed the fields listed in changed (section, headline, subtitle, dateline, body, url).
CREATE OR REPLACE VIEW article_revisions AS
SELECT
    article_id, revision, replaced_at, string_split(changed, ',') AS changed, source, url, guid,
    section, headline, subtitle, dateline_place, dateline_region, dateline_date, agency,
    published_at, fetched_at, body, wire_text(section, headline, subtitle, dateline_raw, body) AS wire_text,
    content_hash, lang, dateline_raw, stored_at, run_id
FROM article_rows
WHERE NOT is_current;
