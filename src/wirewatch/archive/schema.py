"""The archive's base: a connection and its backend, the statements of ``sql/`` run by name,
the schema brought up to date (migrations, views), and transactions. The other parts of the
store (``batch_writes``, ``outbox``, ``archive_admin``, ``archive_reader``) build on it; ``store``
puts them together. Every SQL statement lives in ``sql/``; this module loads them and calls them
with parameters. Batch data goes in as registered Arrow tables (``_input``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from wirewatch.archive.backend import Backend
from wirewatch.archive.columns import arrow_table, naive_utc
from wirewatch.errors import StoreError, first_line
from wirewatch.model import LakeLocation
from wirewatch.archive.sqlfiles import SQL_DIR, parameters_of


class ArchiveBase:
    """An open archive's connection, statements, schema and transactions."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, backend: Backend, *, read_only: bool) -> None:
        self._conn = connection
        self.backend = backend
        self.path = backend.shown  # the DuckDB file, or the lake's catalog as it may be shown
        self.read_only = read_only

    @property
    def lake(self) -> LakeLocation | None:
        """The lake, or None for a DuckDB file."""
        return self.backend.location

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for readers that query the archive themselves."""
        return self._conn

    def __enter__(self):  # the class it is mixed into
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (DuckDB checkpoints it) and release the lock; or detach the lake."""
        self._conn.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _run(self, name: str, params: Mapping[str, Any] | None = None, *,
             names: Mapping[str, str] | None = None) -> duckdb.DuckDBPyConnection:  # fmt: skip
        """Execute the named statement file; each statement gets the parameters it uses, and
        ``{key}`` becomes ``names[key]`` (a quoted identifier or literal: SQL takes no parameter there)."""
        params = params or {}
        result = self._conn
        for statement in self.backend.statements(name):
            for key, value in (names or {}).items():
                statement = statement.replace("{" + key + "}", value)
            used = {p: params[p] for p in parameters_of(statement)}
            result = self._conn.execute(statement, used) if used else self._conn.execute(statement)
        return result

    def _records(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of the named query as dicts by column name."""
        return self.named(name, params)

    def named(self, name: str, params: Mapping[str, Any] | None = None, *,
              inputs: Mapping[str, Mapping[str, Sequence[Any]]] | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Run ``sql/<name>.sql`` with ``inputs`` (table name -> columns) readable by its
        statements; the rows of the last, as dicts. For the storage modules beside this one
        (``wirewatch.run.subscriptions``), whose tables the store itself does not know."""
        for table, columns in (inputs or {}).items():
            self._input(table, columns)
        result = self._run(name, params)
        if result.description is None:
            return []
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row)) for row in result.fetchall()]

    def _input(self, name: str, columns: Mapping[str, np.ndarray]) -> None:
        """Make ``columns`` readable by the statements as the table ``name``."""
        self._conn.register(name, arrow_table(columns))

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")

    def _prepare_schema(self) -> None:
        if self.read_only:
            self._check_schema()
            return
        self._run("queries/settings")
        with self._merging():  # writers opening a new lake at once create its tables once
            self.backend.prepare_writer(self._conn)
            self._refuse_foreign()
            with self.transaction():
                self._run("queries/schema_migrations")
            applied = {row[0] for row in self._run("queries/applied_migrations").fetchall()}
            now = naive_utc(dt.datetime.now(dt.timezone.utc))
            for version, file in _migrations():
                if version in applied:
                    continue
                with self.transaction():
                    self._run(f"migrations/{file.stem}")
                    self._run("queries/record_migration", {"version": version, "name": file.stem, "now": now})
            self._define_views(now)

    def _define_views(self, now: dt.datetime) -> None:
        """(Re)define the views and macros of sql/views when they differ from the ones the archive
        holds: an unchanged lake gets no new snapshot from a writer that opens it."""
        views = sorted((SQL_DIR / "views").glob("*.sql"))
        digest = hashlib.sha256(b"".join(v.name.encode() + b"\0" + v.read_bytes() for v in views)).hexdigest()
        if self._run("queries/views_digest").fetchone() == (digest,):
            return
        with self.transaction():
            for view in views:
                self._run(f"views/{view.stem}")
            self._run("queries/record_views", {"digest": digest, "now": now})

    def _refuse_foreign(self) -> None:
        """Another application's database is left as it was: no wirewatch table is added to it."""
        others, is_archive = self._run("queries/foreign_objects").fetchone()
        if others and not is_archive:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise StoreError(f"{self.path}: not a wirewatch archive (it holds {shown}); nothing was changed")

    def _check_schema(self) -> None:
        try:
            applied = {row[0] for row in self._run("queries/applied_migrations").fetchall()}
        except duckdb.CatalogException:
            raise StoreError(f"{self.path}: not a wirewatch database (no schema_migrations table)") from None
        missing = [file.stem for version, file in _migrations() if version not in applied]
        if missing:
            raise StoreError(
                f"{self.path}: needs migration {missing[0]}; open it once for writing (e.g. wirewatch import) first"
            )

    @contextmanager
    def single_threaded(self) -> Iterator[None]:
        """Run DuckDB on one thread for a while: when other processes keep the cores busy."""
        self._run("queries/single_thread")
        try:
            yield
        finally:
            self._run("queries/all_threads")

    # -- transactions --------------------------------------------------------------------------

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` BEGIN ... COMMIT, or ROLLBACK when the block raises. On a
        lake the block holds the merge lock (one merge at a time across processes and machines),
        unless an enclosing ``_merging`` block holds it already."""
        self._writable()
        return _Transaction(self._conn, self.path, self._merging)

    def delivery_turn(self) -> contextlib.AbstractContextManager[None]:
        """``with store.delivery_turn():`` select the due alerts, send them and record the outcomes:
        on a lake the block holds the merge lock, so writers deliver the outbox one at a time and
        the next sees what this one sent (a DuckDB file has a single writer already)."""
        self._writable()
        return self._merging()

    def _merging(self) -> contextlib.AbstractContextManager[None]:
        """Hold a lake's merge lock while the block runs (nothing to hold for a DuckDB file)."""
        return self.backend.merge_lock(self._conn)

    def _insert_alerts(self, due: str, params: Mapping[str, Any]) -> list[str]:
        """Stage the alerts that statement ``due`` finds due, insert them as pending, return their ids."""
        self._run(due, params)
        return [row[0] for row in self._run("queries/insert_due_alerts", params).fetchall()]


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK when the block raises; inside ``lock()`` when given (a lake's
    merge lock, taken before BEGIN so that the transaction sees every earlier merge)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | str,
                 lock: Callable[[], contextlib.AbstractContextManager[None]] | None = None) -> None:  # fmt: skip
        self._conn = connection
        self._path = path
        self._held = contextlib.ExitStack()
        self._lock = lock

    def __enter__(self) -> None:
        if self._lock is not None:
            self._held.enter_context(self._lock())
        try:
            self._conn.begin()
        except BaseException:
            self._held.close()
            raise

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        with self._held:
            if kind is None:
                try:
                    self._conn.commit()
                except duckdb.Error as error:  # a full disk: this batch is lost, every committed one kept
                    with suppress(duckdb.Error):
                        self._conn.rollback()
                    raise StoreError(f"{self._path}: cannot write: {first_line(error)}") from None
            else:
                self._conn.rollback()


def _migrations() -> list[tuple[int, Path]]:
    found = []
    for file in sorted((SQL_DIR / "migrations").glob("*.sql")):
        number = file.name.split("_", 1)[0]
        if number.isdigit():
            found.append((int(number), file))
    return sorted(found)

