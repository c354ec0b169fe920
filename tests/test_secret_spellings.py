"""Issue 16, item 9: a channel secret with characters HTTP libraries percent-encode stays out of
the output and the archive file in every spelling, through the real CLI and a failing loopback
webhook."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

from receivers import WebhookReceiver
from test_pipeline import SEED, make_config, run_import

PASSWORD = "Pass|word 2026!"


def spellings(secret: str) -> set[str]:
    encoded = {quote(secret, safe=""), quote(secret), quote(secret, safe="!"), quote_plus(secret), quote_plus(secret, safe="!")}
    lower = {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), s) for s in encoded}
    return {secret} | encoded | lower


def test_a_percent_encoded_secret_leaks_in_no_spelling(tmp_path):
    receiver = WebhookReceiver()  # bound, never started, then closed: nobody listens
    receiver.stop()
    url = f"json://robot:{PASSWORD}@127.0.0.1:{receiver.port}/hooks/{PASSWORD}?-token={PASSWORD}"
    config = make_config(tmp_path, [url])
    result = run_import(config, SEED)
    assert result.exit_code == 0, result.output
    assert "alerts: 1 new, 0 sent, 1 failed\n" in result.stdout
    assert "Connection refused" in result.stdout
    stored = (tmp_path / "archive.duckdb").read_bytes()  # the CLI has closed and checkpointed it
    assert b"Connection refused" in stored
    leaks = [s for s in spellings(PASSWORD) if s in result.output or s.encode() in stored]
    assert leaks == []


def test_a_channel_url_apprise_does_not_know_is_refused_when_the_config_loads(tmp_path):
    config = make_config(tmp_path, [f"nosuchservice://robot:{PASSWORD}@127.0.0.1/hook"])
    result = run_import(config, SEED)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(
        "error: wirewatch.toml: topic 'missile-defense': channels[0]: "
        "nosuchservice://****:****@127.0.0.1/****: not a usable apprise URL"
    )
    assert len(result.output.strip().splitlines()) == 1
    assert [s for s in spellings(PASSWORD) if s in result.output] == []
