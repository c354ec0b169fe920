-- Rewrite one table's files whose rows were mostly deleted (revisions, retries): each file is
-- read and written alone.
CALL ducklake_rewrite_data_files({alias_literal}, $table, schema => $schema);
