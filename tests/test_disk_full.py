"""Issue 16, item 6: a full disk during import (a file size limit, RLIMIT_FSIZE, in a real
`wirewatch import` process) ends with one line naming the file; what was stored stays."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

from test_pipeline import SEED, make_config, query, run_import


def test_a_full_disk_during_import_is_one_line_and_keeps_what_was_stored(tmp_path):
    config = make_config(tmp_path, [])
    assert run_import(config, SEED).exit_code == 0
    db = tmp_path / "archive.duckdb"
    room = db.stat().st_size + 300_000
    folder = tmp_path / "many"
    folder.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(400):
        (folder / f"{i}.txt").write_text(text.replace("No progress", f"Item {i} progress").replace("rapid", f"rapid{i} " * 50), encoding="utf-8")

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    done = subprocess.run([wirewatch, "import", "--config", str(config), str(folder)], capture_output=True, text=True,
                          preexec_fn=full_disk, timeout=300)
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.splitlines()[-1:] == [done.stderr.strip()]
    assert done.stderr.startswith(f"error: {db}: cannot write: ") and "File too large" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert query(db, "SELECT headline FROM articles WHERE headline LIKE 'No progress%'") == [("No progress at Russia-US missile defense negotiations",)]
