-- The lake as it was at $as_of (read-only): every query of the session sees that snapshot.
ATTACH 'ducklake:wirewatch_lake' AS {alias} (READ_ONLY true, SNAPSHOT_TIME $as_of);
