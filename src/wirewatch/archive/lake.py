"""The archive as a lake: DuckLake tables as Parquet files plus a catalog database,
which any number of reader and writer processes open at once, with snapshots to travel back to.

The catalog is a SQLite file (the embedded default, ``data/lake/catalog.sqlite`` with the Parquet
files in ``data/lake/files/``) or a PostgreSQL database (``postgresql://...``) that writers on
several machines share. DuckDB cannot download extensions here, so they are loaded from the
``duckdb-extension-*`` wheels that ``pyproject.toml`` pins to the DuckDB version.

The store (``wirewatch.archive.store``) attaches the lake with these functions; they know nothing of the
archive's tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import importlib.resources
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import duckdb

from wirewatch.errors import LakeError, first_line
from wirewatch.model import is_server_catalog, shown_catalog
from wirewatch.archive.sqlfiles import parameters_of, sql_statements

EXTENSIONS = ("ducklake", "sqlite_scanner", "postgres_scanner")
DEFAULT_ALIAS = "lake"
ROW_GROUP_BYTES = "32MB"  # well inside the writer's memory limit (sql/queries/settings.sql)
INIT_ATTEMPTS = 8  # attaches of a writer that lost the race to create a new catalog's tables


# ---------------------------------------------------------------------------------------------
# Extensions


def extension_file(name: str) -> Path:
    """The ``.duckdb_extension`` build of ``name`` for the running DuckDB, inside its wheel."""
    package = f"duckdb_extension_{name}"
    wheel = package.replace("_", "-")
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise LakeError(f"DuckDB extension {name}: the wheel {wheel} is not installed (uv sync installs it)") from None
    build = root / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not build.is_file():
        builds = sorted(entry.name for entry in (root / "extensions").iterdir()) if (root / "extensions").is_dir() else []
        raise LakeError(
            f"DuckDB extension {name}: the wheel {wheel} has builds for {', '.join(builds) or 'nothing'},"
            f" not for DuckDB v{duckdb.__version__} (pin both to the same version)"
        )
    return Path(str(build))


def load_extensions(conn: duckdb.DuckDBPyConnection) -> None:
    """Load DuckLake and its catalog scanners from their wheels, by path: no download. The wheels
    carry DuckDB's signed builds, so unsigned extensions stay refused."""
    for name in EXTENSIONS:
        path = extension_file(name)
        try:
            conn.load_extension(str(path))
        except duckdb.Error as error:
            raise LakeError(f"DuckDB extension {name}: cannot load {path}: {first_line(error)}") from None


# ---------------------------------------------------------------------------------------------
# Catalogs


def default_lake(data_dir: Path) -> tuple[Path, Path]:
    """The embedded lake's catalog file and data folder under ``data_dir``."""
    return data_dir / "lake" / "catalog.sqlite", data_dir / "lake" / "files"


def is_postgres(catalog: str | Path) -> bool:
    return is_server_catalog(catalog)


def metadata_path(catalog: str | Path) -> str:
    """DuckLake's form of a catalog: ``sqlite:PATH`` for a file, ``postgres:dbname=... host=...``
    (libpq keywords) for a ``postgresql://user:password@host:port/dbname?option=value`` URL."""
    if not is_postgres(catalog):
        return f"sqlite:{Path(catalog)}"
    return f"postgres:{libpq_keywords(str(catalog))}"


