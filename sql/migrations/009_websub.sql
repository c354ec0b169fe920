-- WebSub push subscriptions (wirewatch.sources.websub, wirewatch.run.push): one row per feed source whose
-- hub was looked for, so that `serve` survives a restart without subscribing anew, renews each
-- lease before it ends, and can unsubscribe a source that was removed or disabled.
CREATE TABLE websub_subscriptions (
    source VARCHAR NOT NULL,              -- the source's name
    feed_url VARCHAR NOT NULL,            -- the source's URL when subscribed
    state VARCHAR NOT NULL,               -- requested | active | unsubscribing | denied | nohub
    topic VARCHAR,                        -- hub.topic (the feed's rel="self", else its URL)
    hub VARCHAR,
    token VARCHAR,                        -- the callback URL's last part
    secret VARCHAR,                       -- hub.secret: the HMAC key of the notifications
    lease_seconds INTEGER,                -- as the hub granted it
    requested_at TIMESTAMP,               -- UTC, as every time here
    verified_at TIMESTAMP,
    expires_at TIMESTAMP,
    checked_at TIMESTAMP,                 -- the last discovery
    attempts INTEGER NOT NULL DEFAULT 0,  -- requests since the last verification
    last_error VARCHAR,
    pushes BIGINT NOT NULL DEFAULT 0,     -- notifications stored
    updated_at TIMESTAMP NOT NULL
);

-- Requests to the callback endpoint that were refused, by reason (bad_signature, unsigned,
-- unknown_subscription, too_large, rate_limited, queue_full, ...), so that an attack or a
-- misbehaving hub shows in the archive and not only in a log.
CREATE TABLE websub_refusals (
    reason VARCHAR NOT NULL,
    count BIGINT NOT NULL,
    last_at TIMESTAMP NOT NULL
);
