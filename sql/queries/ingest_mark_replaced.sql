-- After the batch's versions are written: mark the versions they replaced. The stored_at bounds
-- (replaced_span) change no result; as constants they let a lake read only the row groups stored
-- between them: an update rewrites whole rows, and without them it read every stored body.
UPDATE article_rows AS a SET is_current = false, replaced_at = $now, changed = r.changed
FROM batch_replaced AS r
WHERE a.article_key = r.article_key AND a.revision = r.revision
    AND a.stored_at BETWEEN $earliest AND $latest;
