"""Issue 16, item 6: another application's DuckDB file, a truncated archive and garbage end with
one line naming the file, through the real CLI, and a foreign file is left unchanged."""

from __future__ import annotations

import duckdb
from test_pipeline import SEED, make_config, run_import
from typer.testing import CliRunner

from wirewatch.cli import app

runner = CliRunner()


def test_another_applications_database_is_refused_and_left_unchanged(tmp_path):
    config = make_config(tmp_path, [])
    db = tmp_path / "archive.duckdb"
    with duckdb.connect(str(db)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER, total DECIMAL(10, 2)); INSERT INTO invoices VALUES (1, 9.5)")
    before = db.read_bytes()
    result = run_import(config, SEED)
    assert result.exit_code != 0
    assert result.output == f"error: {db}: not a wirewatch archive (1 tables, no schema_migrations); refusing to change it\n"
    assert db.read_bytes() == before
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("invoices",)]


def test_a_garbage_file_is_one_line_naming_it(tmp_path):
    config = make_config(tmp_path, [])
    db = tmp_path / "archive.duckdb"
    db.write_bytes(b"this is not a database\n" * 1000)
    for args in (["import", "--config", str(config), str(SEED)], ["sql", "--config", str(config), "SELECT 1"]):
        result = runner.invoke(app, args)
        assert result.exit_code != 0, args
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {db}: "), result.output
        assert "Traceback" not in result.output


def test_a_truncated_archive_is_one_line_naming_it(tmp_path):
    config = make_config(tmp_path, [])
    assert run_import(config, SEED).exit_code == 0
    db = tmp_path / "archive.duckdb"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    for args in (["import", "--config", str(config), str(SEED)], ["sql", "--config", str(config), "SELECT count(*) FROM articles"]):
        result = runner.invoke(app, args)
        assert result.exit_code != 0, args
        lines = result.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {db}: "), result.output
