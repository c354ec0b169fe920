-- A writer's session on a lake. Parquet row groups are written whole from memory, and bounded
-- by row count alone (122,880 by default) a group of article texts outgrows the session's memory
-- limit: moving a large archive into a lake failed with "Out of Memory". DuckLake bounds them by
-- bytes (``row_group_bytes``) only while insertion order is not preserved; what the archive's
-- queries return in an order, they ask for with ORDER BY.
SET preserve_insertion_order = false;
