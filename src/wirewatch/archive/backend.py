"""The archive's two backends behind one seam, as httpx puts its transports behind one interface:
a DuckDB file (``FileBackend``) or a lake (``LakeBackend``: DuckLake tables, attached to an
in-memory session and made its default database). A backend opens the connection and knows what
differs between the two: the form of the statements, the merge lock, a writer's preparation,
compaction and the data files. Nothing outside this module asks which backend it has.

Only one process may hold a DuckDB file for writing; any other open of it, even read-only,
fails while it is held. ``connect`` waits up to ``lock_timeout`` seconds and then raises
``StoreLocked`` naming the holder. A lake takes any number of readers and writers at once; each
write transaction holds the lake's merge lock (``lake.merge_lock``), so that merges, which dedupe
with anti-joins (DuckLake has no unique constraints), run one at a time. Readers never take it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from wirewatch.archive import lake
from wirewatch.archive.columns import naive_utc
from wirewatch.errors import StoreError, StoreLocked, first_line
from wirewatch.model import LakeLocation
from wirewatch.archive.sqlfiles import sql_statements

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")

# A read-only open serves `wirewatch sql` and other readers: it may read the archive and nothing
# else. No files, no extensions, no ATTACH; locked so that a query cannot SET it back. DuckDB
# applies these at open, before the lock takes effect.
# A read-only open serves `wirewatch sql` and other readers: it may read the archive and nothing
# else. No files, no extensions, no ATTACH; locked so that a query cannot SET it back. DuckDB
# applies these at open, before the lock takes effect.
_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}

# DuckLake takes no compression clause (its Parquet files are compressed on their own).
# DuckLake takes no compression clause (its Parquet files are compressed on their own).
_COMPRESSION_CLAUSE = re.compile(r"\s+USING\s+COMPRESSION\s+\w+", re.IGNORECASE)



COMPACT_MEMORY_LIMIT = lake.COMPACT_MEMORY_LIMIT  # compaction's default, for the store's callers

class FileBackend:
    """One DuckDB file: its own write lock keeps a single writer, so there is nothing to merge-lock."""

    location: LakeLocation | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shown = path  # how messages name the archive

    def statements(self, name: str) -> tuple[str, ...]:
        return sql_statements(name)

    def merge_lock(self, connection: duckdb.DuckDBPyConnection) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def prepare_writer(self, connection: duckdb.DuckDBPyConnection) -> None:
        """Nothing to prepare: a DuckDB file takes the statements as they are."""

    def require_lake(self, refusal: str) -> None:
        """StoreError with ``refusal``: what is asked needs a lake."""
        raise StoreError(f"{self.shown}: {refusal}")

    def compact(self, connection: duckdb.DuckDBPyConnection, *, older_than: dt.datetime, memory_limit: str) -> None:
        self.require_lake("compaction is for a lake; a DuckDB file compacts itself when it checkpoints")

    def data_files(self) -> tuple[int, int]:
        return 0, 0


class LakeBackend:
    """A lake: statements without compression clauses, a merge lock per write transaction."""

    def __init__(self, location: LakeLocation) -> None:
        self.location = location
        self.shown = lake.redacted(location.catalog)
        self._merge_depth = 0  # the merge lock is held while > 0 (``merge_lock`` re-entered)

    def statements(self, name: str) -> tuple[str, ...]:
        """``sql_statements(name)`` as a lake takes them: without compression clauses."""
        return _LAKE_STATEMENTS.get(name) or _LAKE_STATEMENTS.setdefault(
            name, tuple(_COMPRESSION_CLAUSE.sub("", statement) for statement in sql_statements(name))
        )

    @contextmanager
    def merge_lock(self, connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """Hold the lake's merge lock while the block runs. Re-entrant: a transaction inside
        ``Store.delivery_turn`` must not wait for its own lock (a second flock or advisory lock
        would be a second holder, and block)."""
        if self._merge_depth:
            yield
            return
        with lake.merge_lock(connection):
            self._merge_depth += 1
            try:
                yield
            finally:
                self._merge_depth -= 1

    def prepare_writer(self, connection: duckdb.DuckDBPyConnection) -> None:
        lake.prepare_writer(connection)

    def require_lake(self, refusal: str) -> None:
        """A lake it is: nothing to refuse."""

    def compact(self, connection: duckdb.DuckDBPyConnection, *, older_than: dt.datetime, memory_limit: str) -> None:
        try:
            lake.compact(connection, older_than=older_than, data_path=self.location.data_path, memory_limit=memory_limit)
        except duckdb.Error as error:
            hint = f" (it ran within {memory_limit}: give it more with --memory-limit)" if "Out of Memory" in str(error) else ""
            raise StoreError(f"{self.shown}: cannot compact: {first_line(error)}{hint}") from None

    def data_files(self) -> tuple[int, int]:
        """How many Parquet files the lake's data folder holds, and their bytes."""
        sizes = [f.stat().st_size for f in Path(self.location.data_path).rglob("*.parquet")]
        return len(sizes), sum(sizes)


