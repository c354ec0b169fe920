"""Polling a source, whatever its kind: what ``sources.poll`` and ``sources.failed_poll`` record.
Feeds and pages over HTTP are tested in test_fetch.py, dir sources' files in test_inputs.py and
test_formats.py; these check the states every kind shares."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wirewatch.config import SourceConfig
from wirewatch.model import SourceState
from wirewatch.sources import failed_poll, poll

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
FEED_URL = "https://wire.example/rss.xml"
FEED = SourceConfig(name="wire", kind="feed", url=FEED_URL)


def earlier_state(url: str | None = FEED_URL) -> SourceState:
    return SourceState(name="wire", kind="feed", url=url, etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT",
                       last_poll=NOW - dt.timedelta(minutes=10), last_status="ok", consecutive_failures=2,
                       items_seen=40)  # fmt: skip


def test_a_failed_poll_carries_the_previous_state_and_counts_one_more_failure() -> None:
    state = failed_poll(FEED, earlier_state(), "SourceUnavailable: HTTP 503 Service Unavailable", now=NOW).state
    assert state == SourceState(
        name="wire", kind="feed", url=FEED_URL, etag='"v1"', last_modified="Mon, 02 Mar 2026 10:00:00 GMT",
        last_poll=NOW, last_status="error", last_error="wire: SourceUnavailable: HTTP 503 Service Unavailable",
        consecutive_failures=3, items_seen=40,
    )  # fmt: skip


@pytest.mark.parametrize("error", ["wire: HTTP 503 Service Unavailable", "HTTP 503 Service Unavailable"])
def test_a_failed_poll_names_its_source_once(error: str) -> None:
    assert failed_poll(FEED, None, error, now=NOW).state.last_error == "wire: HTTP 503 Service Unavailable"


def test_a_failed_poll_of_a_moved_source_keeps_no_validators_of_the_old_url() -> None:
    state = failed_poll(FEED, earlier_state("https://wire.example/old.xml"), "boom", now=NOW).state
    assert (state.url, state.etag, state.last_modified, state.consecutive_failures) == (FEED_URL, None, None, 3)


def test_a_dir_source_whose_folder_is_gone_fails_keeping_its_mark(tmp_path: Path) -> None:
    gone = tmp_path / "drop"
    previous = SourceState(name="drop", kind="dir", url=str(gone), last_modified="2026-03-02T11:00:00+00:00",
                           consecutive_failures=1, items_seen=7)  # fmt: skip
    state = poll(SourceConfig(name="drop", kind="dir", path=gone), previous, now=NOW).state
    assert (state.last_status, state.last_error, state.consecutive_failures, state.last_modified, state.items_seen) == (
        "error", f"drop: folder not found: {gone}", 2, "2026-03-02T11:00:00+00:00", 7,
    )  # fmt: skip
