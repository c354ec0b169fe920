-- Remember the GUIDs of the batch's exact copies of stored articles (see copied_guid_rows),
-- once each.
INSERT INTO copied_guid_rows
SELECT DISTINCT c.source, c.guid, c.article_id, $now
FROM batch_copies_input AS c
ANTI JOIN copied_guid_rows AS k ON k.source = c.source AND k.guid = c.guid;
