"""Alert latency: each alert's publication, fetch and delivery times are stored, and the
alert_latency view shows time to alert. Delivered to real receivers on loopback; times come
from controlled clocks (the run's now and the delivery clock)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from receivers import smtp_receiver, webhook_receiver  # noqa: F401  (pytest fixtures)

from wirewatch.run import pipeline
from wirewatch.config import load_config
from wirewatch.model import Article, Dateline, PollResult, SourceState, WireItem
from wirewatch.archive.store import open_store

PUBLISHED = dt.datetime(2026, 5, 5, 11, 59, 10, tzinfo=dt.timezone.utc)
FETCHED = dt.datetime(2026, 5, 5, 12, 0, 0, tzinfo=dt.timezone.utc)  # the run's now: its polls start then
DELIVERED = dt.datetime(2026, 5, 5, 12, 0, 4, 250000, tzinfo=dt.timezone.utc)
LATENCY_COLUMNS = "topic, source, channel, status, published_at, fetched_at, created_at, delivered_at, seconds_from_published, seconds_from_fetched"


def config_for(tmp_path: Path, channels: list[str]):
    listed = ", ".join(f'"{c}"' for c in channels)
    path = tmp_path / "wirewatch.toml"
    path.write_text(f'db = "archive.duckdb"\n[alerts]\nchannels = [{listed}]\nretry_backoff_seconds = 0\n'
                    '[[topics]]\nname = "missile-defense"\nquery = \'"missile defense"\'\n', encoding="utf-8")  # fmt: skip
    return load_config(path, env={})


def wire_poll(number: int, *, published: dt.datetime | None = PUBLISHED) -> PollResult:
    dateline = Dateline("MOSCOW, May 5. /TASS/.", place="MOSCOW", date_text="May 5", agency="TASS")
    item = WireItem("World", f"Russia warns on missile defense, {number}", None, dateline,
                    (f"Russia warned on Tuesday that missile defense sites threaten stability ({number}).",))  # fmt: skip
    article = Article(item, "wire", url=f"https://wire.example/{number}", guid=f"g{number}", published_at=published,
                      fetched_at=FETCHED)  # fmt: skip
    return PollResult(state=SourceState("wire", "feed", last_poll=FETCHED, last_status="ok"), articles=[article])


def run(store, config, polls: list[PollResult], *, now: dt.datetime, clock) -> pipeline.RunSummary:
    compiled = pipeline.prepare_topics(config, env={})
    summary = pipeline.RunSummary(run_id=store.begin_run("ingest", now=now))
    pipeline.store_polls(store, summary.run_id, polls, config, compiled, now=now, summary=summary)
    pipeline.deliver_alerts(store, config, compiled, now=now, summary=summary, clock=clock)
    return summary


def latency(store) -> list[tuple]:
    return store.query(f"SELECT {LATENCY_COLUMNS} FROM alert_latency ORDER BY channel")[1]


def naive(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=None)


def test_a_webhook_and_an_email_alert_store_publication_fetch_and_delivery_times(tmp_path, webhook_receiver, smtp_receiver):
    config = config_for(tmp_path, [webhook_receiver.url(), smtp_receiver.url()])
    with open_store(config.db) as store:
        summary = run(store, config, [wire_poll(1)], now=FETCHED, clock=lambda: DELIVERED)
        rows = latency(store)
    assert (summary.alerts_created, summary.delivered) == (2, 2)
    assert len(webhook_receiver.payloads) == 1 and len(smtp_receiver.messages) == 1
    published, fetched, delivered = naive(PUBLISHED), naive(FETCHED), naive(DELIVERED)
    assert rows == [
        ("missile-defense", "wire", f"json://127.0.0.1:{webhook_receiver.port}/****", "sent", published, fetched,
         fetched, delivered, 54.25, 4.25),
        ("missile-defense", "wire", rows[1][2], "sent", published, fetched, fetched, delivered, 54.25, 4.25),
    ]  # fmt: skip
    assert rows[1][2].startswith("mailto://")


def test_a_failed_delivery_has_no_delivery_time_until_its_retry_goes_through(tmp_path, webhook_receiver):
    webhook_receiver.statuses.extend([500])
    config = config_for(tmp_path, [webhook_receiver.url()])
    retried_at, delivered = FETCHED + dt.timedelta(seconds=60), FETCHED + dt.timedelta(seconds=61, milliseconds=500)
    with open_store(config.db) as store:
        run(store, config, [wire_poll(1)], now=FETCHED, clock=lambda: DELIVERED)
        assert [r[3:] for r in latency(store)] == [("pending", naive(PUBLISHED), naive(FETCHED), naive(FETCHED), None, None, None)]
        run(store, config, [], now=retried_at, clock=lambda: delivered)
        assert [r[3:] for r in latency(store)] == [
            ("sent", naive(PUBLISHED), naive(FETCHED), naive(FETCHED), naive(delivered), 111.5, 61.5)
        ]  # fmt: skip
    assert len(webhook_receiver.requests) == 2


def test_an_item_without_a_publication_time_still_shows_time_from_fetch(tmp_path, webhook_receiver):
    config = config_for(tmp_path, [webhook_receiver.url()])
    with open_store(config.db) as store:
        run(store, config, [wire_poll(1, published=None)], now=FETCHED, clock=lambda: DELIVERED)
        assert [r[4:] for r in latency(store)] == [(None, naive(FETCHED), naive(FETCHED), naive(DELIVERED), None, 4.25)]


def test_with_the_real_clock_delivery_follows_fetch_and_precedes_the_end_of_the_run(tmp_path, webhook_receiver):
    config = config_for(tmp_path, [webhook_receiver.url()])
    started = pipeline.utc_now()
    with open_store(config.db) as store:
        run(store, config, [wire_poll(1)], now=started, clock=pipeline.utc_now)
        ended = pipeline.utc_now()
        (row,) = latency(store)
    _, _, _, status, published, fetched, created, delivered, from_published, from_fetched = row
    assert status == "sent" and len(webhook_receiver.requests) == 1
    assert naive(PUBLISHED) == published and fetched == naive(FETCHED)  # the article's own times
    assert naive(started) == created <= delivered <= naive(ended)
    assert from_fetched == (delivered - fetched).total_seconds()
    assert from_published - from_fetched == pytest.approx(50.0, abs=1e-6)  # published 50 s before the fetch
