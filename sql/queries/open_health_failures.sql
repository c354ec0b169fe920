-- Sources whose last health alert said 'failing': each streak alerts once, and their next good
-- poll raises the 'recovered' alert.
SELECT source, failures, raised_at
FROM health_alerts
QUALIFY row_number() OVER (PARTITION BY source ORDER BY raised_at DESC, kind = 'recovered' DESC) = 1 AND kind = 'failing';
