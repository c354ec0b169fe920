-- Drop the copy decisions older than the story window, as ingest_prune does the story index.
DELETE FROM copy_decision_rows WHERE seen_at < $cutoff;
