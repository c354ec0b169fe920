-- Every stored WebSub subscription (wirewatch.run.subscriptions.load): what `serve` plans from.
SELECT source, feed_url, state, topic, hub, token, secret, lease_seconds, requested_at, verified_at, expires_at,
    checked_at, attempts, last_error, pushes
FROM websub_subscriptions
ORDER BY source;
