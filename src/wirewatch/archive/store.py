"""The archive: a lake (DuckLake: Parquet files plus a SQLite or PostgreSQL catalog) or one
DuckDB file, with migrations, set-based batch ingest and the queries the pipeline, the CLI and
the alert sender need. It only stores: what to store is decided by the ingest stage
(``wirewatch.ingest.batch``), which plans a batch and hands the plan to ``Store.write_batch`` inside one
``with store.transaction():``. The store imports no domain stage, only ``model``.

``Store`` puts its parts together, one module per concern:

- ``backend``: a DuckDB file or a lake behind one seam (statements, merge lock, attach, lock
  holder); nothing else asks which one it has
- ``archive_schema``: the connection, statements run by name, migrations and views, transactions
- ``batch_writes``: runs, sources, a batch's writes, topic rule versions and retags
- ``outbox``: pending alerts, deliveries, listings, the digest
- ``archive_admin``: compaction, migration of a file into a lake, Parquet export
- ``archive_reader``: ``wirewatch sql`` (one statement), named queries, stored articles
- ``columns``: Python values as registered columns and back

Every SQL statement lives in ``sql/`` (migrations, views, named queries). Batch data goes in as
registered Arrow tables (no row-by-row INSERTs): the statements dedupe with anti-joins and write
articles, revisions, the story index, topic matches, pending alerts, source states and run counts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from wirewatch.archive import backend as backends
from wirewatch.archive.admin import ArchiveAdmin, write_parquet
from wirewatch.archive.reader import ArchiveReader, StoredArticle, check_single_statement
from wirewatch.archive.backend import command_line, writer_holding
from wirewatch.archive.batch_writes import BatchWrites
from wirewatch.archive.columns import arrow_table, naive_utc, time_column
from wirewatch.errors import StoreError, StoreLocked, first_line
from wirewatch.model import LakeLocation
from wirewatch.archive.outbox import Outbox
from wirewatch.archive.sqlfiles import SQL_DIR, sql_statements

__all__ = [
    "SQL_DIR", "Store", "StoreError", "StoreLocked", "StoredArticle", "arrow_table", "check_single_statement",
    "command_line", "naive_utc", "open_reader", "open_store", "require_archive", "sql_statements", "time_column",
    "write_parquet", "writer_holding",
]  # fmt: skip


class Store(BatchWrites, Outbox, ArchiveAdmin, ArchiveReader):
    """An open archive. Use as a context manager, or call ``close()``."""


def open_store(
    where: Path | str | LakeLocation, *, read_only: bool = False, lock_timeout: float = 30.0,
    as_of: dt.datetime | None = None,
) -> Store:  # fmt: skip
    """Open the archive ``where`` names: a lake (``LakeLocation``) or a DuckDB file (a path),
    creating it if needed, and apply pending migrations and views. ``as_of`` (a lake, read-only)
    shows the archive as it was at that time. A DuckDB file held by another process is retried
    for up to ``lock_timeout`` seconds, then ``StoreLocked`` is raised (a lake is never held);
    other failures raise ``StoreError``."""
    connection, backend = backends.connect(where, read_only=read_only, lock_timeout=lock_timeout, as_of=as_of)
    return _prepared(Store(connection, backend, read_only=read_only), read_only)


def _prepared(store: Store, read_only: bool) -> Store:
    """``store`` with its schema checked (read-only) or brought up to date; closed on failure."""
    try:
        store._prepare_schema()
    except duckdb.Error as error:
        store.close()
        raise StoreError(f"{store.path}: cannot read the database ({first_line(error)}); is it damaged or truncated?") from None
    except BaseException:
        store.close()
        raise
    return store



def open_reader(where: Path | str | LakeLocation, *, as_of: dt.datetime | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to the archive, read-only, with its views (``wirewatch.connect()``).
    On a lake it blocks nothing and may stay open for hours: each query sees the latest commit
    (or the state at ``as_of``). On a DuckDB file it holds the file: writers wait until it closes."""
    store = open_store(where, read_only=True, as_of=as_of)
    return store.connection



def require_archive(where: Path | str | LakeLocation) -> None:
    """Readers never create the archive: StoreError when ``where`` holds none yet (a server
    catalog is only known once attached)."""
    if isinstance(where, LakeLocation):
        if where.shared or Path(where.catalog).is_file():
            return
        raise StoreError(f"{where.catalog}: no archive yet (run `wirewatch run` or `wirewatch import` first)")
    if not Path(where).exists():
        raise StoreError(f"{where}: no database yet (run `wirewatch run` or `wirewatch import` first)")

