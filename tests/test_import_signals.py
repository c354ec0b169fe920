"""Issue 16: no orphans, no hangs. A real `wirewatch import` subprocess with worker processes:
after kill -9 of the main process its workers exit; SIGINT or SIGTERM to the main process alone
ends the whole import within a few seconds, with no traceback, keeping every stored batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
WIREWATCH = Path(sys.executable).with_name("wirewatch")
BATCH = 2000  # files per job and articles per store batch, with workers (PREPARED_BATCH_SIZE)
FILES = 3 * BATCH  # three jobs for two workers: the import runs for several seconds


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    root = tmp_path_factory.mktemp("many")
    for i in range(FILES):
        text = "\n".join([lines[0], "", f"Item {i}: {lines[2]}", *lines[3:]]).replace("Antonov", f"Antonov{i}")
        (root / f"{i:05}.txt").write_text(text, encoding="utf-8")
    return root


def start_import(folder: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    db = tmp_path / "archive.duckdb"
    return subprocess.Popen(
        [str(WIREWATCH), "import", "--db", str(db), "--workers", "2", str(folder)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "WIREWATCH_CONFIG": ""},
    )


def children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            living.add(pid)
    return living


def workers_of(process: subprocess.Popen[bytes], count: int = 2, timeout: float = 60.0) -> set[int]:
    """The import's worker processes (and the server that forks them), once ``count`` run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = children(process.pid)
        if len(found) >= count + 2:  # the resource tracker, the fork server and the workers
            return found
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError("the import started no workers")


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(pids)


def stored(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute("SELECT count(DISTINCT article_id) FROM article_rows").fetchone()[0]


@pytest.mark.slow  # kills processes
def test_kill_9_of_the_import_leaves_no_worker_behind(folder: Path, tmp_path: Path) -> None:
    process = start_import(folder, tmp_path)
    workers = workers_of(process)
    process.kill()
    process.wait()
    assert gone_within(workers, 5.0) == set()


@pytest.mark.slow  # kills processes
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_main_process_alone_ends_the_whole_import(folder: Path, tmp_path: Path, signum: int) -> None:
    process = start_import(folder, tmp_path)
    workers = workers_of(process)
    time.sleep(2.0)  # a batch or so stored
    os.kill(process.pid, signum)
    started = time.monotonic()
    try:
        _, stderr = process.communicate(timeout=10)
    finally:
        process.kill()
    took = time.monotonic() - started
    assert took < 5.0
    assert gone_within(workers, 5.0) == set()
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr, stderr.decode()
    assert process.returncode == 130, stderr.decode()
    assert stderr.decode().strip().splitlines()[-1] == (
        "interrupted: the batches stored before it are kept; the same command goes on from there"
    )
    kept = stored(tmp_path / "archive.duckdb")  # the archive opens: nothing half written
    assert kept < FILES and kept % BATCH == 0  # whole batches only: the interrupted one rolled back
