"""Issue 31 through real processes: a Ctrl-C'd or killed import's run is marked, `wirewatch run`
against a loopback feed (top-level allow_private, a source's agency, lower-case operator
warnings), and `wirewatch serve`'s manual ingest run and shutdown line. Slow: they start
subprocesses, Prefect servers, and kill processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import wirewatch
from wirewatch.errors import StoreError

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
WIREWATCH = Path(sys.executable).with_name("wirewatch")
pytestmark = pytest.mark.slow


def many_files(root: Path, count: int) -> Path:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    folder = root / "many"
    folder.mkdir()
    for i in range(count):
        text = "\n".join([lines[0], "", f"Item {i}: {lines[2]}", *lines[3:]]).replace("Antonov", f"Antonov{i}")
        (folder / f"{i:05}.txt").write_text(text, encoding="utf-8")
    return folder


def run_statuses(config: Path) -> list[tuple[str, str]]:
    with wirewatch.connect(config) as conn:
        return conn.execute("SELECT kind, status FROM runs ORDER BY started_at").fetchall()


def wait_for_a_running_import(config: Path, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        if (config.parent / "lake" / "catalog.sqlite").exists():
            try:
                if ("import", "running") in run_statuses(config):
                    return
            except (duckdb.Error, StoreError):  # the lake is still being set up
                pass
        time.sleep(0.5)
    raise AssertionError("the import recorded no running run")


def start_import(config: Path, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(WIREWATCH), "import", "--config", str(config), "--workers", "0", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "WIREWATCH_CONFIG": ""},
    )  # fmt: skip


def test_an_interrupted_or_killed_import_does_not_stay_running(tmp_path: Path) -> None:
    config = tmp_path / "wirewatch.toml"
    config.write_text('catalog = "lake/catalog.sqlite"\n', encoding="utf-8")
    folder = many_files(tmp_path, 6000)
    interrupted = start_import(config, folder)
    wait_for_a_running_import(config, interrupted)
    interrupted.send_signal(signal.SIGINT)
    assert interrupted.wait(60) == 130, interrupted.stderr.read()
    assert run_statuses(config) == [("import", "interrupted")]

    killed = start_import(config, folder)
    wait_for_a_running_import(config, killed)
    killed.kill()
    killed.wait(30)
    assert run_statuses(config) == [("import", "interrupted"), ("import", "running")]  # nobody could say
    done = subprocess.run(
        [str(WIREWATCH), "import", "--config", str(config), str(SEED)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    # the next run on this machine found the killed import's process gone
    assert run_statuses(config) == [("import", "interrupted"), ("import", "interrupted"), ("import", "finished")]
