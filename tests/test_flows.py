"""The Prefect flows end to end, under one session-scoped Prefect test harness, against real
feed servers on loopback. Unit behaviour is tested on the library elsewhere; these check the
orchestration: one task per source, one writer, artifacts, failures isolated, reruns idempotent."""

from __future__ import annotations

import datetime as dt
import inspect
import os
import time
from email.utils import format_datetime
from pathlib import Path

import duckdb
import pytest
import yaml
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

REPO = Path(__file__).parents[1]
SEED = REPO / "seeds" / "000_1b8f5677dfb19321.txt"


def rss(items: list[tuple[str, str, str]]) -> str:
    now = format_datetime(dt.datetime.now(dt.timezone.utc))
    entries = "".join(
        f"<item><title>{title}</title><link>https://wire.example/{guid}</link><guid>{guid}</guid>"
        f"<pubDate>{now}</pubDate><description>{body}</description></item>"
        for guid, title, body in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>{entries}</channel></rss>'


FEED = rss(
    [
        ("a1", "Russia warns on US missile defense in Europe", "MOSCOW, May 5. /TASS/. Russia warned on Tuesday that the US missile defense sites in Europe threaten strategic stability, the Foreign Ministry said."),
        ("a2", "Grain harvest hits record", "KRASNODAR, May 5. /TASS/. The grain harvest in the Krasnodar region reached a record this year, officials said on Tuesday."),
    ]
)


@pytest.fixture
def feed_server(httpserver: HTTPServer) -> HTTPServer:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(FEED, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    httpserver.expect_request("/broken.xml").respond_with_data("gone", status=404)
    return httpserver


def write_config(tmp_path: Path, server: HTTPServer) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    os.utime(seeds / SEED.name, (time.time() - 60, time.time() - 60))  # complete: the dir source reads it
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f"""db = "archive.duckdb"
[[sources]]
name = "seeds"
kind = "dir"
path = "seeds"
[[sources]]
name = "wire"
kind = "feed"
url = "{server.url_for('/feed.xml')}"
full_text = "never"
allow_private = true
[[sources]]
name = "broken"
kind = "feed"
url = "{server.url_for('/broken.xml')}"
allow_private = true
[http]
per_host_delay = 0.0
retries = 0
[[topics]]
name = "missile-defense"
query = '"missile defense" OR ABM/c'
""",
        encoding="utf-8",
    )
    return config


@pytest.mark.slow  # a Prefect server
def test_ingest_flow_stores_flags_reports_and_reruns_idempotently(prefect_harness, feed_server, tmp_path):
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest

    config = write_config(tmp_path, feed_server)
    summary = ingest(config_path=str(config))
    status = {s.name: s.last_status for s in summary.sources}
    assert status == {"seeds": "ok", "wire": "ok", "broken": "error"}
    assert [s.last_error for s in summary.sources if s.name == "broken"][0].startswith("broken: HTTP 404")
    assert (summary.new, summary.duplicate, summary.revised) == (3, 0, 0)
    assert sorted(f.headline for f in summary.flagged) == [
        "No progress at Russia-US missile defense negotiations",
        "Russia warns on US missile defense in Europe",
    ]
    db = tmp_path / "archive.duckdb"
    with duckdb.connect(str(db), read_only=True) as conn:
        assert conn.execute("SELECT source, count(*) FROM articles GROUP BY ALL ORDER BY 1").fetchall() == [("seeds", 1), ("wire", 2)]
        assert conn.execute("SELECT name, etag FROM sources WHERE name = 'wire'").fetchall() == [("wire", '"v1"')]

    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts()}
    assert {"flagged-articles", "sources"} <= keys

    again = ingest(config_path=str(config), every_source=True)
    assert (again.new, again.revised) == (0, 0)
    assert {s.name: s.last_status for s in again.sources}["wire"] == "not_modified"
    conditional = [r for r, _ in feed_server.log if r.path == "/feed.xml"]
    assert conditional[-1].headers.get("If-None-Match") == '"v1"'
    assert again.flagged == []


@pytest.mark.slow  # a Prefect server
def test_cli_run_prints_the_summary_and_strict_fails_on_a_broken_source(prefect_harness, feed_server, tmp_path):
    from typer.testing import CliRunner

    from wirewatch.cli.commands import app

    config = write_config(tmp_path, feed_server)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "source broken: FAILED: broken: HTTP 404" in result.stdout
    assert "items: 3 new, 0 duplicate, 0 revised" in result.stdout
    strict = CliRunner().invoke(app, ["run", "--strict", "--all", "--config", str(config)])
    assert strict.exit_code == 1
    assert "source broken: FAILED: broken: HTTP 404" in strict.stdout


