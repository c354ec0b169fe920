-- This file's earlier move into the lake, if any: its counts.
SELECT counts FROM archive_migrations WHERE sha256 = $sha256 ORDER BY migrated_at LIMIT 1;
