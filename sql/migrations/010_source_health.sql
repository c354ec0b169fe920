-- Source health alerts: a source failing alerts.alert_after_failures polls in a row raises one
-- 'failing' alert to the channels, and one 'recovered' when a poll succeeds again. The failure
-- streak itself is source_rows.consecutive_failures; this table remembers what was raised, so
-- that each streak alerts once, and `wirewatch status` shows the last one.
CREATE TABLE health_alerts (
    source VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                -- 'failing' | 'recovered'
    failures INTEGER NOT NULL,            -- failed polls in a row (when failing: so far; when recovered: the streak that ended)
    error VARCHAR,                        -- the last poll's error (failing)
    raised_at TIMESTAMP NOT NULL,         -- UTC
    run_id VARCHAR,
    channels INTEGER NOT NULL,            -- channels it was sent to
    failed_channels INTEGER NOT NULL      -- of those, the ones that did not accept it
);
