-- Stories: articles grouped by near-duplicate text (the same story told by several sources or
-- several times). Times are the articles' publication times (else fetch, else first seen); the
-- canonical headline is the earliest article's.
CREATE OR REPLACE VIEW stories AS
SELECT
    story_id,
    min(event_at) AS first_seen,
    max(event_at) AS last_seen,
    count(*) AS n_articles,
    count(DISTINCT source) AS n_sources,
    arg_min(headline, (event_at, article_id)) AS headline,
    arg_min(article_id, (event_at, article_id)) AS first_article_id,
    list(DISTINCT source ORDER BY source) AS sources
FROM article_rows
WHERE is_current
GROUP BY story_id;
