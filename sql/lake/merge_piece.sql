-- One piece of a table's compaction: merge adjacent small files into one output file (at most
-- the lake's target file size). It returns a row per file written; none when nothing is left to
-- merge, which ends the table's loop.
CALL ducklake_merge_adjacent_files({alias_literal}, $table, schema => $schema, max_compacted_files => 1);
