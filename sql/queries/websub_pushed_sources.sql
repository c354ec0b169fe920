-- Sources with a verified subscription whose lease runs past $now: polled at the safety cadence.
SELECT source FROM websub_subscriptions WHERE state = 'active' AND expires_at > $now ORDER BY source;
