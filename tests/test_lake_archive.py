"""The archive as a lake, end to end with real processes: a reader held open through an import,
time travel, moving a DuckDB file in, compaction, the reader's confinement, DuckDB's own attach,
and four writer processes on a PostgreSQL or SQLite catalog (tests/conftest.py) storing, alerting
and sending everything once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from typer.testing import CliRunner

import wirewatch
from wirewatch.cli.commands import app
from wirewatch.archive.lake import ROW_GROUP_BYTES, load_extensions
from wirewatch.model import LakeLocation
from wirewatch.archive.store import open_store

runner = CliRunner()
WIREWATCH = Path(sys.executable).with_name("wirewatch")
TOPICS = '[[topics]]\nname = "grain"\nquery = "harvest"\n'


def wire_files(folder: Path, numbers: range, *, prefix: str = "item") -> Path:
    """One wire-format file per number, each its own story (distinct words), every one about grain."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        words = " ".join(f"w{n}x{k}" for k in range(60))
        (folder / f"{prefix}{n:05d}.txt").write_text(
            f"Economy\n\nHarvest report {n}\n\nKRASNODAR, July 5. /TASS/. The grain harvest {n} hit a record. {words}.",
            encoding="utf-8",
        )
    return folder


def lake_config(folder: Path, extra: str = "") -> Path:
    config = folder / "wirewatch.toml"
    config.write_text(f'catalog = "lake/catalog.sqlite"\n{extra}{TOPICS}', encoding="utf-8")
    return config


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    return subprocess.run([str(WIREWATCH), *args], capture_output=True, text=True, env=env, timeout=600)


def sql(config: Path, query: str, *extra: str) -> list[str]:
    result = runner.invoke(app, ["sql", "--config", str(config), "-f", "csv", *extra, query])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1:]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Readers


def test_a_reader_held_open_through_an_import_keeps_answering_and_the_import_finishes(tmp_path):
    config = lake_config(tmp_path)
    first = runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(5)))])
    assert first.exit_code == 0, first.output
    reader = wirewatch.connect(config)
    try:
        counts = [reader.execute("SELECT count(*) FROM articles").fetchone()[0]]
        for part in range(3):  # three imports, each its own process and commit
            files = wire_files(tmp_path / f"b{part}", range(100 + part * 300, 100 + (part + 1) * 300))
            importer = subprocess.Popen([str(WIREWATCH), "import", "--config", str(config), str(files)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
            while importer.poll() is None:
                counts.append(reader.execute("SELECT count(*) FROM articles").fetchone()[0])
                time.sleep(0.05)
            out, err = importer.communicate()
            assert importer.returncode == 0, err
            assert out.startswith("items: 300 new,")
            counts.append(reader.execute("SELECT count(*) FROM articles").fetchone()[0])
        stories = reader.execute("SELECT count(*) FROM stories").fetchone()[0]
    finally:
        reader.close()
    assert counts == sorted(counts) and counts[0] == 5 and counts[-1] == 905
    assert len(counts) > 6  # it answered while the imports ran, not only between them
    assert stories == 905


def test_the_reader_reads_the_lake_and_nothing_else(tmp_path):
    config = lake_config(tmp_path)
    assert runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(3)))]).exit_code == 0
    with wirewatch.connect(config) as reader:
        assert reader.execute("SELECT count(*) FROM articles").fetchone() == (3,)
        for statement in ("SELECT * FROM read_csv('/etc/passwd')", f"ATTACH '{tmp_path}/x.duckdb' AS x",
                          f"COPY (SELECT 1) TO '{tmp_path}/out.csv'"):  # fmt: skip
            with pytest.raises(duckdb.PermissionException, match="disabled by configuration"):
                reader.execute(statement)
        with pytest.raises(duckdb.InvalidInputException, match="the configuration has been locked"):
            reader.execute("SET enable_external_access = true")
        with pytest.raises(duckdb.Error, match="read-only"):
            reader.execute("DELETE FROM article_rows")
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_duckdbs_own_attach_finds_the_views_and_macros_in_the_catalog(tmp_path):
    config = lake_config(tmp_path)
    assert runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(4)))]).exit_code == 0
    with duckdb.connect() as conn:  # as DuckDB's CLI: INSTALL ducklake; then these two lines
        load_extensions(conn)
        conn.execute(f"ATTACH 'ducklake:sqlite:{tmp_path}/lake/catalog.sqlite' AS lake (READ_ONLY)")
        conn.execute("USE lake")
        assert conn.execute("SELECT count(*), count(DISTINCT story_id) FROM articles").fetchone() == (4, 4)
        assert conn.execute("SELECT count(*) FROM topic_matches WHERE topic = 'grain'").fetchone() == (4,)
        assert conn.execute("SELECT bool_and(wire_text = wire_text(section, headline, subtitle, dateline_raw, body)) FROM articles").fetchone() == (True,)
        views = {r[0] for r in conn.execute("SELECT view_name FROM duckdb_views() WHERE database_name = 'lake'").fetchall()}
    assert {"articles", "stories", "topic_matches", "alerts", "article_revisions", "runs", "sources", "copy_decisions"} <= views


