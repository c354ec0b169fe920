-- Rows inlined in the catalog (small commits) move into Parquet, one file per table, before the
-- merges (after them, DuckLake fails to read inlined rows of a table that gained columns).
CALL ducklake_flush_inlined_data({alias_literal});
