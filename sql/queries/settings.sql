-- Checkpoint every 256 MB of WAL instead of 16 MB: each checkpoint recompresses the table's
-- open row group, and on long text that made an import of 50k bodies 1.8x slower.
SET checkpoint_threshold = '256MB';
