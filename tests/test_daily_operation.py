"""Daily operation without surprises (issue 31, points 5-15) through the real CLI on real
archives: operator words written in lower case, private addresses, source defaults, fetches
queued behind a host, unknown files in an imported folder, languages, digest sizes, dates
ahead of publication, CSV lines, interrupted runs, datelines left out."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from wirewatch.cli import app
from wirewatch.config import HttpConfig
from wirewatch.fetch import Fetcher

runner = CliRunner()


def slow_page(server: HTTPServer, seconds: float) -> str:
    def slow(request: Request) -> Response:
        time.sleep(seconds)
        return Response("page", content_type="text/plain")

    server.expect_request("/page").respond_with_handler(slow)
    return server.url_for("/page")


def fetch_at_once(config: HttpConfig, url: str, count: int) -> list[object]:
    """``count`` fetches of ``url`` started a moment apart: each one's content or error line."""
    results: list[object] = []
    with Fetcher(config, check_url=lambda url: None) as fetcher:

        def fetch() -> None:
            try:
                results.append(fetcher.get(url).content)
            except Exception as error:  # noqa: BLE001  (the test reports what failed)
                results.append(str(error))

        threads = [threading.Thread(target=fetch) for _ in range(count)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join()
    return results


def test_time_queued_behind_the_host_gate_is_not_the_page_timing_out(httpserver: HTTPServer) -> None:
    # one request at a time to the host, each 0.6 s: the third waits 1.2 s for its turn, more
    # than the 1 s a fetch may take once it is sent
    config = HttpConfig(total_timeout=1.0, retries=0, per_host_concurrency=1, per_host_delay=0.0, run_deadline=30.0)
    assert fetch_at_once(config, slow_page(httpserver, 0.6), 3) == [b"page"] * 3


def test_a_fetch_queued_past_the_run_deadline_says_it_was_never_requested(httpserver: HTTPServer) -> None:
    config = HttpConfig(total_timeout=5.0, retries=0, per_host_concurrency=1, per_host_delay=0.0, run_deadline=1.0)
    assert sorted(map(str, fetch_at_once(config, slow_page(httpserver, 1.5), 2))) == [
        "timed out after the run deadline (run_deadline = 1 s)",
        "timed out after the run deadline (run_deadline = 1 s) (queued for a turn at the host, never requested)",
    ]
