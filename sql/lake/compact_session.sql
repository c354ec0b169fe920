-- A compaction's session: one thread, within $memory_limit. A merge streams its input files into
-- one output file, but every thread holds Parquet buffers of its own, so on a many-core box the
-- default thread count ran a large lake's merge out of memory; one thread keeps the need the
-- same at any archive size.
SET threads = 1;
SET memory_limit = $memory_limit;
