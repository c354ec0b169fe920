-- While worker processes keep the other cores busy preparing batches, DuckDB's own threads only
-- contend with them (measured: 3-4% faster imports on two cores with one thread).
SET threads = 1;