# ---------------------------------------------------------------------------------------------
# Time travel


def test_as_of_answers_what_the_archive_held_then(tmp_path):
    config = lake_config(tmp_path)
    assert runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(3)))]).exit_code == 0
    time.sleep(0.05)
    then = dt.datetime.now(dt.timezone.utc)
    time.sleep(0.05)
    assert runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "b", range(10, 17)))]).exit_code == 0
    assert sql(config, "SELECT count(*) FROM articles") == ["10"]
    assert sql(config, "SELECT count(*) FROM articles", "--as-of", then.isoformat()) == ["3"]
    naive = then.replace(tzinfo=None).isoformat()  # without an offset: UTC
    assert sql(config, "SELECT count(*), count(DISTINCT story_id) FROM stories", "--as-of", naive) == ["3,3"]
    with wirewatch.connect(config, as_of=then) as reader:
        assert reader.execute("SELECT count(*) FROM topic_matches").fetchone() == (3,)
    with wirewatch.connect(config) as reader:  # AT (TIMESTAMP => ...) in a query, as the README shows
        at = reader.execute("SELECT count(*) FROM article_rows AT (TIMESTAMP => $t)", {"t": then}).fetchone()
    assert at == (3,)


@pytest.mark.parametrize(
    "where,as_of,message",
    [
        ("lake", "2001-01-01", "{lake}: no snapshot at or before 2001-01-01 00:00:00 UTC (the archive is younger, or compaction expired it)"),
        ("lake", "yesterday", "--as-of: not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM]): 'yesterday'"),
        ("file", "2030-01-01", "{file}: --as-of needs a lake archive (a DuckDB file keeps no earlier states)"),
    ],
)
def test_as_of_errors_are_one_line(tmp_path, where, as_of, message):
    seeds = wire_files(tmp_path / "a", range(2))
    lake_cfg = lake_config(tmp_path)
    file_db = tmp_path / "a.duckdb"
    assert runner.invoke(app, ["import", "--config", str(lake_cfg), str(seeds)]).exit_code == 0
    assert runner.invoke(app, ["import", "--config", str(lake_cfg), "--db", str(file_db), str(seeds)]).exit_code == 0
    target = ["--db", str(file_db)] if where == "file" else []
    result = runner.invoke(app, ["sql", "--config", str(lake_cfg), *target, "--as-of", as_of, "SELECT 1"])
    expected = message.format(lake=tmp_path / "lake/catalog.sqlite", file=file_db)
    assert (result.exit_code, result.stderr) == (2, f"error: {expected}\n")


# ---------------------------------------------------------------------------------------------
# Moving a DuckDB file in


