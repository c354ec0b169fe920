-- The session's thread count and memory limit as they were before a compaction.
SET threads = $threads;
SET memory_limit = $memory_limit;
