-- Checkpoint every 256 MB of WAL instead of 16 MB: each checkpoint recompresses the table's
-- open row group, and on long text that made an import of 50k bodies 1.8x slower.
SET checkpoint_threshold = '256MB';

-- DuckDB's buffer pool would otherwise grow towards 80% of RAM as a long import reads more of a
-- large archive (3.9 GB peak importing 100k items into 1M); 512 MB keeps a run within 1 GB, and
-- operators that need more spill to disk.
SET memory_limit = '512MB';