def test_migrate_moves_every_row_counted_leaves_the_file_and_a_rerun_changes_nothing(tmp_path):
    file_db = tmp_path / "old.duckdb"
    (tmp_path / "file.toml").write_text(f'db = "old.duckdb"\n{TOPICS}', encoding="utf-8")
    for part, numbers in enumerate((range(0, 40), range(30, 60))):
        folder = wire_files(tmp_path / f"in{part}", numbers)
        assert runner.invoke(app, ["import", "--config", str(tmp_path / "file.toml"), str(folder)]).exit_code == 0
    before = sha256(file_db)
    with duckdb.connect(str(file_db), read_only=True) as source:
        tables = [r[0] for r in source.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1").fetchall()]
        counts = {t: source.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        articles = source.execute("SELECT * FROM articles ORDER BY article_id").fetchall()
        matches = source.execute("SELECT * FROM topic_matches ORDER BY article_id").fetchall()
    config = lake_config(tmp_path)
    moved = runner.invoke(app, ["migrate", "--config", str(config), str(file_db)])
    assert moved.exit_code == 0, moved.output
    copied = {t: n for t, n in counts.items() if t not in ("schema_migrations", "schema_views", "archive_migrations")}
    lines = moved.stdout.splitlines()
    assert lines[0] == f"moved: {file_db} into {tmp_path / 'lake/catalog.sqlite'}, {sum(copied.values()):,} rows"
    assert lines[1:] == [f"  {t}: {n:,}" for t, n in sorted(copied.items())]
    assert copied["article_rows"] == 60 and copied["run_rows"] == 2
    assert sha256(file_db) == before
    with wirewatch.connect(config) as lake:
        assert lake.execute("SELECT * FROM articles ORDER BY article_id").fetchall() == articles
        assert lake.execute("SELECT * FROM topic_matches ORDER BY article_id").fetchall() == matches
        assert {t: lake.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in copied} == copied
    again = runner.invoke(app, ["migrate", "--config", str(config), str(file_db)])
    assert again.exit_code == 0 and again.stdout.startswith(f"already moved (nothing done): {file_db}")
    assert sql(config, "SELECT count(*) FROM article_rows") == ["60"]
    # the lake goes on from there: what the file held is known
    rerun = runner.invoke(app, ["import", "--config", str(config), str(tmp_path / "in1")])
    assert rerun.exit_code == 0 and rerun.stdout.startswith("items: 0 new, 30 duplicate"), rerun.stdout


def test_migrate_refuses_a_lake_holding_other_data_in_one_line(tmp_path):
    config = lake_config(tmp_path)
    assert runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(2)))]).exit_code == 0
    other = tmp_path / "other.duckdb"
    assert runner.invoke(app, ["import", "--db", str(other), "--config", str(config), str(wire_files(tmp_path / "b", range(5, 8)))]).exit_code == 0
    result = runner.invoke(app, ["migrate", "--config", str(config), str(other)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'lake/catalog.sqlite'}: the lake already holds data (")
    assert result.stderr.endswith("; migrate only into an empty lake\n") and result.stderr.count("\n") == 1
    missing = runner.invoke(app, ["migrate", "--config", str(config), str(tmp_path / "none.duckdb")])
    assert (missing.exit_code, missing.stderr) == (2, f"error: {tmp_path / 'none.duckdb'}: no such file\n")
    assert sql(config, "SELECT count(*) FROM articles") == ["2"]


# ---------------------------------------------------------------------------------------------
# Compaction


def test_compact_merges_small_files_and_keeps_every_row(tmp_path):
    config = lake_config(tmp_path)
    for part in range(4):
        folder = wire_files(tmp_path / f"in{part}", range(part * 20, part * 20 + 20))
        assert runner.invoke(app, ["import", "--config", str(config), str(folder)]).exit_code == 0
    query = "SELECT count(*), sum(hash(article_id, body)) FROM articles"
    before = sql(config, query)
    files = lambda: len(list((tmp_path / "lake/files").rglob("*.parquet")))  # noqa: E731
    many = files()
    result = runner.invoke(app, ["compact", "--config", str(config), "--keep-days", "0"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"compacted {tmp_path / 'lake/catalog.sqlite'}: {many:,} data files")
    assert files() < many
    assert sql(config, query) == before
    again = runner.invoke(app, ["import", "--config", str(config), str(tmp_path / "in0")])
    assert again.exit_code == 0 and again.stdout.startswith("items: 0 new, 20 duplicate")


def test_a_writer_bounds_parquet_row_groups_by_bytes_not_rows(tmp_path):
    """A row group is held in memory until written: bounded by rows only, one of long texts
    outgrew the writer's memory limit (migrating a 1M-article archive failed "Out of Memory")."""
    with open_store(LakeLocation(str(tmp_path / "lake/catalog.sqlite"), str(tmp_path / "lake/files"))) as store:
        store.connection.execute("CREATE TABLE long_texts AS SELECT repeat(md5(range::VARCHAR), 320) AS body FROM range(10000)")
        files = store.connection.execute(
            "SELECT data_file FROM ducklake_list_files('lake', 'long_texts')").fetchall()  # fmt: skip
        groups = store.connection.execute(
            "SELECT count(DISTINCT row_group_id), max(row_group_num_rows) FROM parquet_metadata(?)", [files[0][0]]
        ).fetchone()
    assert ROW_GROUP_BYTES == "32MB" and len(files) == 1
    # 100 MB of text: row groups close at the first 2,048-row chunk past 32 MB, not at 122,880 rows
    assert groups[0] >= 2 and groups[1] <= 4096


def test_compact_of_a_duckdb_file_is_one_line(tmp_path):
    db = tmp_path / "a.duckdb"
    assert runner.invoke(app, ["import", "--db", str(db), str(wire_files(tmp_path / "a", range(2)))]).exit_code == 0
    result = runner.invoke(app, ["compact", "--db", str(db)])
    assert (result.exit_code, result.stderr) == (
        2, f"error: {db}: compaction is for a lake; a DuckDB file compacts itself when it checkpoints\n",
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Many writers on a PostgreSQL catalog (and on a SQLite one, one machine)


@pytest.mark.parametrize("catalog", ["postgres", "sqlite"])
def test_four_writer_processes_on_a_catalog_store_alert_and_send_everything_once(tmp_path, catalog, request, webhook_receiver):
    where = (f'catalog = "{request.getfixturevalue("postgres_catalog")}"\ndata_path = "shared"\n' if catalog == "postgres"
             else 'catalog = "lake/catalog.sqlite"\n')  # fmt: skip
    config = tmp_path / "wirewatch.toml"
    # digest_threshold: every alert its own message, so the webhook counts sends per story
    config.write_text(
        f'{where}[alerts]\nchannels = ["{webhook_receiver.url()}"]\ndigest_threshold = 1000\n{TOPICS}', encoding="utf-8"
    )
    # Overlapping inputs: writer w imports items w*20 .. w*20+59, in three folders (three commits).
    folders = {w: [wire_files(tmp_path / f"w{w}p{p}", range(w * 20 + p * 20, w * 20 + p * 20 + 20)) for p in range(3)]
               for w in range(4)}  # fmt: skip
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    script = ("import subprocess, sys\n"
              "for f in sys.argv[3:]:\n"
              "    done = subprocess.run([sys.argv[1], 'import', '--config', sys.argv[2], f], capture_output=True, text=True)\n"
              "    sys.stderr.write(done.stderr if done.returncode else '')\n")  # fmt: skip
    writers = [subprocess.Popen([sys.executable, "-c", script, str(WIREWATCH), str(config), *map(str, folders[w])], env=env,
                                stderr=subprocess.PIPE, text=True) for w in range(4)]  # fmt: skip
    errors = [(w.wait(timeout=900), w.stderr.read()) for w in writers]
    assert errors == [(0, "")] * 4
    with wirewatch.connect(config) as lake:
        articles = lake.execute("SELECT count(*), count(DISTINCT article_id), count(DISTINCT content_hash) FROM article_rows").fetchone()
        stories = lake.execute("SELECT count(*) FROM stories").fetchone()
        per_story = lake.execute("SELECT max(n), count(*) FROM (SELECT count(*) AS n FROM alerts GROUP BY topic, story_id, channel_key)").fetchone()
        runs = lake.execute("SELECT count(*), sum(new), sum(duplicate) FROM runs").fetchone()
        matches = lake.execute("SELECT count(*), count(DISTINCT article_id) FROM topic_matches").fetchone()
        outbox = lake.execute("SELECT status, count(*) FROM alerts GROUP BY status").fetchall()
    assert articles == (120, 120, 120)  # items 0..119, each once
    assert stories == (120,)
    assert per_story == (1, 120)
    assert runs == (12, 120, 4 * 60 - 120)
    assert matches == (120, 120)
    # delivery takes turns too: the webhook got each story's alert exactly once
    assert outbox == [("sent", 120)]
    sent = Counter(re.search(r"Harvest report (\d+)$", p["title"]).group(1) for p in webhook_receiver.payloads)
    assert sorted(sent.items()) == sorted((str(n), 1) for n in range(120))


def test_a_reader_held_open_through_wirewatch_run_keeps_answering(tmp_path):
    """The scheduled monitor's own run (Prefect, a dir source) beside an analyst's connection."""
    config = lake_config(tmp_path, f'[[sources]]\nname = "wire"\nkind = "dir"\npath = "{wire_files(tmp_path / "wire", range(200))}"\n')
    first = runner.invoke(app, ["import", "--config", str(config), str(wire_files(tmp_path / "a", range(1000, 1003)))])
    assert first.exit_code == 0, first.output
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with wirewatch.connect(config) as reader:
        counts = [reader.execute("SELECT count(*) FROM articles").fetchone()[0]]
        run = subprocess.Popen([str(WIREWATCH), "run", "--config", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
        while run.poll() is None:
            counts.append(reader.execute("SELECT count(*) FROM articles").fetchone()[0])
            time.sleep(0.2)
        out, err = run.communicate()
        counts.append(reader.execute("SELECT count(*) FROM articles").fetchone()[0])
        kinds = reader.execute("SELECT kind, new FROM runs ORDER BY started_at").fetchall()
    assert run.returncode == 0, err
    assert "items: 200 new" in out
    assert counts == sorted(counts) and (counts[0], counts[-1]) == (3, 203) and len(counts) > 10
    assert kinds == [("import", 3), ("ingest", 200)]
