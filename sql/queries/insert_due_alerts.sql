-- The pending alerts staged in due_alerts (by ingest_alerts or history_alerts), with their ids
-- (read back from the staging table: a lake takes no RETURNING).
INSERT INTO alert_rows BY NAME
SELECT
    alert_id(topic, story_id, channel_key, article_id, revision) AS alert_id,
    topic, story_id, article_id, revision, channel_key, channel,
    'pending' AS status, 0 AS attempts, $now AS created_at, terms, snippet, $run_id AS run_id
FROM due_alerts;

SELECT alert_id(topic, story_id, channel_key, article_id, revision) AS alert_id FROM due_alerts;
