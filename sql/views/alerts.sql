-- The alert outbox: at most one alert per topic, story and channel (one more per new term when
-- the topic re-alerts on updates). channel is the redacted channel URL.
CREATE OR REPLACE VIEW alerts AS
SELECT
    alert_id, topic, story_id, article_id, channel, status, attempts, created_at, sent_at, error,
    next_attempt_at, terms, snippet, channel_key, revision,
    withdraws  -- a "WITHDRAWN" notice: the alert_id it withdraws
FROM alert_rows;
