-- Time to alert: for each alert about an article (WITHDRAWN notices left out), when the article
-- version that triggered it was published (as the item said, when it did), fetched (the start of
-- the poll or import that read it), queued and delivered (when the channel accepted it).
CREATE OR REPLACE VIEW alert_latency AS
SELECT
    al.alert_id, al.topic, a.source, al.story_id, al.article_id, al.channel, al.status,
    a.published_at, a.fetched_at, al.created_at, al.sent_at AS delivered_at,
    date_diff('microsecond', a.published_at, al.sent_at) / 1e6 AS seconds_from_published,
    date_diff('microsecond', a.fetched_at, al.sent_at) / 1e6 AS seconds_from_fetched
FROM alert_rows al
LEFT JOIN article_rows a ON a.article_id = al.article_id AND a.revision = al.revision
WHERE al.withdraws IS NULL;
