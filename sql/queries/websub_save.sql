-- Subscriptions as they are now, replacing the stored row of each source (no key constraints:
-- a lake has none), and those of the sources in websub_forget_input dropped.
DELETE FROM websub_subscriptions
WHERE source IN (SELECT source::VARCHAR FROM websub_save_input)
   OR source IN (SELECT source::VARCHAR FROM websub_forget_input);

INSERT INTO websub_subscriptions BY NAME
SELECT source::VARCHAR AS source, feed_url::VARCHAR AS feed_url, state::VARCHAR AS state, topic::VARCHAR AS topic,
    hub::VARCHAR AS hub, token::VARCHAR AS token, secret::VARCHAR AS secret, lease_seconds::INTEGER AS lease_seconds,
    requested_at::TIMESTAMP AS requested_at, verified_at::TIMESTAMP AS verified_at, expires_at::TIMESTAMP AS expires_at,
    checked_at::TIMESTAMP AS checked_at, attempts::INTEGER AS attempts, last_error::VARCHAR AS last_error,
    pushes::BIGINT AS pushes, $now AS updated_at
FROM websub_save_input;
