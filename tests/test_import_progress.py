"""A big import's output: its summary fits a screen, its progress shows on stderr, and
the Prefect artifact keeps every flagged article."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

from store_fixtures import paragraphs
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.run.pipeline import SCREENFUL, PeriodicProgress, RunSummary

runner = CliRunner()


def grain_files(folder: Path, count: int) -> list[Path]:
    """``count`` unrelated stories, each mentioning the harvest once."""
    folder.mkdir()
    files = []
    for n in range(count):
        path = folder / f"{n:03d}.txt"
        body = " ".join(paragraphs(1000 + n, words=80))
        path.write_text(f"Economy\n\nHarvest story {n}\n\nKRASNODAR, July 5. /TASS/. {body} The harvest.", encoding="utf-8")
        files.append(path)
    return files


def config_for(tmp_path: Path) -> Path:
    config = tmp_path / "wirewatch.toml"
    config.write_text('db = "a.duckdb"\n[[topics]]\nname = "grain"\nquery = "harvest"\n', encoding="utf-8")
    return config


def test_a_big_import_shows_a_screenful_of_flagged_items_and_points_at_the_rest(tmp_path):
    config = config_for(tmp_path)
    grain_files(tmp_path / "in", SCREENFUL + 5)
    result = runner.invoke(app, ["import", "--config", str(config), str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "items: 25 new, 0 duplicate, 0 revised, 0 rejected" in lines
    assert sum(line.startswith("flagged [grain] Harvest story") for line in lines) == SCREENFUL
    assert "flagged: ... and 5 more (wirewatch stories --topic grain)" in lines
    assert sum(line.startswith("alert [grain] ") for line in lines) == SCREENFUL
    assert "alert: ... and 5 more (wirewatch alerts list)" in lines
    # not a terminal: the progress is one plain line on stderr at the end
    assert re.fullmatch(r"import: 25 of 25 inputs read \([\d,]+/s\)\n", result.stderr)


def test_periodic_progress_writes_a_line_per_interval_and_one_at_the_end():
    now = [100.0]
    lines: list[str] = []
    progress = PeriodicProgress(lines.append, "backfill", interval=10, clock=lambda: now[0])
    for done, at in [(100, 104.0), (200, 110.0), (300, 115.0), (400, 120.0)]:
        now[0] = at
        progress(done, 400)
    assert lines == [
        "backfill: 200 of 400 inputs read (20/s, 10s left)",
        "backfill: 400 of 400 inputs read (20/s)",
    ]


def read_terminal(leader: int) -> bytes:
    """All a finished command wrote to the terminal: one read may return only part of it, since
    the kernel hands a terminal's output over asynchronously (a busy machine shows it)."""
    shown = b""
    try:  # the select's timeout: should a stray process still hold the other end, do not hang
        while select.select([leader], [], [], 10)[0] and (chunk := os.read(leader, 65536)):
            shown += chunk
    except OSError:  # EIO: the other end is closed and all of it has been read
        pass
    finally:
        os.close(leader)
    return shown


def test_import_on_a_terminal_shows_a_progress_bar_on_stderr(tmp_path):
    config = config_for(tmp_path)
    grain_files(tmp_path / "in", 3)
    leader, follower = pty.openpty()
    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    done = subprocess.run(
        [wirewatch, "import", "--config", str(config), str(tmp_path / "in")],
        stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "COLUMNS": "100"}, timeout=120,
    )  # fmt: skip
    os.close(follower)
    shown = read_terminal(leader).decode("utf-8", "replace")
    assert done.returncode == 0
    assert "reading" in shown and "3/3" in shown
    assert "inputs read" not in shown  # the bar, not the plain lines
    assert b"items: 3 new" in done.stdout


def test_the_flagged_artifact_lists_every_flagged_article(tmp_path):
    from flows.ingest import flagged_table
    from wirewatch.run.pipeline import Flagged

    summary = RunSummary(run_id="r")
    summary.flagged = [Flagged("grain", f"h{n}", f"a{n}", f"s{n}", None, "", ("harvest",), "alerted") for n in range(45)]
    table = flagged_table(summary)
    assert len(table) == 45
    assert table[44] == {"topic": "grain", "headline": "h44", "dateline": "", "link": "", "story": "s44", "alert": "alerted"}
