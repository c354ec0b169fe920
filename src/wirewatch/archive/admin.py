"""Looking after an archive: compaction of a lake, the move of a DuckDB file into a lake
(``migrate``), and Parquet export of a query's result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from wirewatch.archive.schema import ArchiveBase
from wirewatch.archive.backend import COMPACT_MEMORY_LIMIT
from wirewatch.archive.columns import arrow_table, naive_utc
from wirewatch.errors import StoreError, first_line
from wirewatch.archive.sqlfiles import sql_statements

# Tables that describe an archive rather than hold its data: `migrate` never copies them.
# Tables that describe an archive rather than hold its data: `migrate` never copies them.
_SCHEMA_TABLES = ("schema_migrations", "schema_views", "archive_migrations")


class ArchiveAdmin(ArchiveBase):
    """Compaction and migration."""

    def compact(
        self, *, retention: dt.timedelta, now: dt.datetime, memory_limit: str = COMPACT_MEMORY_LIMIT
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """Merge the lake's small files, expire snapshots older than ``retention`` (time travel
        reaches no further back) and delete files nothing refers to any more; one merge at a
        time with the writers, which keep committing before and after it, in pieces within
        ``memory_limit`` (``lake.compact``). Returns the data files and their bytes before and
        after (``lake_files``)."""
        self._writable()
        before = self.lake_files()
        self.backend.compact(self._conn, older_than=naive_utc(now) - retention, memory_limit=memory_limit)
        return before, self.lake_files()

    def lake_files(self) -> tuple[int, int]:
        """How many Parquet files the lake's data folder holds, and their bytes (none: a file)."""
        return self.backend.data_files()

    def migrate_from(self, source: Path, *, now: dt.datetime) -> tuple[dict[str, int], bool]:
        """Copy every row of the DuckDB-file archive ``source`` (opened read-only: it stays as it
        was) into this lake, in one transaction; returns the rows copied per table, and whether
        they were copied now (False: this file was moved here before, and nothing was done).
        Refuses a lake that already holds other data."""
        self._writable()
        self.backend.require_lake("migrate moves a DuckDB file into a lake; the configured archive is a file")
        source = Path(source)
        if not source.is_file():
            raise StoreError(f"{source}: no such file")
        digest = _file_digest(source)
        literal = "'" + str(source).replace("'", "''") + "'"
        try:
            self._run("migrate/attach_source", names={"source": literal})
        except duckdb.Error as error:
            raise StoreError(f"{source}: cannot open it read-only: {first_line(error)}") from None
        try:
            tables, is_archive = self._run("migrate/source_tables").fetchone()
            if not is_archive:
                raise StoreError(f"{source}: not a wirewatch archive (no schema_migrations table); nothing was copied")
            with self.transaction():
                earlier = self._run("migrate/earlier_migration", {"sha256": digest}).fetchone()
                if earlier is not None:
                    return json.loads(earlier[0]), False
                held = {t: n for t, n in self._table_rows(self._data_tables()).items() if n}
                if held:
                    shown = ", ".join(f"{t} ({n:,})" for t, n in sorted(held.items())[:3])
                    raise StoreError(f"{self.path}: the lake already holds data ({shown}); migrate only into an empty lake")
                wanted = [t for t in tables if t in set(self._data_tables())]
                for table in wanted:
                    self._run("migrate/copy_table", names={"table": _identifier(table)})
                counts = self._table_rows(wanted)
                expected = self._table_rows(wanted, prefix="migrate_source.")
                if counts != expected:  # a bug, never a user's slip: say what differs, keep nothing
                    raise StoreError(f"{source}: copied {counts} rows but the file holds {expected}; nothing was kept")
                self._run("migrate/record_migration",
                          {"source": str(source), "sha256": digest, "counts": json.dumps(counts), "now": naive_utc(now)})  # fmt: skip
            return counts, True
        finally:
            self._run("migrate/detach_source")

    def _data_tables(self) -> list[str]:
        """The archive's tables that hold data (its schema bookkeeping left out)."""
        return [t for t in self._run("queries/archive_tables").fetchone()[0] if t not in _SCHEMA_TABLES]

    def _table_rows(self, tables: Sequence[str], *, prefix: str = "") -> dict[str, int]:
        return {t: int(self._run("migrate/count_rows", names={"table": prefix + _identifier(t)}).fetchone()[0])
                for t in tables}  # fmt: skip


def write_parquet(columns: Sequence[str], rows: Sequence[tuple], path: Path) -> None:
    """Write a query's result to a Parquet file: wirewatch writes it (in a connection of its own
    that holds only the result), since the reader's connection may not touch the filesystem."""
    with duckdb.connect() as connection:
        connection.register("query_result", arrow_table({name: [row[i] for row in rows] for i, name in enumerate(columns)}))
        try:
            for statement in sql_statements("queries/export_parquet"):
                connection.execute(statement, {"path": str(path)})
        except duckdb.Error as error:
            raise StoreError(f"{path}: cannot write: {first_line(error)}") from None


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()

