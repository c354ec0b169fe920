"""Folder inputs stay inside the folder they were given (issue 16): symbolic links that lead
outside it are skipped with a warning, links within it are read."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path

import pytest

from wirewatch.sources import poll as sources
from wirewatch.config import SourceConfig
from wirewatch.sources.inputs import iter_input_files

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SEED.read_bytes())
    wire = tmp_path / "wire"
    (wire / "sub").mkdir(parents=True)
    (wire / "good.txt").write_bytes(SEED.read_bytes())
    os.utime(wire / "good.txt", (time.time() - 60, time.time() - 60))  # complete: a dir source reads it
    (wire / "escape.txt").symlink_to(outside / "secret.txt")
    (wire / "sub" / "relative.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    (wire / "alias.txt").symlink_to(wire / "good.txt")  # inside the folder: read
    (wire / "linked").symlink_to(outside, target_is_directory=True)  # folder links: never followed
    return wire


def test_links_leading_outside_the_folder_are_skipped_with_a_warning(folder: Path) -> None:
    warnings: list[str] = []
    assert list(iter_input_files([folder], warnings.append)) == [folder / "alias.txt", folder / "good.txt"]
    assert warnings == [
        f"{folder / 'escape.txt'}: skipped: a symbolic link to outside {folder}",
        f"{folder / 'sub' / 'relative.txt'}: skipped: a symbolic link to outside {folder}",
    ]


def test_an_import_logs_the_skipped_links(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wirewatch.sources.inputs"):
        files = list(iter_input_files([folder]))
    assert len(files) == 2
    assert [r.getMessage() for r in caplog.records] == [
        f"{folder / 'escape.txt'}: skipped: a symbolic link to outside {folder}",
        f"{folder / 'sub' / 'relative.txt'}: skipped: a symbolic link to outside {folder}",
    ]


def test_a_dir_source_reports_skipped_links_in_its_warnings(folder: Path) -> None:
    poll = sources.poll(SourceConfig(name="wire", kind="dir", path=folder), None, now=NOW)
    assert sorted(a.guid for a in poll.articles) == ["alias.txt", "good.txt"]
    assert poll.warnings == [
        f"{folder / 'escape.txt'}: skipped: a symbolic link to outside {folder}",
        f"{folder / 'sub' / 'relative.txt'}: skipped: a symbolic link to outside {folder}",
    ]


def test_a_file_given_by_name_is_read_even_through_a_link(folder: Path) -> None:
    assert list(iter_input_files([folder / "escape.txt"])) == [folder / "escape.txt"]  # the user named it
