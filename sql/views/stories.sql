-- Stories: articles grouped by near-duplicate text (the same story told by several sources or
-- several times). Times are the articles' publication times (else fetch, else first seen); the
-- canonical headline is the earliest article's. Outlets are who carried it (agency, else the
-- publisher's host, else the feed): one import of Reuters and AP items is two outlets, one source.
CREATE OR REPLACE VIEW stories AS
SELECT
    story_id,
    min(event_at) AS first_seen,
    max(event_at) AS last_seen,
    count(*) AS n_articles,
    count(DISTINCT source) AS n_sources,
    arg_min(headline, (event_at, article_id)) AS headline,
    arg_min(article_id, (event_at, article_id)) AS first_article_id,
    list(DISTINCT source ORDER BY source) AS sources,
    count(DISTINCT outlet(agency, url, source)) AS n_outlets,
    list(DISTINCT outlet(agency, url, source) ORDER BY outlet(agency, url, source)) AS outlets
FROM article_rows
WHERE is_current
GROUP BY story_id;
