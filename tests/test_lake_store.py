"""The store's behaviour on a lake: the tests of test_store.py that are about what is stored (not
about DuckDB files: locks, damaged files) run again with the archive in an embedded lake."""

from __future__ import annotations

from pathlib import Path

import pytest

import test_store
from wirewatch.model import LakeLocation

# About DuckDB files only: their write lock and their compression. (The kill -9 test runs here
# too: the killed writer held the lake's merge lock in the middle of its transaction.)
FILE_ONLY = {
    "test_a_second_writer_gets_one_clear_line_naming_the_holder",
    "test_a_waiting_writer_gets_the_file_once_the_holder_lets_go",
    "test_long_text_columns_are_zstd_compressed",
}

globals().update({name: getattr(test_store, name) for name in dir(test_store)
                  if name.startswith("test_") and name not in FILE_ONLY})  # fmt: skip


store = test_store.store  # the fixture, over this module's db


@pytest.fixture
def db(tmp_path: Path) -> LakeLocation:
    return LakeLocation(str(tmp_path / "data" / "lake" / "catalog.sqlite"), str(tmp_path / "data" / "lake" / "files"))
