-- Back to DuckDB's default: one thread per core.
RESET threads;