def libpq_keywords(url: str) -> str:
    """A PostgreSQL URL as libpq's ``key=value`` string, each value quoted when it needs it."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise LakeError(f"{redacted(url)}: not a valid port") from None
    fields = {
        "dbname": unquote(parts.path.lstrip("/")) or None,
        "host": unquote(parts.hostname) if parts.hostname else None,
        "port": str(port) if port else None,
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        **dict(parse_qsl(parts.query, keep_blank_values=True)),
    }
    return " ".join(f"{key}={_libpq_value(value)}" for key, value in fields.items() if value is not None)


def _libpq_value(value: str) -> str:
    if value and not any(c.isspace() or c in "'\\" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def redacted(catalog: str | Path) -> str:
    """The catalog as it may be shown: a URL without its password."""
    return shown_catalog(str(catalog))


# ---------------------------------------------------------------------------------------------
# Attaching


def attach_lake(
    conn: duckdb.DuckDBPyConnection,
    catalog: str | Path,
    data_path: Path | str,
    *,
    read_only: bool = False,
    alias: str = DEFAULT_ALIAS,
    as_of: dt.datetime | None = None,
) -> None:
    """Attach the lake whose catalog is ``catalog`` (a SQLite file path or a ``postgresql://``
    URL) and whose Parquet files are under ``data_path``, as the database ``alias``. A writer
    creates an embedded lake's folders; a read-only attach needs an existing lake. ``as_of``
    (naive UTC, read-only) attaches the lake as it was then."""
    load_extensions(conn)
    if not is_postgres(catalog):
        catalog = Path(catalog)
        if read_only and not catalog.is_file():
            raise LakeError(f"{catalog}: no lake catalog there (attach it once for writing first)")
        if not read_only:
            catalog.parent.mkdir(parents=True, exist_ok=True)
            Path(data_path).mkdir(parents=True, exist_ok=True)
            if not catalog.exists():
                _create_sqlite_catalog(catalog)
    try:
        _run(conn, "lake/catalog_secret", {"catalog": metadata_path(catalog), "data_path": str(data_path)})
        if as_of is None:
            _attach_racing(conn, read_only, alias)
        else:
            _run(conn, "lake/attach_as_of", {"as_of": as_of}, alias=alias)
    except duckdb.Error as error:
        reason = _scrubbed(first_line(error), catalog)
        if as_of is not None and "snapshot" in reason.lower():
            raise LakeError(f"{redacted(catalog)}: no snapshot at or before {as_of:%Y-%m-%d %H:%M:%S} UTC"
                            " (the archive is younger, or compaction expired it)") from None  # fmt: skip
        raise LakeError(f"{redacted(catalog)}: cannot attach the lake: {reason}") from None


def _attach_racing(conn: duckdb.DuckDBPyConnection, read_only: bool, alias: str) -> None:
    """Attach; writers that meet a new, empty catalog at the same moment all try to create its
    tables, and all but one fail: they attach again, to the tables the winner made."""
    for attempt in range(INIT_ATTEMPTS):
        try:
            _run(conn, "lake/attach", {"read_only": read_only}, alias=alias)
            return
        except duckdb.Error as error:
            if read_only or "Failed to initialize DuckLake" not in str(error) or attempt == INIT_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def prepare_writer(conn: duckdb.DuckDBPyConnection, *, alias: str = DEFAULT_ALIAS) -> None:
    """Set up a writer's session on the attached lake: Parquet row groups bounded by bytes (set in
    the catalog once, by the first writer; call it under the merge lock)."""
    _run(conn, "lake/writer_session", {})
    if _run(conn, "lake/option", {"name": "parquet_row_group_size_bytes"}, alias=alias).fetchone() is None:
        _run(conn, "lake/row_group_bytes", {"bytes": ROW_GROUP_BYTES}, alias=alias)


def use(conn: duckdb.DuckDBPyConnection, *, alias: str = DEFAULT_ALIAS) -> None:
    """Make the attached lake the session's default database."""
    _run(conn, "lake/use", {}, alias=alias)


def confine_reader(conn: duckdb.DuckDBPyConnection, catalog: str | Path, data_path: Path | str) -> None:
    """Let the session read the lake's files and nothing else, with its settings locked."""
    folder = str(Path(data_path).resolve()).rstrip("/") + "/"
    paths = [] if is_postgres(catalog) else [str(Path(catalog).resolve())]
    _run(conn, "lake/confine_reader", {"directories": [folder], "paths": paths})


COMPACT_MEMORY_LIMIT = "512MB"  # as a writer's session (sql/queries/settings.sql)


def compact(
    conn: duckdb.DuckDBPyConnection, *, older_than: dt.datetime, data_path: Path | str,
    memory_limit: str = COMPACT_MEMORY_LIMIT, alias: str = DEFAULT_ALIAS,
) -> None:  # fmt: skip
    """Merge the attached lake's small files, expire its snapshots older than ``older_than`` and
    delete the files nothing refers to any more, one merge at a time with the writers.

    In bounded memory at any archive size: one thread within ``memory_limit``, table by table,
    one merged output file per piece, each piece committed alone. A piece that fails (out of
    memory, a full or read-only disk) leaves no file behind: what it wrote under ``data_path`` is
    deleted (writers write only under the merge lock, which this holds, so a file that appeared
    meanwhile is the piece's). The pieces committed before it stay: each is a complete merge."""
    folder = Path(data_path)
    with merge_lock(conn, alias=alias), _compaction_session(conn, memory_limit):
        with _nothing_left_behind(folder):
            _run(conn, "lake/flush_inlined", {}, alias=alias)
        for schema, table in _run(conn, "lake/compact_tables", {"alias": alias}).fetchall():
            where = {"schema": schema, "table": table}
            # DuckLake writes a table's files under schema/table/: look there only, when it exists
            files = folder / schema / table if (folder / schema / table).is_dir() else folder
            _merge_in_pieces(conn, files, where, alias)
            with _nothing_left_behind(files):
                _run(conn, "lake/rewrite_table", where, alias=alias)
            _merge_in_pieces(conn, files, where, alias)
        with _nothing_left_behind(folder):
            _run(conn, "lake/expire_and_clean", {"older_than": older_than}, alias=alias)


