-- Pending alerts whose next attempt is due, with what their message needs: the triggering
-- article's headline, link and dateline, the matched terms, and how big the story is now (its
-- outlets: agency, else publisher, else feed; and its articles), the match's score (a digest lists
-- the strongest first), and the article's strongest quote on the topic (attributed first, then the
-- most hits, direct before reported, earliest).
WITH due AS (
    SELECT *
    FROM alert_rows
    WHERE status = 'pending'
        AND attempts < $max_attempts
        AND (next_attempt_at IS NULL OR next_attempt_at <= $now)
),
story_sizes AS (
    SELECT
        story_id, count(DISTINCT outlet(agency, url, source)) AS n_sources, count(*) AS n_articles,
        list(DISTINCT outlet(agency, url, source) ORDER BY outlet(agency, url, source)) AS outlets
    FROM article_rows
    WHERE is_current AND story_id IN (SELECT story_id FROM due)
    GROUP BY story_id
),
scores AS (
    SELECT article_id, revision, topic, max(score) AS score
    FROM topic_match_rows
    WHERE article_id IN (SELECT article_id FROM due)
    GROUP BY ALL
),
strongest AS (
    SELECT
        topic, article_id, text AS quote, speaker AS quote_speaker, speaker_title AS quote_title,
        row_number() OVER (
            PARTITION BY topic, article_id ORDER BY speaker IS NULL, hits DESC, kind = 'indirect', span_start
        ) AS n
    FROM topic_quotes
    WHERE article_id IN (SELECT article_id FROM due)
)
SELECT
    d.alert_id, d.topic, d.story_id, d.article_id, d.channel_key, d.channel, d.attempts,
    a.headline, a.url, a.source, a.dateline_place, a.dateline_date, a.agency, d.terms, d.snippet,
    coalesce(s.n_sources, 0) AS story_sources, coalesce(s.n_articles, 0) AS story_articles,
    d.withdraws, a.urgency,
    list_filter(coalesce(s.outlets, []), lambda o: o <> outlet(a.agency, a.url, a.source)) AS story_outlets,
    coalesce(m.score, 0.0) AS score,
    q.quote, q.quote_speaker, q.quote_title
FROM due d
LEFT JOIN article_rows a ON a.article_id = d.article_id AND a.is_current
LEFT JOIN story_sizes s ON s.story_id = d.story_id
LEFT JOIN scores m ON m.article_id = d.article_id AND m.revision = d.revision AND m.topic = d.topic
LEFT JOIN strongest q ON q.topic = d.topic AND q.article_id = d.article_id AND q.n = 1
ORDER BY d.created_at, d.alert_id;
