INSERT INTO schema_migrations VALUES ($version, $name, $now);
