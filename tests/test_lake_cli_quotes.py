"""The quote commands' tests of test_cli_quotes.py again, with the archive in an embedded lake
(the default archive)."""

from __future__ import annotations

import pytest

import test_cli_quotes
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)

globals().update({name: getattr(test_cli_quotes, name) for name in dir(test_cli_quotes) if name.startswith("test_")})
archive = test_cli_quotes.archive  # the fixture, over this module's archive_setting


@pytest.fixture
def archive_setting() -> str:
    return 'catalog = "lake/catalog.sqlite"'
