"""The lake primitives (wirewatch.archive.lake): DuckLake loaded from its wheels, attached with a SQLite catalog (the
embedded default) or a PostgreSQL one on loopback; a reader never blocked by a writer, merges
one at a time storing every key once, snapshots to travel back to. Real processes, real files,
a real PostgreSQL server (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import duckdb
import pytest

from bench.lake_concurrency import create_items, merging_writers, reader_during_writer, write_batches
from wirewatch.archive.lake import (
    LakeError,
    attach_lake,
    default_lake,
    extension_file,
    libpq_keywords,
    load_extensions,
    metadata_path,
    redacted,
    snapshots,
)


@pytest.fixture
def embedded(tmp_path: Path) -> tuple[str, str]:
    catalog, files = default_lake(tmp_path / "data")
    return str(catalog), str(files)


def count(catalog: str, data_path: str, sql: str = "SELECT count(*), count(DISTINCT key) FROM lake.items") -> tuple:
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, data_path, read_only=True)
        return conn.execute(sql).fetchone()


# ---------------------------------------------------------------------------------------------
# Extensions and catalogs


def test_each_extension_is_found_in_its_wheel_for_the_running_duckdb():
    for name in ("ducklake", "sqlite_scanner", "postgres_scanner"):
        path = extension_file(name)
        assert path.name == f"{name}.duckdb_extension"
        assert path.parent.name == f"v{duckdb.__version__}"
        assert f"duckdb_extension_{name}" in path.parts


def test_a_missing_extension_wheel_is_named_in_one_line():
    with pytest.raises(LakeError) as error:
        extension_file("iceberg")
    assert str(error.value) == (
        "DuckDB extension iceberg: the wheel duckdb-extension-iceberg is not installed (uv sync installs it)"
    )


def test_extensions_load_from_the_wheels_without_unsigned_extensions():
    with duckdb.connect() as conn:
        load_extensions(conn)
        loaded = {row[0] for row in conn.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()}
        unsigned = conn.execute("SELECT current_setting('allow_unsigned_extensions')").fetchone()[0]
    assert {"ducklake", "sqlite_scanner", "postgres_scanner"} <= loaded
    assert unsigned is False


def test_a_postgres_url_becomes_libpq_keywords():
    url = "postgresql://wire%40watch:p%20w'd@db.example:5433/archive?sslmode=require&application_name=wirewatch"
    assert libpq_keywords(url) == (
        r"dbname=archive host=db.example port=5433 user=wire@watch password='p w\'d' sslmode=require application_name=wirewatch"
    )
    assert metadata_path("postgres://u@h/db") == "postgres:dbname=db host=h user=u"
    assert metadata_path(Path("data/lake/catalog.sqlite")) == "sqlite:data/lake/catalog.sqlite"


def test_a_shown_catalog_url_hides_its_password():
    assert redacted("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert redacted("postgresql://u@h/db") == "postgresql://u@h/db"


def test_an_unreachable_postgres_catalog_fails_in_one_line_without_the_password(tmp_path: Path):
    with duckdb.connect() as conn, pytest.raises(LakeError) as error:
        attach_lake(conn, "postgresql://wirewatch:hunter2@127.0.0.1:1/lake", tmp_path / "files")
    message = str(error.value)
    assert message.startswith("postgresql://wirewatch:***@127.0.0.1:1/lake: cannot attach the lake: ")
    assert "hunter2" not in message and "\n" not in message


def test_a_read_only_attach_needs_an_existing_lake(tmp_path: Path):
    catalog, files = default_lake(tmp_path)
    with duckdb.connect() as conn, pytest.raises(LakeError) as error:
        attach_lake(conn, catalog, files, read_only=True)
    assert str(error.value) == f"{catalog}: no lake catalog there (attach it once for writing first)"
    assert not catalog.parent.exists()


def test_the_embedded_lake_lives_under_the_data_folder_with_a_wal_catalog(tmp_path: Path):
    catalog, files = default_lake(tmp_path / "data")
    assert (catalog, files) == (tmp_path / "data/lake/catalog.sqlite", tmp_path / "data/lake/files")
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, files, alias="archive lake")
        conn.execute('CREATE TABLE "archive lake".t AS SELECT range AS k FROM range(3)')
        assert conn.execute('SELECT sum(k) FROM "archive lake".t').fetchone() == (3,)
    with sqlite3.connect(catalog) as check:
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_read_only_lake_refuses_writes(embedded):
    create_items(*embedded)
    with duckdb.connect() as conn:
        attach_lake(conn, *embedded, read_only=True)
        with pytest.raises(duckdb.Error, match="read-only"):
            conn.execute("INSERT INTO lake.items VALUES (1, 0, 0, 'x')")


# ---------------------------------------------------------------------------------------------
# Readers and writers at once


def test_a_reader_keeps_answering_while_a_writer_commits_20_batches(embedded):
    create_items(*embedded)
    writer, reader = reader_during_writer(*embedded, batches=20, rows=500, interval=0.3, pause=0.1)
    assert (writer.commits, writer.errors) == (20, [])
    assert reader.errors == []
    assert reader.counts == sorted(reader.counts)  # never goes back
    assert reader.counts[0] < reader.counts[-1] and len(set(reader.counts)) >= 3, reader.counts
    assert count(*embedded) == (10_000, 10_000)


def test_four_writers_merging_overlapping_rows_into_a_postgres_lake_store_each_key_once(postgres_catalog, tmp_path):
    data_path = str(tmp_path / "files")
    create_items(postgres_catalog, data_path)
    # writer w merges keys [w*1000, w*1000 + 9*250 + 500): each batch overlaps the one before by
    # half, and each writer's range the next writer's
    results = merging_writers(postgres_catalog, data_path, writers=4, batches=10, rows=500, step=250, spacing=1000)
    assert [(r.commits, r.errors) for r in results] == [(10, [])] * 4
    assert count(postgres_catalog, data_path) == (3 * 1000 + 2750, 3 * 1000 + 2750)
    assert count(postgres_catalog, data_path, "SELECT min(key), max(key) FROM lake.items") == (0, 5749)


def test_two_writers_merging_into_an_embedded_lake_take_turns_on_the_file_lock(embedded):
    create_items(*embedded)
    results = merging_writers(*embedded, writers=2, batches=5, rows=500, step=250, spacing=1000)
    assert [(r.commits, r.errors) for r in results] == [(5, [])] * 2
    assert count(*embedded) == (2500, 2500)
    assert Path(embedded[0] + ".merge-lock").is_file()


# ---------------------------------------------------------------------------------------------
# Time travel


@pytest.mark.parametrize("where", ["embedded", "postgres"])
def test_time_travel_returns_the_earlier_state(where, request, tmp_path):
    if where == "embedded":
        catalog, data_path = request.getfixturevalue("embedded")
    else:
        catalog, data_path = request.getfixturevalue("postgres_catalog"), str(tmp_path / "files")
    create_items(catalog, data_path)
    write_batches(catalog, data_path, 1, 100)
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, data_path)
        version, taken, _ = snapshots(conn)[-1]
        conn.execute("DELETE FROM lake.items WHERE key < 40")
        conn.execute("INSERT INTO lake.items SELECT range, 1, 1, 'later' FROM range(1000, 1005)")
        now = conn.execute("SELECT count(*), min(key) FROM lake.items").fetchone()
        by_version = conn.execute("SELECT count(*), min(key) FROM lake.items AT (VERSION => $v)", {"v": version}).fetchone()
        by_time = conn.execute("SELECT count(*), min(key) FROM lake.items AT (TIMESTAMP => $t)", {"t": taken}).fetchone()
        before = conn.execute(
            "SELECT count(*) FROM lake.items AT (TIMESTAMP => $t)", {"t": taken - dt.timedelta(microseconds=1)}
        ).fetchone()
    assert now == (65, 40)
    assert by_version == by_time == (100, 0)
    assert before == (0,)  # the table existed, empty, just before the batch
