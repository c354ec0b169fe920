-- The lake as the database {alias} (an identifier: DuckDB takes no parameter for it; lake.py
-- quotes it). DuckLake reads the catalog once per transaction, so readers and writers in other
-- processes never hold each other out.
ATTACH 'ducklake:wirewatch_lake' AS {alias} (READ_ONLY $read_only);
