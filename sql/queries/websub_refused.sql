-- Refused callback requests counted since the last write, added to the stored counts by reason.
UPDATE websub_refusals AS r SET count = r.count + i.count::BIGINT, last_at = $now
FROM websub_refusals_input AS i
WHERE r.reason = i.reason::VARCHAR;

INSERT INTO websub_refusals
SELECT reason::VARCHAR, count::BIGINT, $now
FROM websub_refusals_input i
WHERE NOT EXISTS (SELECT 1 FROM websub_refusals r WHERE r.reason = i.reason::VARCHAR);