@pytest.mark.slow  # a Prefect server
def test_a_run_polls_only_the_sources_that_are_due(prefect_harness, feed_server, tmp_path):
    from flows.ingest import ingest

    config = write_config(tmp_path, feed_server)
    config.write_text(config.read_text(encoding="utf-8").replace(
        'name = "broken"', 'name = "broken"\npoll_every = 3600'), encoding="utf-8")  # fmt: skip
    first = ingest(config_path=str(config))
    assert ({s.name for s in first.sources}, first.not_due) == ({"seeds", "wire", "broken"}, [])
    requests = len(feed_server.log)
    with duckdb.connect(str(tmp_path / "archive.duckdb")) as conn:  # the last polls were 61 s ago
        conn.execute("UPDATE source_rows SET last_poll = last_poll - INTERVAL 61 SECOND")
    second = ingest(config_path=str(config))
    assert {s.name: s.last_status for s in second.sources} == {"seeds": "ok", "wire": "not_modified"}
    assert [n.name for n in second.not_due] == ["broken"] and 3470 < second.not_due[0].due_in < 3540
    assert second.failed_sources == []
    assert [r.path for r, _ in feed_server.log[requests:]] == ["/feed.xml"]  # broken was not fetched
    from wirewatch.run.pipeline import summary_lines

    assert "not due: 1 source (poll_every), the next in 58m" in "\n".join(summary_lines(second))
    with duckdb.connect(str(tmp_path / "archive.duckdb"), read_only=True) as conn:
        rows = conn.execute("SELECT name, poll_interval, next_poll_at - last_poll FROM sources ORDER BY name").fetchall()
    assert rows == [("broken", 3600.0, dt.timedelta(hours=1)), ("seeds", 60.0, dt.timedelta(minutes=1)),
                    ("wire", 60.0, dt.timedelta(minutes=1))]  # fmt: skip


def test_deployments_name_entrypoints_and_parameters_that_exist():
    import importlib

    spec = yaml.safe_load((REPO / "deployments" / "prefect.yaml").read_text(encoding="utf-8"))
    names = {d["name"] for d in spec["deployments"]}
    assert names == {"ingest", "digest", "backfill", "retag", "compact"}
    for deployment in spec["deployments"]:
        path, function = deployment["entrypoint"].split(":")
        assert (REPO / path).is_file()
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, function)
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment.get("parameters", {})) <= accepted, deployment["name"]
        required = {n for n, p in inspect.signature(flow.fn).parameters.items() if p.default is inspect.Parameter.empty}
        assert required <= set(deployment.get("parameters", {})), deployment["name"]
    ingest = next(d for d in spec["deployments"] if d["name"] == "ingest")
    assert ingest["concurrency_limit"] == 1 and ingest["schedules"] == [{"interval": 60}]
    digest = next(d for d in spec["deployments"] if d["name"] == "digest")
    assert digest["schedules"][0]["cron"] == "0 7 * * *"


@pytest.mark.slow  # a Prefect server
def test_backfill_and_retag_flows(prefect_harness, tmp_path):
    from flows.ingest import backfill, retag

    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())  # dated 2011-09-27 by its dateline
    (folder / "recent.txt").write_text(
        "Politics\n\nNew missile defense talks\n\nGENEVA, Aug 29, 2024 (AFP) - Missile defense talks resumed.", encoding="utf-8"
    )
    config = tmp_path / "wirewatch.toml"
    config.write_text('db = "b.duckdb"\n[[topics]]\nname = "md"\nquery = \'"missile defense"\'\n', encoding="utf-8")
    summary = backfill(paths=[str(folder)], since="2020-01-01", alert=True, config_path=str(config))
    assert (summary.new, [f.headline for f in summary.flagged]) == (1, ["New missile defense talks"])
    again = backfill(paths=[str(folder)], config_path=str(config))
    assert (again.new, again.duplicate, again.sources) == (1, 1, [])

    config.write_text('db = "b.duckdb"\n[[topics]]\nname = "md"\nquery = \'missile\'\n', encoding="utf-8")
    assert retag(config_path=str(config), days=100_000) == 2
    with duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM topic_matches WHERE topic = 'md'").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM alerts").fetchone() == (1,)


@pytest.mark.slow  # a Prefect server
def test_digest_flow_sends_each_topics_summary_to_its_channels(prefect_harness, tmp_path):
    from receivers import WebhookReceiver
    from typer.testing import CliRunner

    from flows.ingest import digest
    from wirewatch.cli.commands import app

    receiver = WebhookReceiver().start()
    try:
        config = tmp_path / "wirewatch.toml"
        config.write_text(
            f'db = "d.duckdb"\n[[topics]]\nname = "md"\nquery = \'"missile defense"\'\nchannels = ["{receiver.url("/digest")}"]\n'
            '[[topics]]\nname = "quiet"\nquery = "zebra"\n',
            encoding="utf-8",
        )
        assert CliRunner().invoke(app, ["import", "--config", str(config), str(SEED)]).exit_code == 0
        assert len(receiver.payloads) == 1  # the alert
        assert digest(hours=24, config_path=str(config)) == 1
        title = receiver.payloads[-1]["title"]
        assert "md daily digest" in title and "1 match in 1 story" in title
        assert "No progress at Russia" in receiver.payloads[-1]["message"]
    finally:
        receiver.stop()
