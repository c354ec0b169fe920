-- The alerts due for this batch's matches (insert_due_alerts writes them): at most one per
-- topic, story and channel (the best-scoring match of the batch); a topic that re-alerts on
-- updates gets one more when the match has a term that no earlier alert of that topic, story and
-- channel had.
CREATE OR REPLACE TEMP TABLE due_alerts AS
WITH routes AS (
    SELECT
        topic::VARCHAR AS topic,
        channel_key::VARCHAR AS channel_key,
        channel::VARCHAR AS channel,
        realert::BOOLEAN AS realert
    FROM batch_routes_input
),
wanted AS (
    SELECT
        m.topic, v.story_id, m.article_id, v.revision, v.row, m.score, m.terms, m.snippet,
        r.channel_key, r.channel, r.realert
    FROM staged_matches m
    JOIN batch_versions v ON v.article_id = m.article_id AND v.is_final
    JOIN routes r ON r.topic = m.topic
    WHERE coalesce(v.pub_status, 'usable') = 'usable'  -- withheld and canceled items never alert
),
earlier AS (
    SELECT a.topic, a.story_id, a.channel_key, flatten(list(a.terms)) AS terms
    FROM alert_rows a
    SEMI JOIN wanted w ON a.topic = w.topic AND a.story_id = w.story_id AND a.channel_key = w.channel_key
    GROUP BY ALL
),
due AS (
    SELECT w.*
    FROM wanted w
    LEFT JOIN earlier e USING (topic, story_id, channel_key)
    WHERE e.terms IS NULL
        OR (w.realert AND len(list_filter(w.terms, lambda t: NOT list_contains(e.terms, t))) > 0)
    QUALIFY row_number() OVER (PARTITION BY topic, story_id, channel_key ORDER BY score DESC, row) = 1
)
SELECT * FROM due;
