-- One table of the source into the lake's table of the same name, by column name: a source at
-- an older migration lacks later columns, which stay NULL (as its views showed them).
INSERT INTO {table} BY NAME SELECT * FROM migrate_source.{table};
