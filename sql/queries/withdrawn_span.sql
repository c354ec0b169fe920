-- When the versions that this batch's kill and cancel notices withdraw were stored, earliest and
-- latest (NULL: none stored): bounds that let ingest_withdrawn skip the Parquet row groups stored
-- outside them, as replaced_span does for revisions.
SELECT min(stored_at), max(stored_at) FROM article_rows
WHERE withdrawn_at IS NULL AND article_key IN (SELECT article_key::BIGINT FROM batch_withdrawn_input);
