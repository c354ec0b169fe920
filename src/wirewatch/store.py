"""The archive: a lake (DuckLake: Parquet files plus a SQLite or PostgreSQL catalog) or one
DuckDB file, with migrations, set-based batch ingest and the queries the pipeline, the CLI and
the alert sender need. It only stores: what to store is
decided by the ingest stage (``wirewatch.ingest``), which calls the primitives here inside one
``with store.transaction():`` per batch. This module imports no domain stage, only ``model``.

Every SQL statement lives in ``sql/`` (migrations, views, named queries); this module loads
them and calls them with parameters. Batch data goes in as registered Arrow tables (no
row-by-row INSERTs): the statements dedupe with anti-joins and write articles, revisions, the
story index, topic matches, pending alerts, source states and run counts.

The same statements run on both: a lake is attached to an in-memory DuckDB session and made its
default database, and batch staging (registered columns, temp tables) stays in the session.
A lake takes any number of readers and writers at once; each write transaction holds the lake's
merge lock (``lake.merge_lock``), so that merges, which dedupe with anti-joins (DuckLake has no
unique constraints), run one at a time. Readers never take it.

Only one process may hold a DuckDB file for writing; any other open of it, even read-only,
fails while it is held. ``open_store`` waits up to ``lock_timeout`` seconds and then raises
``StoreLocked`` naming the holder.
"""

from __future__ import annotations

import datetime as dt
import json
import hashlib
import re
import secrets
import time
import contextlib
from contextlib import contextmanager, suppress
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from wirewatch import lake
from wirewatch.errors import StoreError, StoreLocked, first_line
from wirewatch.model import (
    AlertRoute,
    Article,
    Dateline,
    DeliveryResult,
    KnownArticle,
    LakeLocation,
    PendingAlert,
    Quote,
    SourceState,
    StoryLink,
    StorySummary,
    TopicMatch,
    VersionsToWrite,
    WireItem,
)

from wirewatch.sqlfiles import SQL_DIR, parameters_of, sql_statements

__all__ = ["SQL_DIR", "Store", "StoreError", "StoreLocked", "open_store", "open_reader", "sql_statements"]

_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_PAGE_SIZE = 1000
# A read-only open serves `wirewatch sql` and other readers: it may read the archive and nothing
# else. No files, no extensions, no ATTACH; locked so that a query cannot SET it back. DuckDB
# applies these at open, before the lock takes effect.
_READER_CONFIG = {"enable_external_access": False, "lock_configuration": True}
# DuckLake takes no compression clause (its Parquet files are compressed on their own).
_COMPRESSION_CLAUSE = re.compile(r"\s+USING\s+COMPRESSION\s+\w+", re.IGNORECASE)
# Tables that describe an archive rather than hold its data: `migrate` never copies them.
_SCHEMA_TABLES = ("schema_migrations", "schema_views", "archive_migrations")


@dataclass(frozen=True, slots=True)
class StoredArticle:
    article_id: str
    story_id: str
    revision: int
    article: Article


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One outbox row, for listing (``wirewatch alerts``)."""

    alert_id: str
    topic: str
    story_id: str
    article_id: str
    channel: str  # redacted
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    error: str | None
    next_attempt_at: dt.datetime | None
    terms: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Opening


def open_store(
    where: Path | str | LakeLocation, *, read_only: bool = False, lock_timeout: float = 30.0,
    as_of: dt.datetime | None = None,
) -> Store:  # fmt: skip
    """Open the archive ``where`` names: a lake (``LakeLocation``) or a DuckDB file (a path),
    creating it if needed, and apply pending migrations and views. ``as_of`` (a lake, read-only)
    shows the archive as it was at that time. A DuckDB file held by another process is retried
    for up to ``lock_timeout`` seconds, then ``StoreLocked`` is raised (a lake is never held);
    other failures raise ``StoreError``."""
    if isinstance(where, LakeLocation):
        return _prepared(_open_lake(where, read_only=read_only, as_of=as_of), read_only)
    if as_of is not None:
        raise StoreError(f"{where}: --as-of needs a lake archive (a DuckDB file keeps no earlier states)")
    path = Path(where)
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
            connection = duckdb.connect(str(path), read_only=read_only, config=_READER_CONFIG if read_only else {})
            break
        except duckdb.Error as error:
            message = first_line(error)
            if "lock" not in message.lower():
                raise StoreError(f"{path}: cannot open the database: {message}") from None
            if time.monotonic() >= deadline:
                raise StoreLocked(_locked_message(path, message, lock_timeout)) from None
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0.0)))
    return _prepared(Store(connection, path, read_only=read_only), read_only)


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


def _open_lake(where: LakeLocation, *, read_only: bool, as_of: dt.datetime | None = None) -> Store:
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
    return Store(connection, lake.redacted(where.catalog), read_only=read_only, lake_location=where)


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


# ---------------------------------------------------------------------------------------------
# Converting between Python values and registered numpy columns


def naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime as naive UTC, the form TIMESTAMP columns hold (naive input is taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.replace(tzinfo=dt.timezone.utc)


def arrow_table(columns: Mapping[str, Sequence[Any] | np.ndarray]) -> pa.Table:
    """Columns as an Arrow table, which DuckDB scans as it is. DuckDB 1.5 analyses a NumPy object
    column value by value in Python, with a failed ``import pandas`` for each value when pandas is
    absent; Arrow builds the column in C++ (bench: the import rows)."""
    return pa.table({name: _arrow_array(values) for name, values in columns.items()})


def _arrow_array(values: Sequence[Any] | np.ndarray) -> pa.Array:
    try:
        return pa.array(values, from_pandas=True)  # None and NaT are NULL, as DuckDB reads NumPy
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # a value Arrow has no type for (a UUID in a query result): its text, as DuckDB prints it
        return pa.array([None if value is None else str(value) for value in values], pa.string())


def _objects(values: Sequence[Any]) -> np.ndarray:
    """An object column of scalars (str, bytes, date or None), one cell per value."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
