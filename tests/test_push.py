"""Push ingest end to end on loopback: a feed (pytest-httpserver) that advertises a real hub (the
bench's WebSub hub), the WebSub endpoint, manager and writer of `wirewatch serve` (wirewatch.run.push)
in this process, a real DuckDB archive. Nothing is mocked."""

from __future__ import annotations

import contextlib
import json
import datetime as dt
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from bench.websubhub import Hub, callback_token
from bench.websubhub import running as running_hub
from wirewatch.sources import cadence
from wirewatch.run import pipeline
from wirewatch.run import push
from wirewatch.sources import poll as sources
from wirewatch.run import subscriptions
from wirewatch.cli.commands import app
from wirewatch.config import load_config
from wirewatch.sources.fetch import Fetcher
from wirewatch.archive.store import open_store

TICK = 0.3  # the manager's tick here: subscriptions are made and renewed within a second


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def entry(n: int) -> str:
    return (f"<entry><title>Missile defense talks, round {n}</title><id>urn:wire:{n}</id>"
            f'<link rel="alternate" href="https://wire.example/news/{n}"/><updated>2026-12-08T00:0{n}:00Z</updated>'
            '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            f"<p>MOSCOW, December 8. /TASS/. Round {n} of the missile defense talks opened in Geneva on Tuesday.</p>"
            "<p>The foreign ministry said the delegations would meet again next week.</p></div></content></entry>")  # fmt: skip


class Site:
    """The publisher: an Atom feed naming the hub and itself; ``entries`` is what it lists now."""

    def __init__(self, server: HTTPServer, hub: Hub) -> None:
        self.url, self.hub, self.entries = server.url_for("/feed.xml"), hub, [1]
        server.expect_request("/feed.xml").respond_with_handler(self.respond)

    def document(self) -> bytes:
        return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id>'
                f'<updated>2026-12-08T00:00:00Z</updated><link rel="self" href="{self.url}"/>'
                f'<link rel="hub" href="{self.hub.url}"/>{"".join(entry(n) for n in self.entries)}</feed>').encode()  # fmt: skip

    def respond(self, request: Request) -> Response:
        return Response(self.document(), content_type="application/atom+xml")


@pytest.fixture
def hub() -> Iterator[Hub]:
    with running_hub() as started:
        yield started


@pytest.fixture
def site(httpserver: HTTPServer, hub: Hub) -> Site:
    return Site(httpserver, hub)


def write_config(root: Path, site: Site, port: int, *, enabled: bool = True, per_minute: int = 60) -> Path:
    config = root / "wirewatch.toml"
    config.write_text(
        f'db = "archive.duckdb"\n[websub]\ncallback_url = "http://127.0.0.1:{port}/websub"\nlisten = "127.0.0.1:{port}"\n'
        f"safety_poll_every = 900\npushes_per_minute = {per_minute}\n"
        f'[[sources]]\nname = "wire"\nkind = "feed"\nurl = "{site.url}"\nallow_private = true\nmax_age_days = 36500\n'
        f"full_text = \"never\"\nenabled = {'true' if enabled else 'false'}\n"
        "[[topics]]\nname = \"missile-defense\"\nquery = '\"missile defense\"'\n",
        encoding="utf-8",
    )
    return config


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def subscribed(tmp_path: Path, site: Site, hub: Hub, **options) -> Iterator[tuple[push.PushService, Path, str]]:
    port = free_port()
    config = write_config(tmp_path, site, port, **options)
    with push.running(config, tick=TICK) as service:
        assert hub.wait_for(lambda: len(hub.subscriptions) == 1)
        assert wait_until(lambda: service.subs["wire"].state == "active")
        (callback,) = [s.callback for s in hub.subscriptions.values()]
        yield service, config, callback


def archive_counts(root: Path) -> tuple[int, int]:
    with open_store(root / "archive.duckdb") as store:  # as the writer opens it (one DuckDB instance)
        articles = store.connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        alerts = store.connection.execute("SELECT count(*) FROM alerts WHERE topic = 'missile-defense'").fetchone()[0]
    return articles, alerts


def poll_once(config_path: Path) -> pipeline.RunSummary:
    """What the ingest flow's tasks do (flows/ingest.py), without Prefect: poll the due sources,
    pace them, store the batch."""
    config = load_config(config_path)
    now = pipeline.utc_now()
    compiled = pipeline.prepare_topics(config)
    with open_store(config.db) as store:
        config = pipeline.with_push_cadence(store, config, now=now)
        states, known = store.source_states(), store.known_guids(since=now - dt.timedelta(days=30))
        due, _ = cadence.due_sources(config.sources, states, now)
        with Fetcher(config.http) as fetcher:
            polls = sources.poll_each(due, states, fetcher=fetcher, now=now, known_guids=known, threads=1)
        polls = [cadence.paced(p, s, states.get(s.name), known.get(s.name, set())) for s, p in zip(due, polls)]
        with pipeline.run_lifecycle(store, config, compiled, kind="ingest", now=now) as summary:
            pipeline.store_polls(store, summary.run_id, polls, config, compiled, now=now, summary=summary)
    return summary


