-- `wirewatch status`: the last health alert (a source failing or recovered).
SELECT source, kind, failures, raised_at FROM health_alerts ORDER BY raised_at DESC, kind LIMIT 1;
