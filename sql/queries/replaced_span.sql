-- When the versions the batch replaces were stored, earliest and latest (those of this batch at
-- $now): bounds that let ingest_mark_replaced skip the Parquet row groups stored outside them.
SELECT min(coalesce(stored_at, $now)), max(coalesce(stored_at, $now)) FROM batch_replaced;
