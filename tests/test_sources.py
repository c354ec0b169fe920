"""Polling a source, whatever its kind: what ``sources.poll`` and ``sources.failed_poll`` record,
and ``sources.poll_each`` polling several at once.
Feeds and pages over HTTP are tested in test_fetch.py, dir sources' files in test_inputs.py and
test_formats.py; these check the states every kind shares."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from wirewatch.config import HttpConfig, SourceConfig
from wirewatch.sources.fetch import Fetcher
from wirewatch.model import SourceState
from wirewatch.sources.poll import failed_poll, poll, poll_each

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


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)  # requests in flight at once, as a real host
    server.start()
    yield server
    server.clear()
    server.stop()


def test_poll_each_returns_every_source_in_order_a_failure_costing_only_its_own(threaded_server: HTTPServer) -> None:
    httpserver = threaded_server
    in_flight, most = 0, 0
    lock = threading.Lock()

    def slow_feed(request: Request) -> Response:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.2)  # long enough for every thread to be waiting at the host's gate
        with lock:
            in_flight -= 1
        if request.path == "/missing.xml":
            return Response("gone", status=404)
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response('<rss version="2.0"><channel><title>w</title></channel></rss>', headers={"ETag": '"v1"'})

    httpserver.expect_request("/missing.xml").respond_with_handler(slow_feed)
    for i in range(5):
        httpserver.expect_request(f"/feed-{i}.xml").respond_with_handler(slow_feed)
    sources = [SourceConfig(name=f"feed-{i}", kind="feed", url=httpserver.url_for(f"/feed-{i}.xml"), allow_private=True)
               for i in range(5)]  # fmt: skip
    sources.insert(2, SourceConfig(name="missing", kind="feed", url=httpserver.url_for("/missing.xml"), allow_private=True))
    previous = {"feed-4": SourceState(name="feed-4", kind="feed", url=sources[5].url, etag='"v1"')}
    http = HttpConfig(per_host_delay=0.0, retries=0, per_host_concurrency=2, respect_robots=False)
    with Fetcher(http) as fetcher:
        results = poll_each(sources, previous, fetcher=fetcher, now=NOW, known_guids={}, threads=6)
    assert [(r.state.name, r.state.last_status) for r in results] == [
        ("feed-0", "ok"), ("feed-1", "ok"), ("missing", "error"), ("feed-2", "ok"), ("feed-3", "ok"),
        ("feed-4", "not_modified"),
    ]  # fmt: skip
    assert results[2].state.last_error.startswith("missing: HTTP 404")
    assert most == 2  # the one Fetcher's per-host limit holds across the sources polled at once
