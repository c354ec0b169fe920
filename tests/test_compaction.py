"""`wirewatch compact` in bounded memory: a lake larger than the memory limit compacts in pieces,
and a compaction that fails leaves the lake's files exactly as they were."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.model import LakeLocation
from wirewatch.archive.store import open_store

runner = CliRunner()
COMPACT_LIMIT = "200MB"  # the smallest limit a merge is given in these tests


def lake_archive(folder: Path, commits: int, rows: int) -> Path:
    """A wirewatch lake (created by `import`, compacted once) plus a table ``bulk`` filled by ``commits`` small
    commits of ``rows`` rows of poorly compressible text (one Parquet file each)."""
    (folder / "in").mkdir(parents=True)
    (folder / "in/a.txt").write_text("Economy\n\nHarvest\n\nKRASNODAR, July 5. /TASS/. The grain harvest hit a record.", encoding="utf-8")
    config = folder / "wirewatch.toml"
    config.write_text('catalog = "lake/catalog.sqlite"\n', encoding="utf-8")
    assert runner.invoke(app, ["import", "--config", str(config), str(folder / "in")]).exit_code == 0
    # yesterday's compaction: the rows the import left inlined in the catalog are in Parquet
    assert runner.invoke(app, ["compact", "--config", str(config)]).exit_code == 0
    location = LakeLocation(str(folder / "lake/catalog.sqlite"), str(folder / "lake/files"))
    with open_store(location) as store:
        store.connection.execute("CREATE TABLE bulk (id BIGINT, body VARCHAR)")
        for commit in range(commits):
            store.connection.execute(
                "INSERT INTO bulk SELECT i, (SELECT string_agg(md5(i::VARCHAR || '-' || j::VARCHAR || random()::VARCHAR), '')"
                " FROM range(32) t(j)) FROM range($start, $stop) r(i)",
                {"start": commit * rows, "stop": (commit + 1) * rows},
            )
    return config


def lake_files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_size for p in (folder / "lake/files").rglob("*") if p.is_file()}


def bulk_rows(config: Path) -> list[str]:
    result = runner.invoke(app, ["sql", "--config", str(config), "-f", "csv", "SELECT count(*), sum(hash(id, body)) FROM bulk"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


@pytest.mark.slow
def test_a_lake_larger_than_the_memory_limit_compacts_in_pieces(tmp_path):
    config = lake_archive(tmp_path, commits=100, rows=2_500)
    before = lake_files(tmp_path)
    rows = bulk_rows(config)
    assert sum(before.values()) > 200 * 1024 * 1024  # larger than the compaction's memory limit
    result = runner.invoke(app, ["compact", "--config", str(config), "--keep-days", "0", "--memory-limit", COMPACT_LIMIT])
    assert result.exit_code == 0, result.output
    after = lake_files(tmp_path)
    assert result.stdout.startswith(f"compacted {tmp_path / 'lake/catalog.sqlite'}: {len(before):,} data files")
    assert len(after) < len(before) // 10
    assert bulk_rows(config) == rows


def test_a_failed_compaction_leaves_the_lake_unchanged(tmp_path):
    config = lake_archive(tmp_path, commits=12, rows=500)
    before = lake_files(tmp_path)
    rows = bulk_rows(config)
    result = runner.invoke(app, ["compact", "--config", str(config), "--keep-days", "0", "--memory-limit", "4MB"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {tmp_path / 'lake/catalog.sqlite'}: cannot compact: Out of Memory Error: ")
    assert result.stderr.endswith(" (it ran within 4MB: give it more with --memory-limit)\n")
    assert len(result.stderr.splitlines()) == 1
    assert lake_files(tmp_path) == before
    assert bulk_rows(config) == rows
    # and the same lake compacts once the limit allows it
    assert runner.invoke(app, ["compact", "--config", str(config), "--keep-days", "0"]).exit_code == 0
    assert len(lake_files(tmp_path)) < len(before)
    assert bulk_rows(config) == rows


def test_a_compaction_that_fills_the_disk_leaves_the_lake_unchanged(tmp_path):
    """A file size limit (RLIMIT_FSIZE) in a real `wirewatch compact` process: the merged file
    cannot be written whole."""
    config = lake_archive(tmp_path, commits=12, rows=500)
    before = lake_files(tmp_path)
    rows = bulk_rows(config)
    room = 2_000_000  # above every file the lake holds, below the merged one

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    assert max(before.values()) < room < sum(before.values())
    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    done = subprocess.run([wirewatch, "compact", "--config", str(config), "--keep-days", "0"], capture_output=True,
                          text=True, preexec_fn=full_disk, timeout=300)  # fmt: skip
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.startswith(f"error: {tmp_path / 'lake/catalog.sqlite'}: cannot compact: IO Error: Could not write file ")
    assert done.stderr.strip().endswith("File too large") and len(done.stderr.splitlines()) == 1
    assert lake_files(tmp_path) == before
    assert bulk_rows(config) == rows
