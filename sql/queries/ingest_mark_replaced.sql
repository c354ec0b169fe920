-- After the batch's versions are written: mark the versions they replaced.
UPDATE article_rows AS a SET is_current = false, replaced_at = $now, changed = r.changed
FROM batch_replaced AS r
WHERE a.article_key = r.article_key AND a.revision = r.revision;
