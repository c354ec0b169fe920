INSERT INTO archive_migrations VALUES ($source, $sha256, $counts, $now);
