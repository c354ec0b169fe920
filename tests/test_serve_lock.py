"""One `wirewatch serve` per archive: a second is refused in one line naming the first, never
pausing its deployments; a serve killed with -9 leaves a lock the next serve takes over."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import pytest
from test_serve import WIREWATCH, Served, client_of, user_environment, write_config

from wirewatch.errors import ServeRunning
from wirewatch.run.health import ServeLock, serve_holder


@pytest.mark.slow
def test_a_second_serve_of_the_same_archive_is_refused_and_the_first_keeps_serving(tmp_path):
    config = write_config(tmp_path)
    first = Served(tmp_path, "--ingest-interval", "3600")
    try:
        api_url = first.wait_for_api_url()
        ui = api_url.removesuffix("/api")
        second = subprocess.run(
            [str(WIREWATCH), "serve", "--config", str(config)], cwd=tmp_path, env=user_environment(tmp_path),
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert second.returncode == 2
        assert second.stdout == ""
        pattern = (rf"error: {re.escape(str(tmp_path / 'data/archive.duckdb'))}: already served by `wirewatch serve` "
                   rf"\(pid {first.process.pid}, Prefect UI {re.escape(ui)}, since \S+\); stop it first\n")  # fmt: skip
        assert re.fullmatch(pattern, second.stderr), second.stderr
        with client_of(api_url) as client:
            assert client.read_deployment_by_name("ingest/served").paused is False
        holder = serve_holder(tmp_path / "data")
        assert (holder.pid, holder.ui) == (first.process.pid, ui)

        first.kill()  # kill -9: the lock file stays, its lock is gone with the process
        assert (tmp_path / "data/serve.lock").is_file()
        assert serve_holder(tmp_path / "data") is None
        third = Served(tmp_path, "--ingest-interval", "3600")
        try:
            third.wait_for_api_url()
            assert serve_holder(tmp_path / "data").pid == third.process.pid
            third.interrupt()
        finally:
            third.kill()
    finally:
        first.kill()
    assert serve_holder(tmp_path / "data") is None


def test_the_serve_lock_of_a_process_killed_with_9_is_free(tmp_path):
    """The lock alone, without Prefect: a holder killed by SIGKILL leaves its file, not its lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from wirewatch.run.health import ServeLock\n"
         f"lock = ServeLock(Path({str(tmp_path)!r})); lock.acquire('archive'); lock.record('http://127.0.0.1:1')\n"
         "print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        found = serve_holder(tmp_path)
        assert (found.pid, found.ui) == (holder.pid, "http://127.0.0.1:1")
        with pytest.raises(ServeRunning, match=rf"^archive: already served by `wirewatch serve` \(pid {holder.pid}, "
                                               r"Prefect UI http://127.0.0.1:1, since \S+\); stop it first$"):  # fmt: skip
            ServeLock(tmp_path).acquire("archive")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert serve_holder(tmp_path) is None
    lock = ServeLock(tmp_path)
    lock.acquire("archive")
    assert serve_holder(tmp_path).pid == os.getpid()
    lock.release()
