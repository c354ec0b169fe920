"""Issue 19, point 4: the alert counts of a run's summary, `alerts list` and `alerts retry` say
what happened, through the real CLI on a real archive and a real webhook on loopback."""

from __future__ import annotations

import json
from pathlib import Path

from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from test_pipeline import SEED, make_config, reprint, run_import
from typer.testing import CliRunner

from wirewatch.cli.commands import app

runner = CliRunner()
HEADLINE = "No progress at Russia-US missile defense negotiations"


def listed(config: Path) -> list[dict]:
    result = runner.invoke(app, ["alerts", "list", "--config", str(config), "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_configured_channel_is_counted_as_sent_without_a_console_note(tmp_path, webhook_receiver):
    config = make_config(tmp_path, [webhook_receiver.url("/hook")])
    result = run_import(config, SEED)
    assert "alerts: 1 new, 1 sent, 0 failed\n" in result.stdout
    assert "console" not in result.stdout and "no channel configured" not in result.stdout
    assert f"flagged [missile-defense] {HEADLINE} (CHEBARKUL, 2011-09-27, TASS) terms: interceptor, missile, missile defense; alerted\n" in result.stdout


def test_a_flagged_article_of_an_alerted_story_says_why_it_made_no_alert(tmp_path, webhook_receiver):
    config = make_config(tmp_path, [webhook_receiver.url("/hook")])
    run_import(config, SEED)
    again = run_import(config, reprint(tmp_path))
    assert again.exit_code == 0, again.output
    assert f"flagged [missile-defense] {HEADLINE} (CHEBARKUL, 2011-09-27, TASS) terms: interceptor, missile, missile defense; no alert: its story already alerted for this topic\n" in again.stdout
    assert "alerts: 0 new, 0 sent, 0 failed; 1 flagged without a new alert (story already alerted)\n" in again.stdout
    assert len(webhook_receiver.payloads) == 1


def test_console_alerts_are_sent_in_the_summary_and_in_alerts_list(tmp_path):
    config = make_config(tmp_path, [])
    result = run_import(config, SEED)
    assert "alerts: 1 new, 1 sent (1 to this console, below: topics without a channel), 0 failed\n" in result.stdout
    assert [(r["channel"], r["status"], r["headline"]) for r in listed(config)] == [("console", "sent", HEADLINE)]


def test_alerts_list_shows_the_headline_and_when_a_pending_alert_is_next_tried(tmp_path, webhook_receiver):
    webhook_receiver.default_status = 500
    config = make_config(tmp_path, [webhook_receiver.url("/hook")])
    result = run_import(config, SEED)
    assert "alerts: 1 new, 0 sent, 1 failed\n" in result.stdout
    (row,) = listed(config)
    assert (row["headline"], row["status"], row["attempts"]) == (HEADLINE, "pending", 1)
    assert row["next_attempt_at"] > row["created_at"]
    table = runner.invoke(app, ["alerts", "list", "--config", str(config)])
    assert "headline" in table.stdout and "next_attempt_at" in table.stdout


def test_alerts_retry_delivers_pending_alerts_waiting_on_backoff(tmp_path, webhook_receiver):
    webhook_receiver.statuses.append(500)  # the first attempt fails; the next waits out the backoff
    config = make_config(tmp_path, [webhook_receiver.url("/hook")])
    run_import(config, SEED)
    assert [r["status"] for r in listed(config)] == ["pending"]
    retried = runner.invoke(app, ["alerts", "retry", "--config", str(config)])
    assert retried.exit_code == 0, retried.output
    assert retried.stdout == "0 failed alerts reset; 1 sent, 0 failed\n"
    assert len(webhook_receiver.payloads) == 2
    assert [(r["status"], r["attempts"]) for r in listed(config)] == [("sent", 2)]
