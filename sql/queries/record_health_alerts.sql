-- The health alerts a run raised, with how many channels took them.
INSERT INTO health_alerts BY NAME
SELECT
    source::VARCHAR AS source, kind::VARCHAR AS kind, failures::INTEGER AS failures, error::VARCHAR AS error,
    $now AS raised_at, $run_id AS run_id, channels::INTEGER AS channels, failed_channels::INTEGER AS failed_channels
FROM batch_health_input;
