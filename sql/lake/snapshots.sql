-- A lake's snapshots, oldest first: what `AT (VERSION => n)` and `AT (TIMESTAMP => t)` select.
SELECT snapshot_id, snapshot_time, changes FROM ducklake_snapshots($alias) ORDER BY snapshot_id;
