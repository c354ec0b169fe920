"""A long poll says how far it is: sources polled and fetches per host, every interval, from
real sources on a slow loopback server; a short one says nothing extra; a large run's summary
names only the sources that failed or brought something."""

from __future__ import annotations

import datetime as dt
import re
import time
from urllib.parse import urlsplit

from pytest_httpserver import HTTPServer
from test_flows import FEED
from werkzeug import Request, Response

from wirewatch.config import HttpConfig, SourceConfig
from wirewatch.sources.fetch import Fetcher
from wirewatch.model import SourceState
from wirewatch.run.pipeline import SCREENFUL, PollProgress, RunSummary, counted, source_lines
from wirewatch.sources.poll import poll_each

NOW = dt.datetime(2026, 12, 8, tzinfo=dt.timezone.utc)
HTTP = HttpConfig(per_host_delay=0.0, retries=0)


def slow_feeds(server: HTTPServer, count: int, delay: float) -> list[SourceConfig]:
    def handler(request: Request) -> Response:
        time.sleep(delay)
        return Response(FEED, content_type="application/rss+xml")

    for n in range(count):
        server.expect_request(f"/feed{n}.xml").respond_with_handler(handler)
    return [SourceConfig(name=f"wire{n}", kind="feed", url=server.url_for(f"/feed{n}.xml"), full_text="never",
                         allow_private=True) for n in range(count)]  # fmt: skip


def test_a_long_poll_reports_sources_polled_and_fetches_per_host_at_intervals(httpserver: HTTPServer):
    sources = slow_feeds(httpserver, 3, delay=0.5)
    lines: list[str] = []
    with Fetcher(HTTP) as fetcher, PollProgress(lines.append, len(sources), fetcher, interval=0.3) as progress:
        polls = poll_each(sources, {}, fetcher=fetcher, now=NOW, known_guids={}, threads=1, on_polled=progress.polled)
    assert [p.state.last_status for p in polls] == ["ok", "ok", "ok"]
    host = urlsplit(sources[0].url).netloc
    pattern = re.compile(rf"poll: (\d) of 3 sources polled, (\d) fetched(?: \({re.escape(host)} \d\))?, \d+s")
    periodic = [pattern.fullmatch(line) for line in lines[:-1]]
    assert len(periodic) >= 3 and all(periodic)
    polled = [int(m.group(1)) for m in periodic]
    assert polled == sorted(polled) and polled[0] <= 1
    assert re.fullmatch(rf"poll: 3 of 3 sources polled, 3 fetched \({re.escape(host)} 3\), \d+s \(done\)", lines[-1])


def test_a_short_poll_says_nothing_extra(httpserver: HTTPServer):
    sources = slow_feeds(httpserver, 2, delay=0.0)
    lines: list[str] = []
    with Fetcher(HTTP) as fetcher, PollProgress(lines.append, len(sources), fetcher, interval=30.0) as progress:
        poll_each(sources, {}, fetcher=fetcher, now=NOW, known_guids={}, threads=2, on_polled=progress.polled)
    assert lines == []


def test_every_summary_list_is_counted():
    entries = [f"item {n}" for n in range(SCREENFUL + 7)]
    assert counted("warning", entries) == [f"warning: item {n}" for n in range(SCREENFUL)] + ["warning: ... and 7 more"]
    assert counted("warning", entries[:SCREENFUL]) == [f"warning: item {n}" for n in range(SCREENFUL)]
    assert counted("alert failed", entries, "wirewatch alerts list")[-1] == "alert failed: ... and 7 more (wirewatch alerts list)"


def large_run() -> RunSummary:
    """A run over more sources than a screenful: one failed, one brought two items, the rest quiet."""
    summary = RunSummary(run_id="r1", unhealthy=[])
    summary.sources = [SourceState(name="broken", kind="feed", last_status="error", last_error="broken: HTTP 404",
                                   consecutive_failures=1),
                       SourceState(name="busy", kind="feed", last_status="ok")]  # fmt: skip
    summary.sources += [SourceState(name=f"quiet{n}", kind="feed", last_status="not_modified") for n in range(SCREENFUL)]
    summary.sources.append(SourceState(name="seen", kind="feed", last_status="ok"))
    summary.per_source = {"busy": {"new": 2, "duplicate": 1, "revised": 0, "rejected": 0},
                          "seen": {"new": 0, "duplicate": 3, "revised": 0, "rejected": 0}}  # fmt: skip
    return summary


def test_a_large_run_names_only_the_sources_that_failed_or_brought_something():
    summary = large_run()
    assert source_lines(summary) == [
        "source broken: FAILED: broken: HTTP 404",
        "source busy: ok, 2 new, 1 duplicate, 0 revised",
        f"sources with nothing new: {SCREENFUL + 1} (not_modified {SCREENFUL}, ok 1)",
    ]
    small = RunSummary(run_id="r2", sources=summary.sources[:3], per_source=summary.per_source)
    assert source_lines(small) == ["source broken: FAILED: broken: HTTP 404", "source busy: ok, 2 new, 1 duplicate, 0 revised",
                                   "source quiet0: not_modified, 0 new, 0 duplicate, 0 revised"]  # fmt: skip


def test_a_large_runs_sources_artifact_counts_the_quiet_sources():
    from flows.ingest import sources_table

    rows = sources_table(large_run())
    assert [(r["source"], r["status"], r["new"], r["duplicate"], r["error"]) for r in rows] == [
        ("broken", "error", 0, 0, "broken: HTTP 404"),
        ("busy", "ok", 2, 1, ""),
        (f"({SCREENFUL:,} sources with nothing new)", "not_modified", 0, 0, ""),
        ("(1 sources with nothing new)", "ok", 0, 3, ""),
    ]
