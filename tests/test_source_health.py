"""A dead feed is not a green run: a loopback feed that fails then recovers, through `wirewatch
run` (the ingest flow on a Prefect harness) into a real archive, alerts a webhook once when it
has failed alert_after_failures polls in a row and once when it recovers; its runs end Failed
("Failing sources") meanwhile; `wirewatch status` says so."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from receivers import webhook_receiver  # noqa: F401  (fixture)
from test_flows import FEED
from typer.testing import CliRunner
from werkzeug import Request, Response

from wirewatch.cli.commands import app

runner = CliRunner()
WIREWATCH = str(Path(sys.executable).parent / "wirewatch")


@pytest.fixture
def flaky_feed(httpserver: HTTPServer) -> dict[str, bool]:
    """/feed.xml answers 503 while ``state["down"]``, else the feed."""
    state = {"down": True}

    def handler(request: Request) -> Response:
        if state["down"]:
            return Response("unavailable", status=503)
        return Response(FEED, content_type="application/rss+xml")

    httpserver.expect_request("/feed.xml").respond_with_handler(handler)
    state["url"] = httpserver.url_for("/feed.xml")
    return state


def write_config(tmp_path, feed_url: str, channel: str):
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f"""db = "archive.duckdb"
[[sources]]
name = "flaky"
kind = "feed"
url = "{feed_url}"
full_text = "never"
allow_private = true
[http]
per_host_delay = 0.0
retries = 0
[alerts]
channels = ["{channel}"]
alert_after_failures = 2
""",
        encoding="utf-8",
    )
    return config


def run(config) -> str:
    """`wirewatch run --all` as a user runs it, in a process of its own, on the harness's server."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run([WIREWATCH, "run", "--all", "--config", str(config)], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def status(config) -> tuple[int, str]:
    result = runner.invoke(app, ["status", "--config", str(config)])
    return result.exit_code, result.stdout


def health_payloads(receiver) -> list[str]:
    return [p["title"] for p in receiver.payloads if p["title"].startswith("wirewatch: source")]


def last_ingest_state() -> tuple[str, str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        flow = client.read_flow_by_name("ingest")
        runs = [r for r in client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=5) if r.flow_id == flow.id]
    return runs[0].state.type.value, runs[0].state.name


@pytest.mark.slow  # five wirewatch runs, each with a temporary Prefect server
def test_a_failing_source_alerts_once_shows_in_the_run_state_and_status_and_recovers_once(
    prefect_harness, flaky_feed, webhook_receiver, tmp_path
):
    config = write_config(tmp_path, flaky_feed["url"], webhook_receiver.url("/health"))

    first = run(config)
    assert "source flaky: FAILED: flaky: HTTP 503" in first
    assert "health:" not in first
    assert health_payloads(webhook_receiver) == []
    assert last_ingest_state() == ("COMPLETED", "Completed")

    second = run(config)
    assert "health: source flaky FAILING, 2 polls in a row: alerted" in second.splitlines()
    assert "health: failing, alerted and not recovered: flaky" in second.splitlines()
    assert health_payloads(webhook_receiver) == ["wirewatch: source flaky is failing"]
    body = webhook_receiver.payloads[-1]["message"]
    assert body.startswith("Source flaky failed 2 polls in a row (the last at ") and "HTTP 503" in body
    assert last_ingest_state() == ("FAILED", "Failing sources")

    code, shown = status(config)
    assert code == 1
    lines = shown.splitlines()
    assert lines[0] == "serve: not running"
    assert re.fullmatch(r"last ingest: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+s ago\), 0 new, 1 errors", lines[1])
    assert lines[2] == "last alert: none"
    assert re.fullmatch(r"last health alert: .* UTC \(\d+s ago\) source flaky failing \(2 failed polls in a row\)", lines[3])
    assert lines[4].startswith("failing source flaky: 2 polls in a row, alerted: flaky: HTTP 503")

    third = run(config)  # still failing: no second alert
    assert "health: source flaky" not in third
    assert health_payloads(webhook_receiver) == ["wirewatch: source flaky is failing"]
    assert last_ingest_state() == ("FAILED", "Failing sources")

    flaky_feed["down"] = False
    fourth = run(config)
    assert "source flaky: ok, 2 new, 0 duplicate, 0 revised" in fourth
    assert "health: source flaky recovered: alerted" in fourth.splitlines()
    assert health_payloads(webhook_receiver) == ["wirewatch: source flaky is failing", "wirewatch: source flaky recovered"]
    assert last_ingest_state() == ("COMPLETED", "Completed")

    fifth = run(config)
    assert "health:" not in fifth
    assert len(health_payloads(webhook_receiver)) == 2

    code, shown = status(config)
    assert code == 1  # no serve running
    lines = shown.splitlines()
    assert lines[2] == "last alert: none"
    assert re.fullmatch(r"last health alert: .* source flaky recovered \(2 failed polls in a row\)", lines[3])
    assert lines[4] == "failing sources: none"
    assert re.search(r"flaky .*ok .*0 .*\d+s ago .*\d+s ago", shown)
    as_json = json.loads(runner.invoke(app, ["status", "--config", str(config), "--format", "json"]).stdout)
    assert as_json["failing_sources"] == [] and as_json["serve"] is None and as_json["needs_attention"] is True
    assert [s["name"] for s in as_json["sources"]] == ["flaky"]


def test_status_of_a_missing_archive_is_one_line(tmp_path):
    result = runner.invoke(app, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path / 'none.duckdb'}: no database yet (run `wirewatch run` or `wirewatch import` first)\n"


def test_health_events_alert_once_per_streak_and_once_on_recovery():
    import datetime as dt

    from wirewatch.run.health import FAILING, RECOVERED, HealthEvent, OpenFailure, health_events
    from wirewatch.model import SourceState

    def state(name: str, failures: int) -> SourceState:
        return SourceState(name=name, kind="feed", last_status="error" if failures else "ok",
                           last_error=f"{name}: HTTP 503" if failures else None, consecutive_failures=failures)  # fmt: skip

    opened = {"b": OpenFailure(3, dt.datetime(2026, 12, 8, tzinfo=dt.timezone.utc))}
    polled = [state("a", 2), state("b", 4), state("c", 3), state("d", 0), state("b", 0)]
    # b's last state of the run counts (it recovered); c reaches 3; a is below; d was never alerted
    assert health_events(polled, opened, 3) == [
        HealthEvent("b", RECOVERED, 3),
        HealthEvent("c", FAILING, 3, "c: HTTP 503"),
    ]
    assert health_events([state("c", 9)], {}, 0) == []  # 0: never
    assert health_events([state("c", 9)], {"c": OpenFailure(3, opened["b"].raised_at)}, 3) == []  # already alerted
