-- The session's thread count and memory limit, to restore them after a compaction.
SELECT current_setting('threads')::BIGINT, current_setting('memory_limit');