def _merge_in_pieces(conn: duckdb.DuckDBPyConnection, folder: Path, where: Mapping[str, str], alias: str) -> None:
    """Merge one table's small files a piece (one output file) at a time until none is left;
    each piece merges at least two files, so there are fewer pieces than the table's files
    (the bound that stops the loop should a piece ever merge nothing)."""
    for _ in range(sum(1 for _ in _files_under(folder))):
        with _nothing_left_behind(folder):
            if not _run(conn, "lake/merge_piece", where, alias=alias).fetchall():
                return


@contextmanager
def _compaction_session(conn: duckdb.DuckDBPyConnection, memory_limit: str) -> Iterator[None]:
    threads, limit = _run(conn, "lake/session_limits", {}).fetchone()
    try:
        _run(conn, "lake/compact_session", {"memory_limit": memory_limit})
    except duckdb.Error as error:
        raise LakeError(f"memory limit {memory_limit!r}: {first_line(error)}") from None
    try:
        yield
    finally:
        _run(conn, "lake/restore_session", {"threads": threads, "memory_limit": limit})


@contextmanager
def _nothing_left_behind(folder: Path) -> Iterator[None]:
    """Run the block; if it raises, delete the files it created under ``folder``."""
    before = set(_files_under(folder))
    try:
        yield
    except BaseException:
        for path in set(_files_under(folder)) - before:
            with contextlib.suppress(OSError):
                path.unlink()
        raise


def _files_under(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


def _create_sqlite_catalog(path: Path) -> None:
    """An empty SQLite file, set up for the lake before DuckLake writes its tables into it."""
    with contextlib.closing(sqlite3.connect(path)) as catalog:
        for statement in sql_statements("lake/sqlite_catalog"):
            catalog.execute(statement)


def snapshots(conn: duckdb.DuckDBPyConnection, *, alias: str = DEFAULT_ALIAS) -> list[tuple]:
    """``(snapshot_id, snapshot_time, changes)`` of every snapshot of the attached lake."""
    return _run(conn, "lake/snapshots", {"alias": alias}).fetchall()


@contextmanager
def merge_lock(conn: duckdb.DuckDBPyConnection, *, alias: str = DEFAULT_ALIAS) -> Iterator[None]:
    """Hold "one merge at a time" for the attached lake while the block runs: a PostgreSQL
    advisory lock for a shared catalog, an exclusive lock on a file beside a SQLite catalog.
    Commit the merge inside the block, so that the next merger sees it."""
    rows = _run(conn, "lake/attached_catalog", {"alias": alias}).fetchall()
    if not rows:
        raise LakeError(f"{alias}: no lake attached under that name")
    kind, _, where = rows[0][0].partition(":")
    if kind == "postgres":
        with _advisory_lock(conn, f"__ducklake_metadata_{alias}"):
            yield
    else:
        with _file_lock(Path(f"{where}.merge-lock")):
            yield


@contextmanager
def _advisory_lock(conn: duckdb.DuckDBPyConnection, metadata: str) -> Iterator[None]:
    # A cursor has a transaction of its own: the merge commits on ``conn`` while this one, and
    # with it the lock, stays open until the block ends.
    holder = conn.cursor()
    try:
        holder.begin()
        _run(holder, "lake/merge_lock", {"metadata": metadata})
        yield
    finally:
        holder.rollback()
        holder.close()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------------
# Plumbing


def _run(conn: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], *, alias: str | None = None):
    """Execute ``sql/<name>.sql``, each statement with the ``params`` it uses; ``{alias}`` becomes
    the quoted database name, ``{alias_literal}`` the name as a string literal."""
    result = conn
    for statement in sql_statements(name):
        if alias is not None:
            statement = statement.replace("{alias}", _identifier(alias)).replace("{alias_literal}", _literal(alias))
        used = {p: params[p] for p in parameters_of(statement)}
        result = conn.execute(statement, used) if used else conn.execute(statement)
    return result


def _scrubbed(message: str, catalog: str | Path) -> str:
    """``message`` without the catalog's password (PostgreSQL errors quote the connection string)."""
    password = urlsplit(str(catalog)).password if is_postgres(catalog) else None
    return message.replace(unquote(password), "***") if password else message


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
