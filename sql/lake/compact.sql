-- Maintenance of the lake {alias} (held under the merge lock): move rows inlined in the catalog
-- into Parquet, merge the small files that batch commits leave into larger ones, rewrite files
-- whose rows were mostly deleted (revisions, retries), expire snapshots older than $older_than
-- (time travel reaches back to the oldest snapshot kept), delete the files no kept snapshot
-- refers to, and files no snapshot ever referred to (a writer killed before its commit) once
-- they are older than $older_than: a running writer's files are such orphans until it commits.
CALL ducklake_flush_inlined_data({alias_literal});
CALL ducklake_merge_adjacent_files({alias_literal});
CALL ducklake_rewrite_data_files({alias_literal});
CALL ducklake_merge_adjacent_files({alias_literal});
CALL ducklake_expire_snapshots({alias_literal}, older_than => $older_than);
CALL ducklake_cleanup_old_files({alias_literal}, cleanup_all => true);
CALL ducklake_delete_orphaned_files({alias_literal}, older_than => $older_than);
