"""Issue 19, point 5: `wirewatch sql` while another process writes says at once what it waits
for, naming that process's command line (not the interpreter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wirewatch.archive.store import open_store

HOLDER = """
import sys
from pathlib import Path
from wirewatch.archive.store import open_store
with open_store(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_sql_during_a_write_names_the_writer_at_once_then_answers(tmp_path):
    db = tmp_path / "a.duckdb"
    with open_store(db):
        pass
    script = tmp_path / "hold-archive"
    script.write_text(HOLDER, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), "a.duckdb", "--quietly"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=tmp_path)  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    reader = subprocess.Popen([wirewatch, "sql", "--db", str(db), "-f", "csv", "SELECT 42 AS answer"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert reader.stderr is not None
        first = reader.stderr.readline()  # before the writer lets go: the reader says so at once
        assert first == f"waiting for hold-archive a.duckdb --quietly (pid {holder.pid}) to finish writing {db} ...\n"
    finally:
        holder.communicate("\n", timeout=30)
    out, rest = reader.communicate(timeout=60)
    assert reader.returncode == 0, rest
    assert out.splitlines() == ["answer", "42"] and rest == ""


def test_sql_with_no_writer_says_nothing_about_waiting(tmp_path):
    db = tmp_path / "a.duckdb"
    with open_store(db):
        pass
    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    done = subprocess.run([wirewatch, "sql", "--db", str(db), "-f", "csv", "SELECT 1 AS n"], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "n\n1\n", "")
