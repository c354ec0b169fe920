"""The command line's tests of test_cli.py again, with the archive in an embedded lake (the
default archive): behaviour equal to a DuckDB file, checked rather than assumed."""

from __future__ import annotations

from pathlib import Path

import pytest

import test_cli

# About a DuckDB file's reader only (its messages name the file); test_lake_archive.py checks the
# lake reader's confinement.
FILE_ONLY = {"test_sql_cannot_touch_the_filesystem", "test_sql_cannot_unlock_its_configuration"}

globals().update({name: getattr(test_cli, name) for name in dir(test_cli)
                  if name.startswith("test_") and name not in FILE_ONLY})  # fmt: skip
webhook_receiver = test_cli.webhook_receiver


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """test_cli's archive (the seed and one unrelated article), in a lake."""
    config = test_cli.archive_at(tmp_path, 'catalog = "lake/catalog.sqlite"')
    assert (tmp_path / "lake" / "catalog.sqlite").is_file() and not list(tmp_path.glob("*.duckdb"))
    return config
