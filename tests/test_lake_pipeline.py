"""The import pipeline's tests of test_pipeline.py again, with the archive in an embedded lake
(the default archive): stored, flagged and alerted alike, checked rather than assumed."""

from __future__ import annotations

import pytest

import test_pipeline

# Polls a folder and stores nothing: no archive to tell apart.
NO_ARCHIVE = {"test_a_bad_file_in_a_dir_source_is_reported_not_dropped_silently"}

globals().update({name: getattr(test_pipeline, name) for name in dir(test_pipeline)
                  if name.startswith("test_") and name not in NO_ARCHIVE})  # fmt: skip
smtp_receiver, webhook_receiver = test_pipeline.smtp_receiver, test_pipeline.webhook_receiver


@pytest.fixture
def archive_setting() -> str:
    return 'catalog = "lake/catalog.sqlite"'
