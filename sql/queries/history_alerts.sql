-- The alerts due for stored matches (--alert-history; insert_due_alerts writes them): after a
-- new or changed topic rule has re-evaluated the window, each (topic, story, channel) that has a
-- match of an article since $since and no alert yet gets one, for its best-scoring match.
CREATE OR REPLACE TEMP TABLE due_alerts AS
WITH routes AS (
    SELECT topic::VARCHAR AS topic, channel_key::VARCHAR AS channel_key, channel::VARCHAR AS channel
    FROM batch_routes_input
),
wanted AS (
    SELECT m.topic, a.story_id, m.article_id, a.revision, m.score, m.terms, m.snippet, r.channel_key, r.channel
    FROM topic_match_rows m
    JOIN article_rows a ON a.article_id = m.article_id AND a.is_current AND a.revision = m.revision
    JOIN routes r ON r.topic = m.topic
    WHERE a.event_at >= $since
),
due AS (
    SELECT w.*
    FROM wanted w
    ANTI JOIN alert_rows x ON x.topic = w.topic AND x.story_id = w.story_id AND x.channel_key = w.channel_key
    QUALIFY row_number() OVER (PARTITION BY topic, story_id, channel_key ORDER BY score DESC, article_id) = 1
)
SELECT * FROM due;
