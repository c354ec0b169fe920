-- After the merges: expire snapshots older than $older_than (time travel reaches back to the
-- oldest snapshot kept), delete the files no kept snapshot refers to, and files no snapshot ever
-- referred to (a writer killed before its commit) once they are older than $older_than: a
-- running writer's files are such orphans until it commits. None of these reads table data.
CALL ducklake_expire_snapshots({alias_literal}, older_than => $older_than);
CALL ducklake_cleanup_old_files({alias_literal}, cleanup_all => true);
CALL ducklake_delete_orphaned_files({alias_literal}, older_than => $older_than);
