"""Issue 31 through real processes: a Ctrl-C'd or killed import's run is marked, `wirewatch run`
against a loopback feed (top-level allow_private, a source's agency, lower-case operator
warnings), and `wirewatch serve`'s manual ingest run and shutdown line. Slow: they start
subprocesses, Prefect servers, and kill processes."""

from __future__ import annotations

import datetime as dt
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


def test_run_polls_a_loopback_feed_allowed_at_the_top_level_with_the_source_agency_and_warnings(tmp_path: Path, httpserver) -> None:
    import email.utils

    published = email.utils.format_datetime(dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1))
    httpserver.expect_request("/rss.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><link>https://wire.example</link>'
        "<description>d</description><item><title>Record harvest</title><link>https://wire.example/1</link>"
        f"<guid>w-1</guid><pubDate>{published}</pubDate><description>The grain harvest hit a record this year, "
        "the ministry said.</description></item></channel></rss>",
        content_type="application/rss+xml",
    )
    feed = httpserver.url_for("/rss.xml")
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        'catalog = "lake/catalog.sqlite"\nallow_private = true\n'
        f'[[sources]]\nname = "local"\nkind = "feed"\nurl = "{feed}"\nagency = "Reuters"\nfull_text = "never"\n'
        f'[[sources]]\nname = "strict"\nkind = "feed"\nurl = "{feed}"\nallow_private = false\n'
        '[[topics]]\nname = "harvest"\nquery = "harvest"\n'
        '[[topics]]\nname = "talks"\nquery = "talks or negotiations"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "WIREWATCH_CONFIG"}
    done = subprocess.run(
        [str(WIREWATCH), "run", "--config", str(config)], cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**env, "HOME": str(tmp_path), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    host = httpserver.host
    assert lines[:2] == [
        "source local: ok, 1 new, 0 duplicate, 0 revised",
        f"source strict: FAILED: strict: blocked link to {host}: 127.0.0.1 is a loopback address "
        "(to allow it: allow_private = true in the source, or at the top of the config for every source)",
    ]
    assert "flagged [harvest] Record harvest terms: harvest; alerted" in lines and "()" not in done.stdout
    warning = 'topic "talks": query col 7: "or" is searched as a word; write OR for the operator, or "or" in quotes for the word'
    assert (done.stdout + done.stderr).count(warning) == 1  # in the flow's log, once
    with wirewatch.connect(config) as conn:
        assert conn.execute("SELECT headline, dateline_raw, agency FROM articles").fetchall() == [("Record harvest", None, "Reuters")]


def test_a_manual_run_of_the_served_ingest_polls_every_source_and_ctrl_c_is_named_sigint(tmp_path: Path) -> None:
    from test_serve import Served, client_of, ingest_runs, user_environment

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    os.utime(seeds / SEED.name, (time.time() - 60, time.time() - 60))
    (tmp_path / "wirewatch.toml").write_text(
        'db = "data/archive.duckdb"\npoll_every = 86400\n[[sources]]\nname = "seeds"\nkind = "dir"\npath = "seeds"\n',
        encoding="utf-8",
    )
    served = Served(tmp_path, "--ingest-interval", "20")
    try:
        api_url = served.wait_for_api_url()
        with client_of(api_url) as client:

            def completed(auto: bool) -> list:
                return [r for r in ingest_runs(client) if r.state and r.state.is_completed() and r.auto_scheduled == auto]

            deadline = time.monotonic() + 300
            while not completed(True):  # the schedule's first run polls the source, due then
                assert time.monotonic() < deadline, [(r.name, r.state) for r in ingest_runs(client)]
                time.sleep(1)
            manual = subprocess.run(
                [sys.executable, "-m", "prefect", "deployment", "run", "ingest/served"], capture_output=True, text=True,
                timeout=120, env={**user_environment(tmp_path), "PREFECT_API_URL": api_url},
            )  # fmt: skip
            assert manual.returncode == 0, manual.stderr
            while not completed(False):
                assert time.monotonic() < deadline + 300, [(r.name, r.state) for r in ingest_runs(client)]
                time.sleep(1)
            [by_hand] = completed(False)
            assert {r.parameters["every_source"] for r in completed(True)} == {False}
            assert by_hand.parameters["every_source"] is True
        served.interrupt()
    finally:
        served.kill()
    log = served.out.read_text(encoding="utf-8") + served.err.read_text(encoding="utf-8")
    assert "SIGINT received, initiating graceful shutdown" in log and "SIGTERM received" not in log
    with duckdb.connect(str(tmp_path / "data/archive.duckdb"), read_only=True) as conn:
        [(last_poll,)] = conn.execute("SELECT last_poll FROM sources").fetchall()
    # not due for a day after the first run, polled all the same by the manual run
    assert last_poll.replace(tzinfo=dt.timezone.utc) >= by_hand.start_time
