"""Issue 16, item 6: another application's DuckDB file is refused and left as it was; a damaged
archive and a full disk end with one line naming the file, keeping what was stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
WIREWATCH = Path(sys.executable).with_name("wirewatch")


def wirewatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WIREWATCH), *args], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "WIREWATCH_CONFIG": ""},
    )  # fmt: skip


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


def archive_with_seed(tmp_path: Path) -> Path:
    db = tmp_path / "archive.duckdb"
    assert wirewatch("import", "--db", str(db), str(SEED), cwd=tmp_path).returncode == 0
    return db


def test_another_applications_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER, name VARCHAR)")
        conn.execute("INSERT INTO customers VALUES (1, 'Ada')")
    before = db.read_bytes()
    result = wirewatch("import", "--db", str(db), str(SEED), cwd=tmp_path)
    assert one_error_line(result) == f"error: {db}: not a wirewatch archive (it holds customers); nothing was changed"
    assert db.read_bytes() == before
    assert not Path(f"{db}.wal").exists()


def test_an_empty_database_file_becomes_an_archive(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    duckdb.connect(str(db)).close()
    assert wirewatch("import", "--db", str(db), str(SEED), cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("command", [["import", str(SEED)], ["sql", "SELECT count(*) FROM articles"]])
def test_a_truncated_archive_is_one_line_naming_the_file(tmp_path: Path, command: list[str]) -> None:
    db = archive_with_seed(tmp_path)
    with db.open("r+b") as file:
        file.truncate(db.stat().st_size // 5)
    line = one_error_line(wirewatch(command[0], "--db", str(db), *command[1:], cwd=tmp_path))
    assert line.startswith(f"error: {db}: ") and str(db) in line


def test_garbage_is_not_opened_as_an_archive(tmp_path: Path) -> None:
    db = tmp_path / "garbage.duckdb"
    db.write_bytes(b"\x00garbage" * 10_000)
    line = one_error_line(wirewatch("import", "--db", str(db), str(SEED), cwd=tmp_path))
    assert line.startswith(f"error: {db}: cannot open the database: ")
