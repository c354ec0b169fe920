-- Per-source cadence: the interval a poll left for the next one (poll_every, or longer while a
-- quiet source backs off) and when a poll last brought an item not seen before.
ALTER TABLE source_rows ADD COLUMN poll_interval DOUBLE;     -- seconds; NULL: polled before this column existed
ALTER TABLE source_rows ADD COLUMN last_new_at TIMESTAMP;    -- UTC
-- Alert latency: sent_at is when the channel accepted the message (it was the run's start
-- before); the triggering version's published_at and fetched_at are in article_rows, joined by
-- (article_id, revision) in the alert_latency view.
