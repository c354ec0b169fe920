-- The refused callback requests by reason (`wirewatch websub`, tests).
SELECT reason, count, last_at FROM websub_refusals ORDER BY reason;
