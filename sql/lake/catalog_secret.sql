-- Where a lake's catalog and Parquet files are. DuckDB's ATTACH takes no parameters for its
-- path, so the catalog and data path reach DuckLake through a secret of the session (TEMPORARY:
-- nothing is written under ~/.duckdb); attach.sql names it.
CREATE OR REPLACE TEMPORARY SECRET wirewatch_lake (TYPE ducklake, METADATA_PATH $catalog, DATA_PATH $data_path);
