DETACH migrate_source;
