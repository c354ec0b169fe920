-- Pending alerts for stored matches (--alert-history): after a new or changed topic rule has
-- re-evaluated the window, each (topic, story, channel) that has a match of an article since
-- $since and no alert yet gets one, for its best-scoring match.
INSERT INTO alert_rows BY NAME
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
SELECT
    alert_id(topic, story_id, channel_key, article_id, revision) AS alert_id,
    topic, story_id, article_id, revision, channel_key, channel,
    'pending' AS status, 0 AS attempts, $now AS created_at, terms, snippet, $run_id AS run_id
FROM due
RETURNING alert_id;
