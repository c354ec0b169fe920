-- Record the batch's exact copies of other items (see copy_decision_rows) with the rule that made
-- each a copy, once per item and copied article (prune_copy_decisions then drops the old ones).
INSERT INTO copy_decision_rows
SELECT DISTINCT
    c.source, c.guid, c.url, c.article_id,
    CASE
        WHEN c.guid IS NOT NULL AND a.source = c.source AND a.guid = c.guid THEN 'guid'
        WHEN c.url_norm IS NOT NULL AND a.url_norm = c.url_norm THEN 'url'
        ELSE 'content hash'
    END,
    $run_id, $now
FROM batch_copy_decisions_input AS c
LEFT JOIN article_rows AS a ON a.article_id = c.article_id AND a.is_current
ANTI JOIN copy_decision_rows AS k
    ON k.source = c.source AND k.article_id = c.article_id
    AND k.guid IS NOT DISTINCT FROM c.guid AND k.url IS NOT DISTINCT FROM c.url;