_LAKE_STATEMENTS: dict[str, tuple[str, ...]] = {}
Backend = FileBackend | LakeBackend


def connect(
    where: Path | str | LakeLocation, *, read_only: bool, lock_timeout: float, as_of: dt.datetime | None
) -> tuple[duckdb.DuckDBPyConnection, Backend]:
    """A connection to the archive ``where`` names, and its backend (see ``store.open_store``)."""
    if isinstance(where, LakeLocation):
        return _connect_lake(where, read_only=read_only, as_of=as_of), LakeBackend(where)
    if as_of is not None:
        raise StoreError(f"{where}: --as-of needs a lake archive (a DuckDB file keeps no earlier states)")
    path = Path(where)
    return _connect_file(path, read_only=read_only, lock_timeout=lock_timeout), FileBackend(path)


def _connect_file(path: Path, *, read_only: bool, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    """The DuckDB file, created if needed; waits up to ``lock_timeout`` for another writer."""
    if read_only and not path.exists():
        raise StoreError(f"{path}: no such database")
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path}: cannot create folder {path.parent}: {error.strerror}") from None
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=_READER_CONFIG if read_only else {})
        except duckdb.Error as error:
            message = first_line(error)
            if "lock" not in message.lower():
                raise StoreError(f"{path}: cannot open the database: {message}") from None
            if time.monotonic() >= deadline:
                raise StoreLocked(_locked_message(path, message, lock_timeout)) from None
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))


def _connect_lake(where: LakeLocation, *, read_only: bool, as_of: dt.datetime | None = None) -> duckdb.DuckDBPyConnection:
    """A session of its own (in memory) with the lake attached and made its default database.
    A reader's session may then read the lake's files and nothing else, locked as for a file."""
    if as_of is not None and not read_only:
        raise StoreError(f"{lake.redacted(where.catalog)}: an earlier state (--as-of) can only be read")
    connection = duckdb.connect()
    try:
        lake.attach_lake(connection, where.catalog, where.data_path, read_only=read_only, as_of=naive_utc(as_of))
        lake.use(connection)
        if read_only:
            lake.confine_reader(connection, where.catalog, where.data_path)
    except BaseException:
        connection.close()
        raise
    return connection


def _locked_message(path: Path, message: str, waited: float) -> str:
    holder = _LOCK_HOLDER.search(message)
    who = f"process {holder['pid']} ({command_line(int(holder['pid'])) or holder['program']})" if holder else "another process"
    return f"{path}: the database is in use by {who}; gave up after waiting {waited:g} s"


def writer_holding(path: Path) -> str | None:
    """Who holds ``path``'s write lock right now, as "wirewatch import (pid 123)", or None when
    the file can be opened for reading (or does not exist). One attempt, no wait: for saying at
    once what a reader is about to wait for."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as error:
        holder = _LOCK_HOLDER.search(first_line(error))
        if holder is None:
            return None
        return f"{command_line(int(holder['pid'])) or holder['program']} (pid {holder['pid']})"
    return None


def command_line(pid: int, limit: int = 80) -> str | None:
    """The command a process runs, as its user typed it: "wirewatch import feeds/" rather than
    "python3.11" (the interpreter and the script's folder left out); None where unknown."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return None
    argv = [a for a in argv if a]
    if len(argv) > 1 and Path(argv[0]).name.startswith("python") and not argv[1].startswith("-"):
        argv = argv[1:]
    if not argv:
        return None
    shown = " ".join(" ".join([Path(argv[0]).name, *argv[1:]]).split())  # one line, whatever the arguments hold
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"

