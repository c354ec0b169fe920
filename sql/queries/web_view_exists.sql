-- The web view shows a section only when the archive has the view behind it (e.g. quotes).
SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = $name AND database_name = current_database();