@pytest.mark.slow
def test_a_verified_subscription_takes_a_signed_push_that_alerts_once_and_a_poll_stores_it_once(tmp_path, site, hub):
    with subscribed(tmp_path, site, hub) as (service, config, callback):
        (verified,) = hub.verifications
        assert (verified.mode, verified.topic, verified.confirmed) == ("subscribe", site.url, True)
        (asked,) = hub.requests
        assert asked["hub.callback"] == callback and callback.startswith(f"http://127.0.0.1:{config_port(config)}/websub/")
        assert asked["hub.secret"] == service.subs["wire"].secret and asked["hub.lease_seconds"] == "86400"
        assert hub.publish(site.url) == [202]
        assert wait_until(lambda: service.stored_pushes == 1)
        assert archive_counts(tmp_path) == (1, 1)
        assert hub.publish(site.url) == [202]  # the same document again: nothing new, no second alert
        assert wait_until(lambda: service.stored_pushes == 2)
        assert archive_counts(tmp_path) == (1, 1)
    summary = poll_once(config)  # the safety poll of a pushed feed finds the pushed item stored
    assert [s.name for s in summary.sources] == ["wire"] and (summary.new, summary.duplicate) == (0, 1)
    assert archive_counts(tmp_path) == (1, 1)
    with open_store(tmp_path / "archive.duckdb") as store:
        stored = subscriptions.load(store)["wire"]
        assert (stored.state, stored.topic, stored.pushes, stored.token) == ("active", site.url, 2, callback_token(callback))
        config_now = pipeline.with_push_cadence(store, load_config(config), now=pipeline.utc_now())
    assert [(s.name, s.poll_every) for s in config_now.sources] == [("wire", 900.0)]
    assert poll_once(config).sources == []  # not due again for the safety interval
    listed = CliRunner().invoke(app, ["websub", "--config", str(config), "--format", "jsonl"])
    assert listed.exit_code == 0 and stored.secret not in listed.output
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (row["source"], row["state"], row["hub"], row["pushes"]) == ("wire", "active", hub.url, 2)
    assert "refused: none" in listed.stderr


def config_port(config: Path) -> int:
    return load_config(config).websub.port


@pytest.mark.slow
def test_unsigned_wrongly_signed_oversized_and_unknown_requests_are_refused_and_counted(tmp_path, site, hub):
    site.entries = [1, 2]
    with subscribed(tmp_path, site, hub, per_minute=4) as (service, config, callback):
        body = site.document()
        assert hub.distribute(site.url, body, wrong_secret=True) == [202]  # acknowledged, ignored (WebSub 8)
        assert hub.distribute(site.url, body, unsigned=True) == [202]
        unknown = callback.rpartition("/")[0] + "/not-a-subscription"
        assert hub.distribute(site.url, body, callback=unknown) == [410]
        big = b"<feed>" + b" " * (load_config(config).websub.max_body_bytes + 1) + b"</feed>"
        assert hub.distribute(site.url, big) == [413]
        asked_for_nothing = httpx.get(callback, params={"hub.mode": "subscribe", "hub.topic": "http://other.example/",
                                                        "hub.challenge": "c", "hub.lease_seconds": "60"})  # fmt: skip
        assert (asked_for_nothing.status_code, asked_for_nothing.text) == (404, "unknown subscription")
        time.sleep(0.5)
        assert service.stored_pushes == 0
        assert hub.distribute(site.url, body) == [202]  # the fourth notification of the minute: taken
        assert hub.distribute(site.url, body) == [429]  # a flood: the hub is told to retry later
        assert wait_until(lambda: service.stored_pushes == 1)
    assert archive_counts(tmp_path) == (2, 1)  # two items, one story of the same talks: one alert
    with open_store(tmp_path / "archive.duckdb") as store:
        assert subscriptions.refusals(store) == {"bad_signature": 1, "rate_limited": 1, "too_large": 1,
                                                 "unknown_subscription": 1, "unsigned": 1, "unverified": 1}  # fmt: skip


@pytest.mark.slow
def test_a_lease_is_renewed_before_it_ends(tmp_path, site, hub):
    hub.lease_seconds = 4  # renewal is due at half of so short a lease
    with subscribed(tmp_path, site, hub) as (service, config, callback):
        assert hub.wait_for(lambda: sum(v.mode == "subscribe" and v.confirmed for v in hub.verifications) >= 2, timeout=15)
        first, second = [v for v in hub.verifications if v.mode == "subscribe"][:2]
        assert first.at + 1.5 < second.at < first.at + 4  # after half the lease, before its end
        assert [r["hub.callback"] for r in hub.requests[:2]] == [callback, callback]
        time.sleep(max(0.0, first.at + 4.5 - time.time()))  # past the first lease's end
        assert hub.publish(site.url) == [202]
        assert wait_until(lambda: service.stored_pushes == 1)


@pytest.mark.slow
def test_disabling_a_source_unsubscribes_it(tmp_path, site, hub):
    with subscribed(tmp_path, site, hub) as (service, config, callback):
        write_config(tmp_path, site, config_port(config), enabled=False)
        assert hub.wait_for(lambda: not hub.subscriptions)
        assert [(v.mode, v.confirmed) for v in hub.verifications] == [("subscribe", True), ("unsubscribe", True)]
        assert wait_until(lambda: "wire" not in service.subs)
        assert hub.distribute(site.url, site.document(), callback=callback) == [410]
    with open_store(tmp_path / "archive.duckdb") as store:
        assert subscriptions.load(store) == {}
