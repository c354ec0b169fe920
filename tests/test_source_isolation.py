"""Issue 16: a source can only revise its own articles. Two real feeds on loopback, polled and
stored through the pipeline into a real DuckDB file: a second source that reuses the first one's
URL with another GUID and a fake headline becomes an article of its own, never a revision."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
from pytest_httpserver import HTTPServer

from wirewatch.run import pipeline
from wirewatch.config import Config, HttpConfig, SourceConfig
from wirewatch.sources.fetch import Fetcher
from wirewatch.sources.poll import poll
from wirewatch.archive.store import open_store

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
STORY_URL = "https://wire.example/world/2026/03/02/summit"
REAL_BODY = "Leaders of the two countries met in Geneva on Monday and agreed to resume talks on arms control next month."
FAKE_BODY = "Officials denied that any meeting took place and said the reports of agreed talks were invented entirely."


def feed(guid: str, headline: str, body: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<item><guid>{guid}</guid><link>{STORY_URL}?utm_source=rss</link><title>{headline}</title>"
        f"<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>{body}</description></item>"
        "</channel></rss>"
    ).encode()


def run(db: Path, config: Config, *, now: dt.datetime) -> None:
    with open_store(db) as store, Fetcher(config.http) as fetcher:
        states = store.source_states()
        polls = [poll(source, states.get(source.name), fetcher=fetcher, now=now) for source in config.sources]
        summary = pipeline.RunSummary(run_id=store.begin_run("poll", now=now))
        pipeline.store_polls(store, summary.run_id, polls, config, pipeline.prepare_topics(config, {}), now=now, summary=summary)


def test_another_source_at_the_same_url_never_revises_the_article(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/real.xml").respond_with_data(feed("real-1", "Summit agrees new talks", REAL_BODY))
    httpserver.expect_request("/fake.xml").respond_with_data(feed("fake-9", "Summit collapses in chaos", FAKE_BODY))
    options = {"kind": "feed", "full_text": "never", "max_age_days": None, "allow_private": True}
    real = SourceConfig(name="real", url=httpserver.url_for("/real.xml"), **options)  # type: ignore[arg-type]
    fake = SourceConfig(name="fake", url=httpserver.url_for("/fake.xml"), **options)  # type: ignore[arg-type]
    db = tmp_path / "archive.duckdb"
    http = HttpConfig(per_host_delay=0.0, retries=0)
    run(db, Config(path=None, db=db, sources=(real,), http=http), now=NOW)
    run(db, Config(path=None, db=db, sources=(fake,), http=http), now=NOW + dt.timedelta(minutes=5))
    run(db, Config(path=None, db=db, sources=(real, fake), http=http), now=NOW + dt.timedelta(minutes=10))
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            "SELECT source, guid, revision, is_current, headline FROM article_rows ORDER BY source DESC, revision"
        ).fetchall()
    assert rows == [
        ("real", "real-1", 1, True, "Summit agrees new talks"),
        ("fake", "fake-9", 1, True, "Summit collapses in chaos"),
    ]
