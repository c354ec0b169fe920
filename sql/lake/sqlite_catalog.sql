-- A new embedded catalog is created in WAL mode (the mode stays with the file): readers then
-- read while a writer commits instead of waiting out its lock, and commits write less.
-- WAL needs the catalog on a local disk, not on a network share.
PRAGMA journal_mode = WAL;