_NOT_A_TIME = np.iinfo(np.int64).min  # NaT's bit pattern


def time_column(values: Sequence[dt.datetime | None]) -> np.ndarray:
    """A datetime64[us] column of UTC times (NaT for None; naive input is taken as UTC), built
    from whole microseconds since the epoch: numpy reading datetime objects itself is slower, and
    converting aware ones to naive UTC first slower again (bench: the import rows)."""
    micros = [_NOT_A_TIME if v is None else (v - (_EPOCH if v.tzinfo is None else _EPOCH_UTC)) // _MICROSECOND
              for v in values]  # fmt: skip
    return np.array(micros, dtype=np.int64).view("datetime64[us]")


# ---------------------------------------------------------------------------------------------
# The store


class Store:
    """An open archive. Use as a context manager, or call ``close()``."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | str, *, read_only: bool,
                 lake_location: LakeLocation | None = None) -> None:  # fmt: skip
        self._conn = connection
        self.path = path  # the DuckDB file, or the lake's catalog as it may be shown
        self.read_only = read_only
        self.lake = lake_location  # None: a DuckDB file
        self._merge_depth = 0  # the merge lock is held while > 0 (``_merging`` re-entered)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for readers that query the archive themselves."""
        return self._conn

    def __enter__(self) -> Store:
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
        for statement in _lake_statements(name) if self.lake else sql_statements(name):
            for key, value in (names or {}).items():
                statement = statement.replace("{" + key + "}", value)
            used = {p: params[p] for p in parameters_of(statement)}
            result = self._conn.execute(statement, used) if used else self._conn.execute(statement)
        return result

    def _records(self, name: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of the named query as dicts by column name."""
        result = self._run(name, params)
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
            if self.lake:
                lake.prepare_writer(self._conn)
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

    # -- runs and sources ------------------------------------------------------------------------

    def begin_run(self, kind: str, *, now: dt.datetime) -> str:
        """Start a run (``ingest``, ``import``, ``backfill``) and return its id (16 hex digits)."""
        self._writable()
        run_id = secrets.token_hex(8)
        with self.transaction():
            self._run("queries/begin_run", {"run_id": run_id, "kind": kind, "now": naive_utc(now)})
        return run_id

    def finish_run(self, run_id: str, *, now: dt.datetime, errors: int) -> None:
        """Record the end of a run and its errors (added to any counted before)."""
        with self.transaction():
            self._run("queries/finish_run", {"run_id": run_id, "now": naive_utc(now), "errors": errors})

    def source_states(self) -> dict[str, SourceState]:
        """Every polled source's state (validators for conditional GET, health), by name."""
        return {r["name"]: SourceState(**{**r, "last_poll": _aware(r["last_poll"]), "last_new_at": _aware(r["last_new_at"])})
                for r in self._records("queries/source_states")}  # fmt: skip

    def known_guids(self, *, since: dt.datetime) -> dict[str, set[str]]:
        """The GUIDs of each source's articles first stored since ``since``, and of its items
        dropped since then as copies of stored articles, by source name."""
        rows = self._run("queries/known_guids", {"since": naive_utc(since)}).fetchall()
        return {source: set(guids) for source, guids in rows}

    # -- ingest primitives (the ingest stage, ``wirewatch.ingest``, decides; these write) ------------
    # Called inside ``with store.transaction():``. Times are naive UTC (``naive_utc``); ``event_at``
    # columns come from ``time_column``.

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` BEGIN ... COMMIT, or ROLLBACK when the block raises. On a
        lake the block holds the merge lock (one merge at a time across processes and machines),
        unless an enclosing ``_merging`` block holds it already."""
        self._writable()
        return _Transaction(self._conn, self.path, self._merging if self.lake else None)

    def delivery_turn(self) -> contextlib.AbstractContextManager[None]:
        """``with store.delivery_turn():`` select the due alerts, send them and record the outcomes:
        on a lake the block holds the merge lock, so writers deliver the outbox one at a time and
        the next sees what this one sent (a DuckDB file has a single writer already)."""
        self._writable()
        return self._merging()

    @contextmanager
    def _merging(self) -> Iterator[None]:
        """Hold a lake's merge lock while the block runs (nothing to hold for a DuckDB file).
        Re-entrant: a transaction inside ``delivery_turn`` must not wait for its own lock (a
        second flock or advisory lock would be a second holder, and block)."""
        if self.lake is None or self._merge_depth:
            yield
            return
        with lake.merge_lock(self._conn):
            self._merge_depth += 1
            try:
                yield
            finally:
                self._merge_depth -= 1

    def known_articles(
        self, join_keys: Mapping[str, np.ndarray]
    ) -> tuple[list[KnownArticle], dict[str, tuple[StoryLink, dt.datetime]]]:
        """Stage the batch's keys (``batch_keys_input``) and read the stored articles they point
        at, and what a revision of each carries over from its first version: how it joined its
        story, and when it was first seen."""
        self._input("batch_keys_input", join_keys)
        known, first_versions = [], {}
        for r in self._records("queries/ingest_known"):
            known.append(KnownArticle(r["article_id"], r["url_norm"], r["story_id"], r["revision"],
                                      tuple(r["content_hashes"]), tuple(r["text_hashes"]), r["source"]))  # fmt: skip
            link = StoryLink(r["story_id"], r["story_relation"], r["similarity"], r["similar_to"])
            first_versions[r["article_id"]] = (link, r["first_seen_at"])
        return known, first_versions

    def stage_bands(self, rows: Sequence[int], band_keys: np.ndarray, event_at: np.ndarray) -> None:
        """Stage the LSH band keys (one row of ``band_keys`` per batch row in ``rows``)."""
        bands = band_keys.shape[1]
        self._input("batch_bands_input", {
            "row": np.repeat(np.array(rows, dtype=np.int64), bands),
            "band_key": band_keys.reshape(-1),
            "event_at": np.repeat(event_at, bands),
        })  # fmt: skip

    def story_candidates(self, window_days: int) -> list[tuple[int, str, str, bytes]]:
        """``(batch row, article_id, story_id, signature)`` of stored articles of the window that
        share a staged band key with a batch row."""
        return self._run("queries/ingest_candidates", {"window_days": window_days}).fetchall()

    def stage_versions(self, versions: VersionsToWrite) -> None:
        """Stage the versions to write (``batch_versions_input``)."""
        v = versions
        datelines = [a.item.dateline for a in v.articles]
        items = [a.item for a in v.articles]

        def dateline(name: str) -> np.ndarray:
            return _objects([getattr(d, name) if d else None for d in datelines])

        self._input("batch_versions_input", {
            "row": np.array(v.rows, dtype=np.int64),
            "status": _objects(v.status),
            "is_final": np.array(v.is_final, dtype=bool),
            "article_id": _objects(v.article_id),
            "article_key": np.array(v.article_key, dtype=np.int64),
            "story_id": _objects(v.story_id),
            "revision": np.array(v.revision, dtype=np.int64),
            "story_relation": _objects([link.relation if link else "first" for link in v.links]),
            "similarity": _objects([link.similarity if link else None for link in v.links]),
            "similar_to": _objects([link.similar_to if link else None for link in v.links]),
            "source": _objects([a.source for a in v.articles]),
            "url": _objects([a.url for a in v.articles]),
            "url_norm": _objects(v.url_norm),
            "guid": _objects([a.guid for a in v.articles]),
            "section": _objects([item.section for item in items]),
            "headline": _objects([item.headline for item in items]),
            "subtitle": _objects([item.subtitle for item in items]),
            "dateline_raw": dateline("raw"),
            "dateline_place": dateline("place"),
            "dateline_region": dateline("region"),
            "dateline_date_text": dateline("date_text"),
            "dateline_date": dateline("date"),
            "dateline_date_source": dateline("date_source"),
            "agency": dateline("agency"),
            "agency_raw": dateline("agency_raw"),
            "dateline_separator": dateline("separator"),
            "published_at": time_column([a.published_at for a in v.articles]),
            "fetched_at": time_column([a.fetched_at for a in v.articles]),
            "event_at": v.event_at,
            "first_seen_at": time_column(v.first_seen),
            "body": _objects([item.body for item in items]),
            "content_hash": _objects(v.content_hash),
            "text_hash": _objects(v.text_hash),
            "url_key": v.url_key,
            "content_key": v.content_key,
            "lang": _objects([a.lang for a in v.articles]),
            "provenance": _objects([json.dumps(a.provenance) if a.provenance else None for a in v.articles]),
            "signature": _objects(v.signature),
            **_wire_columns(v.articles),
        })  # fmt: skip
        self._run("queries/ingest_stage")

    def write_versions(self, *, run_id: str, now: dt.datetime, revising: bool) -> None:
        """Write the staged versions: articles, revisions (``revising``: some replace a stored
        text) and the story index."""
        params = {"now": now, "run_id": run_id}
        if revising:
            self._run("queries/ingest_replaced")
        self._run("queries/ingest_versions", params)
        if revising:
            earliest, latest = self._run("queries/replaced_span", params).fetchone()
            self._run("queries/ingest_mark_replaced", {**params, "earliest": earliest, "latest": latest})
        self._run("queries/ingest_story_index")

    def prune_story_index(self, cutoff: dt.datetime) -> None:
        """Drop story-index entries older than ``cutoff``."""
        self._run("queries/ingest_prune", {"cutoff": cutoff})

    def add_matches(self, matched: Sequence[tuple[str, TopicMatch]], *, run_id: str, now: dt.datetime) -> None:
        """Store ``(article_id, match)`` pairs of the batch."""
        self._stage_matches(matched)
        self._run("queries/ingest_matches", {"now": now, "run_id": run_id})

    def add_quotes(self, quoted: Sequence[tuple[str, Sequence[Quote]]], *, run_id: str, now: dt.datetime) -> None:
        """Store the quotes ``(article_id, quotes)`` of the batch's final versions (``quote_rows``)."""
        self._input("batch_quotes_input", _quote_columns(quoted))
        self._run("queries/ingest_quotes", {"now": now, "run_id": run_id})

    def requote(self, extract: Callable[[Article], Sequence[Quote]], *, since: dt.datetime, now: dt.datetime) -> int:
        """Extract the quotes of the stored articles of the window (``since`` onwards) again,
        replacing theirs, in one transaction; returns the number of quotes stored."""
        self._writable()
        stored = 0
        with self.transaction():
            self._run("queries/requote_clear", {"since": naive_utc(since)})
            for page in self._article_pages(naive_utc(since)):
                quoted = [(s.article_id, extract(s.article)) for s in page]
                self._input("batch_quotes_input", _quote_columns(quoted))
                self._run("queries/requote_insert", {"now": naive_utc(now)})
                stored += sum(len(q) for _, q in quoted)
        return stored

    def create_alerts(self, routes: Mapping[str, AlertRoute], *, run_id: str, now: dt.datetime) -> list[str]:
        """Pending alerts for the batch's stored matches per ``routes`` (at most one per topic,
        story and channel; one more per new term when the route re-alerts); returns their ids."""
        self._input("batch_routes_input", _route_columns(routes))
        return self._insert_alerts("queries/ingest_alerts", {"now": now, "run_id": run_id})

    def withdraw(self, article_ids: Sequence[str], article_keys: Sequence[int], *, run_id: str,
                 now: dt.datetime) -> list[str]:  # fmt: skip
        """Mark the articles as withdrawn (every version; nothing is deleted) and queue one
        "WITHDRAWN" notice per alert sent about them; returns the notices' ids."""
        self._input("batch_withdrawn_input", {
            "article_id": _objects(article_ids),
            "article_key": np.array(article_keys, dtype=np.int64),
        })  # fmt: skip
        earliest, latest = self._run("queries/withdrawn_span").fetchone()
        params = {"now": now, "run_id": run_id, "earliest": earliest, "latest": latest}
        return [row[0] for row in self._run("queries/ingest_withdrawn", params).fetchall()]

    def save_source_states(self, polls: Sequence[SourceState], *, now: dt.datetime) -> None:
        """Save the sources' states (the last one given per source)."""
        self._input("batch_sources_input", _source_columns(polls))
        self._run("queries/ingest_sources", {"now": now})

    def record_copied_guids(self, copies: Sequence[tuple[str, str, str]], *, now: dt.datetime) -> None:
        """Keep ``(source, guid, article_id)`` of items dropped as copies of another article."""
        self._input("batch_copies_input", _row_columns(copies, ("source", "guid", "article_id")))
        self._run("queries/ingest_copied_guids", {"now": now})

    def record_copy_decisions(
        self, copies: Sequence[tuple[str, str | None, str | None, str | None, str]], *, run_id: str,
        now: dt.datetime, cutoff: dt.datetime,
    ) -> None:  # fmt: skip
        """Keep the batch's exact copies of other items, ``(source, guid, url, url_norm,
        article_id)`` (``copy_decisions``), and prune those older than ``cutoff``."""
        params = {"now": now, "run_id": run_id, "cutoff": cutoff}
        if copies:
            self._input("batch_copy_decisions_input",
                        _row_columns(copies, ("source", "guid", "url", "url_norm", "article_id")))  # fmt: skip
            self._run("queries/ingest_copy_decisions", params)
        self._run("queries/prune_copy_decisions", params)

    def count_batch(self, *, run_id: str, now: dt.datetime, counts: Mapping[str, int]) -> None:
        """Add a batch's counts (new, duplicate, revised, rejected, fetched, flagged, alerts) to its run."""
        self._run("queries/ingest_counts", {"now": now, "run_id": run_id, **counts})

    def _stage_matches(self, matched: Sequence[tuple[str, TopicMatch]]) -> None:
        hits = [(n, h_no, h) for n, (_, m) in enumerate(matched) for h_no, h in enumerate(m.hits)]
        self._input("batch_matches_input", {
            "match_no": np.arange(len(matched), dtype=np.int64),
            "article_id": _objects([a for a, _ in matched]),
            "topic": _objects([m.topic for _, m in matched]),
            "score": np.array([m.score for _, m in matched], dtype=np.float64),
            "snippet": _objects([m.snippet for _, m in matched]),
            "rule_version": _objects([m.rule_version for _, m in matched]),
        })  # fmt: skip
        self._input("batch_hits_input", {
            "match_no": np.array([n for n, _, _ in hits], dtype=np.int64),
            "hit_no": np.array([h_no for _, h_no, _ in hits], dtype=np.int64),
            "term": _objects([h.term for _, _, h in hits]),
            "field": _objects([h.field for _, _, h in hits]),
            "start": np.array([h.start for _, _, h in hits], dtype=np.int64),
            "end": np.array([h.end for _, _, h in hits], dtype=np.int64),
        })  # fmt: skip
        self._run("queries/stage_matches")

    # -- the alert outbox ----------------------------------------------------------------------------

    def due_alerts(self, *, now: dt.datetime, max_attempts: int) -> list[PendingAlert]:
        """Pending alerts whose next attempt is due, oldest first, with their message's data."""
        rows = self._records("queries/due_alerts", {"now": naive_utc(now), "max_attempts": max_attempts})
        return [
            PendingAlert(**{
                **r, "headline": r["headline"] or "", "source": r["source"] or "", "terms": tuple(r["terms"] or ()),
                "snippet": r["snippet"] or "", "story_outlets": tuple(r["story_outlets"]),
            })  # fmt: skip
            for r in rows
        ]

    def record_deliveries(
        self, results: Sequence[DeliveryResult], *, now: dt.datetime, max_attempts: int, backoff_seconds: float
    ) -> None:
        """Record delivery outcomes: sent, or retry after ``backoff_seconds * 2**(attempts-1)``,
        or failed for good once ``max_attempts`` attempts have failed."""
        self._writable()
        if not results:
            return
        with self.transaction():
            self._input("delivery_input", {
                "alert_id": _objects([r.alert_id for r in results]),
                "ok": np.array([r.ok for r in results], dtype=bool),
                "error": _objects([r.error for r in results]),
                "sent_at": time_column([r.sent_at for r in results]),
            })  # fmt: skip
            self._run("queries/record_deliveries", {
                "now": naive_utc(now), "max_attempts": max_attempts, "backoff_seconds": float(backoff_seconds),
            })  # fmt: skip

    def retry_failed_alerts(self) -> int:
        """Give every failed alert a fresh set of attempts; returns how many."""
        with self.transaction():
            return len(self._run("queries/retry_failed_alerts").fetchall())

    def alerts(self, status: str | None = None) -> list[AlertRow]:
        """Outbox rows, newest first; only those with ``status`` when given."""
        rows = self._records("queries/list_alerts", {"status": status})
        return [
            AlertRow(**{**r, "created_at": _aware(r["created_at"]), "sent_at": _aware(r["sent_at"]),
                        "next_attempt_at": _aware(r["next_attempt_at"]), "terms": tuple(r["terms"])})  # fmt: skip
            for r in rows
        ]

    def alert_listing(self, status: str | None = None) -> tuple[list[str], list[tuple]]:
        """Outbox rows with their article's headline, newest first: ``(column names, rows)``."""
        result = self._run("queries/alert_listing", {"status": status})
        return [d[0] for d in result.description], result.fetchall()

    def story_topic_alerts(self, story_ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """``(alert_id, topic, story_id, article_id)`` of every alert of the given stories."""
        return self._run("queries/story_topic_alerts", {"story_ids": list(story_ids)}).fetchall()

    def daily_digest(self, *, since: dt.datetime) -> list[tuple[str, StorySummary]]:
        """``(topic, story)`` for every story a topic matched since ``since``, by topic, best
        scored first: the earliest matching article's headline, link and dateline, the story's
        sources, its matching articles and the union of matched terms."""
        rows = self._records("queries/daily_digest", {"since": naive_utc(since)})
        return [
            (r["topic"], StorySummary(story_id=r["story_id"], headline=r["headline"] or "", url=r["url"],
                                      sources=r["n_sources"], articles=r["n_matching"],
                                      dateline_place=r["dateline_place"], dateline_date=r["dateline_date"],
                                      agency=r["agency"], terms=tuple(r["terms"]), outlets=tuple(r["outlets"]),
                                      speakers=tuple(r["speakers"])))
            for r in rows
        ]  # fmt: skip

    # -- topics ------------------------------------------------------------------------------------

    def topic_rule_versions(self) -> dict[str, str]:
        """The rule version each topic's stored matches were made with."""
        return dict(self._run("queries/topic_rule_versions").fetchall())

    def record_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime) -> None:
        """Record topics' rule versions (e.g. for topics new to an empty archive)."""
        self._writable()
        with self.transaction():
            self._record_topic_rules(versions, now=naive_utc(now))

    def _record_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime | None) -> None:
        self._input("topic_rules_input", {
            "topic": _objects(list(versions)), "rule_version": _objects(list(versions.values())),
        })  # fmt: skip
        self._run("queries/record_topic_rules", {"now": now})

    def retag(
        self,
        topic_names: Sequence[str],
        match: Callable[[Article], Sequence[TopicMatch]],
        *,
        since: dt.datetime,
        now: dt.datetime,
        rule_versions: Mapping[str, str] | None = None,
    ) -> int:
        """Re-evaluate the stored articles of the window (``since`` onwards) for the named topics:
        their matches are replaced, no alert is created, and the topics' rule versions are
        recorded (``rule_versions``, else the versions the new matches carry). Returns the
        number of matches stored."""
        self._writable()
        names = set(topic_names)
        now, since = naive_utc(now), naive_utc(since)
        versions = dict(rule_versions or {})
        stored = 0
        with self.transaction():
            self._input("topic_rules_input", {"topic": _objects(sorted(names))})
            self._run("queries/retag_clear", {"since": since})
            for page in self._article_pages(since):
                matched = [(s.article_id, m) for s in page for m in match(s.article) if m.topic in names]
                for _, m in matched:
                    versions.setdefault(m.topic, m.rule_version)
                self._stage_matches(matched)
                self._run("queries/retag_matches", {"now": now})
                stored += len(matched)
            self._record_topic_rules({t: v for t, v in versions.items() if t in names}, now=now)
        return stored

    def alert_history(
        self, routes: Mapping[str, AlertRoute], *, since: dt.datetime, now: dt.datetime, run_id: str | None = None
    ) -> list[str]:
        """Create pending alerts from stored matches of the routed topics (articles since
        ``since``): one per topic, story and channel that has none yet. Returns their ids."""
        self._writable()
        with self.transaction():
            self._input("batch_routes_input", _route_columns(routes))
            params = {"since": naive_utc(since), "now": naive_utc(now), "run_id": run_id}
            return self._insert_alerts("queries/history_alerts", params)

    def _insert_alerts(self, due: str, params: Mapping[str, Any]) -> list[str]:
        """Stage the alerts that statement ``due`` finds due, insert them as pending, return their ids."""
        self._run(due, params)
        return [row[0] for row in self._run("queries/insert_due_alerts", params).fetchall()]

    def articles_since(self, since: dt.datetime) -> Iterator[StoredArticle]:
        """Stored articles (current versions) published (else fetched, else first seen) since
        ``since``, oldest first, rebuilt as Articles for backtests and retags."""
        for page in self._article_pages(naive_utc(since)):
            yield from page

    def _article_pages(self, since: dt.datetime | None) -> Iterator[list[StoredArticle]]:
        after: tuple[dt.datetime, str] | None = None
        while True:
            params = {"since": since, "after_at": after[0] if after else None, "after_id": after[1] if after else None}
            rows = self._records("queries/articles_since", {**params, "limit": _PAGE_SIZE})
            if not rows:
                return
            yield [_stored_article(r) for r in rows]
            after = (rows[-1]["event_at"], rows[-1]["article_id"])

    # -- lake maintenance and moves ---------------------------------------------------------------

    def compact(self, *, retention: dt.timedelta, now: dt.datetime) -> tuple[tuple[int, int], tuple[int, int]]:
        """Merge the lake's small files, expire snapshots older than ``retention`` (time travel
        reaches no further back) and delete files nothing refers to any more; one merge at a
        time with the writers, which keep committing before and after it. Returns the data
        files and their bytes before and after (``lake_files``)."""
        self._writable()
        if self.lake is None:
            raise StoreError(f"{self.path}: compaction is for a lake; a DuckDB file compacts itself when it checkpoints")
        before = self.lake_files()
        try:
            lake.compact(self._conn, older_than=naive_utc(now) - retention)
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: cannot compact: {first_line(error)}") from None
        return before, self.lake_files()

    def lake_files(self) -> tuple[int, int]:
        """How many Parquet files the lake's data folder holds, and their bytes."""
        if self.lake is None:
            return 0, 0
        sizes = [f.stat().st_size for f in Path(self.lake.data_path).rglob("*.parquet")]
        return len(sizes), sum(sizes)

    def migrate_from(self, source: Path, *, now: dt.datetime) -> tuple[dict[str, int], bool]:
        """Copy every row of the DuckDB-file archive ``source`` (opened read-only: it stays as it
        was) into this lake, in one transaction; returns the rows copied per table, and whether
        they were copied now (False: this file was moved here before, and nothing was done).
        Refuses a lake that already holds other data."""
        self._writable()
        if self.lake is None:
            raise StoreError(f"{self.path}: migrate moves a DuckDB file into a lake; the configured archive is a file")
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

    # -- ad-hoc queries ------------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> tuple[list[str], list[tuple]]:
        """Run one statement (``wirewatch sql``; open the store read-only for that) and return
        ``(column names, rows)``. Errors raise StoreError with DuckDB's one-line reason."""
        try:
            result = self._conn.execute(sql, params) if params is not None else self._conn.execute(sql)
            columns = [d[0] for d in result.description] if result.description else []
            return columns, result.fetchall() if result.description else []
        except duckdb.Error as error:
            raise StoreError(f"{self.path}: {first_line(error)}") from None


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


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _lake_statements(name: str) -> tuple[str, ...]:
    """``sql_statements(name)`` as a lake takes them: without compression clauses."""
    return _LAKE_STATEMENTS.get(name) or _LAKE_STATEMENTS.setdefault(
        name, tuple(_COMPRESSION_CLAUSE.sub("", statement) for statement in sql_statements(name))
    )


_LAKE_STATEMENTS: dict[str, tuple[str, ...]] = {}


def _migrations() -> list[tuple[int, Path]]:
    found = []
    for file in sorted((SQL_DIR / "migrations").glob("*.sql")):
        number = file.name.split("_", 1)[0]
        if number.isdigit():
            found.append((int(number), file))
    return sorted(found)


def _row_columns(rows: Sequence[tuple], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Rows of scalars as one object column per name."""
    return {name: _objects([row[i] for row in rows]) for i, name in enumerate(names)}


def _route_columns(routes: Mapping[str, AlertRoute]) -> dict[str, np.ndarray]:
    flat = [(topic, key, shown, r.realert_on_update) for topic, r in routes.items() for key, shown in r.channels]
    return {
        "topic": _objects([f[0] for f in flat]),
        "channel_key": _objects([f[1] for f in flat]),
        "channel": _objects([f[2] for f in flat]),
        "realert": np.array([f[3] for f in flat], dtype=bool),
    }


def _wire_columns(articles: Sequence[Article]) -> dict[str, np.ndarray]:
    """The wire-format metadata of versions to write (all NULL for articles from other inputs)."""
    wires = [a.wire for a in articles]

    def column(name: str) -> np.ndarray:
        return _objects([getattr(w, name) if w else None for w in wires])

    return {
        **{name: column(name) for name in ("format", "version", "pub_status", "urgency", "priority", "slugline",
                                           "byline", "take_key", "ednote", "correction")},
        "signals": _objects([json.dumps(list(w.signals)) if w else None for w in wires]),
        "subjects": _objects([json.dumps(list(w.subjects)) if w else None for w in wires]),
    }  # fmt: skip


def _quote_columns(quoted: Sequence[tuple[str, Sequence[Quote]]]) -> dict[str, np.ndarray]:
    rows = [(article_id, n, q) for article_id, quotes in quoted for n, q in enumerate(quotes)]
    keys = [q.speaker_key for _, _, q in rows]
    columns = {"article_id": _objects([a for a, _, _ in rows]),
               "quote_no": np.array([n for _, n, _ in rows], dtype=np.int64)}  # fmt: skip
    for name in ("kind", "paragraph", "cue", "speaker", "speaker_title", "speaker_org", "speaker_is_org", "said_at",
                 "said_at_source", "said_at_basis"):  # fmt: skip
        columns[name] = _objects([getattr(q, name) for _, _, q in rows])
    columns["span_start"] = np.array([q.start for _, _, q in rows], dtype=np.int64)
    columns["span_end"] = np.array([q.end for _, _, q in rows], dtype=np.int64)
    columns["speaker_key"] = _objects([k for k, _ in keys])
    columns["speaker_initial"] = _objects([i for _, i in keys])
    return columns


def _source_columns(polls: Sequence[SourceState]) -> dict[str, np.ndarray]:
    latest = list({s.name: s for s in polls}.values())  # one row per source: the last state given
    return {
        "name": _objects([s.name for s in latest]),
        "kind": _objects([s.kind for s in latest]),
        "url": _objects([s.url for s in latest]),
        "etag": _objects([s.etag for s in latest]),
        "last_modified": _objects([s.last_modified for s in latest]),
        "last_poll": time_column([s.last_poll for s in latest]),
        "last_status": _objects([s.last_status for s in latest]),
        "last_error": _objects([s.last_error for s in latest]),
        "consecutive_failures": np.array([s.consecutive_failures for s in latest], dtype=np.int64),
        "items_seen": np.array([s.items_seen for s in latest], dtype=np.int64),
        "poll_interval": _objects([s.poll_interval for s in latest]),
        "last_new_at": time_column([s.last_new_at for s in latest]),
    }


def _stored_article(r: Mapping[str, Any]) -> StoredArticle:
    """An ``articles_since`` row (by column name) rebuilt as an Article."""
    dateline = Dateline(
        r["dateline_raw"], r["dateline_place"], r["dateline_region"], r["dateline_date_text"], r["dateline_date"],
        r["dateline_date_source"], r["agency"], r["agency_raw"], r["dateline_separator"],
    ) if r["dateline_raw"] else None  # fmt: skip
    body = r["body"]
    article = Article(
        item=WireItem(r["section"] or "", r["headline"] or "", r["subtitle"], dateline,
                      tuple(body.split("\n\n")) if body else ()),  # fmt: skip
        source=r["source"],
        url=r["url"],
        guid=r["guid"],
        published_at=_aware(r["published_at"]),
        fetched_at=_aware(r["fetched_at"]),
        lang=r["lang"] or "en",
        provenance=json.loads(r["provenance"]) if r["provenance"] else {},
    )
    return StoredArticle(r["article_id"], r["story_id"], r["revision"], article)
