"""The stories commands' tests of test_cli_stories.py again, with the archive in an embedded lake
(the default archive): stories, copy decisions and outlets alike, checked rather than assumed."""

from __future__ import annotations

import pytest

import test_cli_stories

globals().update({name: getattr(test_cli_stories, name) for name in dir(test_cli_stories) if name.startswith("test_")})
archive = test_cli_stories.archive  # the fixture, over this module's archive_setting


@pytest.fixture
def archive_setting() -> str:
    return 'catalog = "lake/catalog.sqlite"'
