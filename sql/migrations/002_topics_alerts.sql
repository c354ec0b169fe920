-- Why articles matched tracked topics, the topic rule versions they were matched with, and the
-- alert outbox (one row per alert to send; the channel is stored redacted, never its secret).

CREATE TABLE topic_match_rows (
    article_id VARCHAR NOT NULL,
    revision INTEGER NOT NULL,            -- the article version that was matched
    topic VARCHAR NOT NULL,
    score DOUBLE NOT NULL,
    terms VARCHAR[] NOT NULL,
    spans STRUCT(term VARCHAR, field VARCHAR, "start" INTEGER, "end" INTEGER)[] NOT NULL,
    snippet VARCHAR USING COMPRESSION zstd,
    rule_version VARCHAR NOT NULL,
    matched_at TIMESTAMP NOT NULL,
    run_id VARCHAR
);

CREATE TABLE topic_rule_rows (
    topic VARCHAR NOT NULL,
    rule_version VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE alert_rows (
    alert_id VARCHAR NOT NULL,            -- 16 hex digits
    topic VARCHAR NOT NULL,
    story_id VARCHAR NOT NULL,
    article_id VARCHAR NOT NULL,          -- the article that triggered it
    revision INTEGER NOT NULL,
    channel_key VARCHAR NOT NULL,         -- stable hash of the channel URL
    channel VARCHAR NOT NULL,             -- redacted channel URL
    status VARCHAR NOT NULL,              -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP,
    sent_at TIMESTAMP,
    error VARCHAR,                        -- redacted by the sender
    terms VARCHAR[] NOT NULL,             -- the matched terms, as of the triggering article
    snippet VARCHAR USING COMPRESSION zstd,
    run_id VARCHAR
);
