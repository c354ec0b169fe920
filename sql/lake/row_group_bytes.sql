-- Parquet row groups of the lake {alias} of at most $bytes, for every writer (the option is kept
-- in the catalog): a row group is held in memory until it is written.
CALL {alias}.set_option('parquet_row_group_size_bytes', $bytes);
