"""End to end without Prefect: `wirewatch import` of the seed stores it, flags it, and alerts once
per channel through real receivers on loopback (a JSON webhook and an SMTP server)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from store_fixtures import lake_setting
from receivers import smtp_receiver, webhook_receiver  # noqa: F401  (pytest fixtures)
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.config import load_config
from wirewatch.model import LakeLocation
from wirewatch.archive.store import open_reader

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
FILE_ARCHIVE = 'db = "archive.duckdb"'
runner = CliRunner()


@pytest.fixture
def archive_setting(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The config line naming the archive: a DuckDB file, or a lake (the default archive)."""
    return FILE_ARCHIVE if backend == "file" else lake_setting(request, tmp_path)


def make_config(tmp_path: Path, channels: list[str], archive_setting: str = FILE_ARCHIVE, **alerts: object) -> Path:
    extra = "".join(f"{k} = {v}\n" for k, v in alerts.items())
    listed = ", ".join(f'"{c}"' for c in channels)
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'{archive_setting}\n[alerts]\nchannels = [{listed}]\n{extra}'
        '[[topics]]\nname = "missile-defense"\nquery = \'"missile defense" OR ABM/c OR interceptor NEAR/5 missile\'\n',
        encoding="utf-8",
    )
    return config


def run_import(config: Path, *paths: Path):
    return runner.invoke(app, ["import", "--config", str(config), *map(str, paths)])


def archive_of(config: Path) -> Path | LakeLocation:
    return load_config(config).db


def query(db: Path | LakeLocation, sql: str) -> list[tuple]:
    """The rows of ``sql`` over the archive ``db``, a DuckDB file or a lake, read as users do."""
    with open_reader(db) as conn:
        return conn.execute(sql).fetchall()


def reprint(tmp_path: Path, name: str = "reprint.txt") -> Path:
    """The seed with a handful of words edited, as another outlet would reprint it."""
    text = SEED.read_text(encoding="utf-8")
    for old, new in [("rapid", "swift"), ("erroneous", "mistaken"), ("reasonable", "sensible"), ("Alas", "Sadly")]:
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_of_the_seed_alerts_once_per_channel_and_never_again(tmp_path, archive_setting, webhook_receiver, smtp_receiver):
    config = make_config(tmp_path, [webhook_receiver.url("/hook/s3cr3t-token"), smtp_receiver.url()], archive_setting)
    result = run_import(config, SEED)
    assert result.exit_code == 0, result.output
    assert "items: 1 new, 0 duplicate, 0 revised, 0 rejected" in result.stdout
    assert "flagged [missile-defense] No progress at Russia-US missile defense negotiations" in result.stdout
    assert "alerts: 2 new, 2 sent, 0 failed" in result.stdout

    assert len(webhook_receiver.payloads) == 1
    payload = webhook_receiver.payloads[0]
    assert "No progress at Russia-US missile defense negotiations" in payload["title"]
    assert "CHEBARKUL" in payload["message"] and "2011-09-27" in payload["message"]
    assert "«missile defense»" in payload["message"] or "**missile defense**" in payload["message"]
    assert len(smtp_receiver.messages) == 1
    mail = smtp_receiver.messages[0].get_body(("plain",)).get_content()
    assert "Headline: No progress at Russia-US missile defense negotiations" in mail
    assert "CHEBARKUL" in mail and "missile defense" in mail

    db = archive_of(config)
    assert query(db, "SELECT dateline_place, dateline_date::VARCHAR, agency FROM articles") == [("CHEBARKUL", "2011-09-27", "TASS")]
    assert query(db, "SELECT topic FROM topic_matches") == [("missile-defense",)]
    assert query(db, "SELECT status, count(*) FROM alerts GROUP BY ALL") == [("sent", 2)]

    again = run_import(config, SEED, reprint(tmp_path))
    assert again.exit_code == 0, again.output
    # the exact copy is dropped; the reprint is stored as a second article of the same story
    assert "items: 1 new, 1 duplicate, 0 revised" in again.stdout
    assert "alerts: 0 new" in again.stdout
    assert len(webhook_receiver.payloads) == 1 and len(smtp_receiver.messages) == 1
    assert query(db, "SELECT count(DISTINCT story_id) FROM articles") == [(1,)]
    assert query(db, "SELECT count(*) FROM alerts") == [(2,)]


def test_a_failing_channel_is_retried_on_the_next_run_then_delivered_once(tmp_path, archive_setting, webhook_receiver):
    webhook_receiver.statuses.extend([500])
    config = make_config(tmp_path, [webhook_receiver.url()], archive_setting, retry_backoff_seconds=0)
    first = run_import(config, SEED)
    assert "1 failed" in first.stdout
    db = archive_of(config)
    assert query(db, "SELECT status, attempts FROM alerts") == [("pending", 1)]
    second = run_import(config, reprint(tmp_path))
    assert "1 sent" in second.stdout
    assert query(db, "SELECT status, attempts FROM alerts") == [("sent", 2)]
    assert len(webhook_receiver.requests) == 2  # the 500, then the delivery
    third = run_import(config, SEED)
    assert len(webhook_receiver.requests) == 2 and "0 sent" in third.stdout


def test_a_burst_of_matches_becomes_one_digest(tmp_path, archive_setting, webhook_receiver):
    folder = tmp_path / "burst"
    folder.mkdir()
    for n in range(20):
        (folder / f"{n:02}.txt").write_text(
            f"Military & Defense\n\nStory {n}: missile defense talks in city {n}\n\n"
            f"MOSCOW, February {n % 27 + 1}. /TASS/. Officials in district {n} discussed missile defense "
            f"plans number {n * 7919} with partners {n * 104729} on Tuesday.",
            encoding="utf-8",
        )
    config = make_config(tmp_path, [webhook_receiver.url()], archive_setting)
    result = run_import(config, folder)
    assert "items: 20 new" in result.stdout
    assert "alerts: 20 new, 20 sent, 0 failed" in result.stdout
    assert len(webhook_receiver.payloads) == 1
    assert "20" in webhook_receiver.payloads[0]["title"]


def test_the_secret_channel_url_appears_nowhere(tmp_path, archive_setting, webhook_receiver, caplog, monkeypatch):
    secret = "tok-5f3e9a1c77"
    monkeypatch.setenv("WIREWATCH_HOOK", webhook_receiver.url(f"/hooks/{secret}"))
    webhook_receiver.statuses.extend([500])
    config = make_config(tmp_path, ["${WIREWATCH_HOOK}"], archive_setting)
    caplog.set_level(logging.DEBUG)
    result = run_import(config, SEED)
    assert "1 failed" in result.stdout
    assert secret not in result.output and secret not in caplog.text
    dump = query(archive_of(config), "SELECT channel, coalesce(error, '') FROM alerts")
    assert dump and all(secret not in value for row in dump for value in row)


def test_without_channels_alerts_are_recorded_and_shown(tmp_path, archive_setting):
    config = make_config(tmp_path, [], archive_setting)
    result = run_import(config, SEED)
    assert "alerts: 1 new, 1 sent (1 to this console, below: topics without a channel), 0 failed" in result.stdout
    assert query(archive_of(config), "SELECT channel, status FROM alerts") == [("console", "sent")]


def test_unreadable_input_exits_2_and_keeps_the_rest(tmp_path, archive_setting):
    config = make_config(tmp_path, [], archive_setting)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    result = run_import(config, bad, tmp_path / "missing.txt", SEED)
    assert result.exit_code == 2
    assert f"unreadable: {bad}: binary file (NUL bytes), not a wire document" in result.stdout
    assert "items: 1 new" in result.stdout
    assert "Traceback" not in result.output


def archive_with_grain_story(tmp_path: Path, channel: str, archive_setting: str) -> Path:
    """A config and archive holding the seed (alerted once) and an unmatched grain story."""
    config = make_config(tmp_path, [channel], archive_setting)
    other = tmp_path / "other.txt"
    other.write_text("Economy\n\nRecord grain harvest\n\nKRASNODAR, July 5. /TASS/. The grain harvest hit a record.", encoding="utf-8")
    run_import(config, SEED, other)
    return config


def widen_rule_to_harvest(config: Path) -> None:
    config.write_text(config.read_text(encoding="utf-8").replace("interceptor NEAR/5 missile", "harvest"), encoding="utf-8")


def test_a_changed_rule_re_evaluates_stored_articles_without_alerting(tmp_path, archive_setting, webhook_receiver):
    config = archive_with_grain_story(tmp_path, webhook_receiver.url(), archive_setting)
    assert len(webhook_receiver.payloads) == 1
    db = archive_of(config)
    assert query(db, "SELECT count(*) FROM topic_matches") == [(1,)]

    widen_rule_to_harvest(config)
    result = run_import(config, SEED)
    assert "topic missile-defense: rule new or changed, stored articles re-evaluated (no alerts)" in result.stdout
    headlines = query(db, "SELECT a.headline FROM topic_matches m JOIN articles a USING (article_id) ORDER BY 1")
    assert headlines == [("No progress at Russia-US missile defense negotiations",), ("Record grain harvest",)]
    assert len(webhook_receiver.payloads) == 1  # the newly matched old story does not alert
    unchanged = run_import(config, SEED)
    assert "re-evaluated" not in unchanged.stdout


def test_alert_history_alerts_on_stored_stories_a_changed_rule_now_matches(tmp_path, archive_setting, webhook_receiver):
    config = archive_with_grain_story(tmp_path, webhook_receiver.url(), archive_setting)
    assert len(webhook_receiver.payloads) == 1
    widen_rule_to_harvest(config)
    result = runner.invoke(app, ["import", "--alert-history", "--config", str(config), str(SEED)])
    assert "re-evaluated" in result.stdout and "1 sent" in result.stdout
    assert len(webhook_receiver.payloads) == 2
    assert "Record grain harvest" in webhook_receiver.payloads[-1]["title"]
    db = archive_of(config)
    assert query(db, "SELECT count(*) FROM alerts") == [(2,)]  # the seed's story kept its one alert


def test_a_channel_with_an_unset_variable_is_one_line_and_nothing_is_read(tmp_path, archive_setting, monkeypatch):
    monkeypatch.delenv("WIREWATCH_UNSET_HOOK", raising=False)
    config = make_config(tmp_path, ["${WIREWATCH_UNSET_HOOK}"], archive_setting)
    result = run_import(config, SEED)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: wirewatch.toml: topic 'missile-defense': channels[0]: channel uses ${WIREWATCH_UNSET_HOOK}, which is not set in the environment"
    ]


def test_a_bad_file_in_a_dir_source_is_reported_not_dropped_silently(tmp_path):
    from wirewatch.config import SourceConfig
    from wirewatch.sources import poll as sources

    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "good.txt").write_bytes(SEED.read_bytes())
    (folder / "bad.txt").write_bytes(b"All news\n\nCaf\xe9")
    import datetime as dt
    import os
    import time

    for written in folder.iterdir():  # complete: a dir source reads it
        os.utime(written, (time.time() - 60, time.time() - 60))

    poll = sources.poll(SourceConfig(name="wire", kind="dir", path=folder), None, now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert [a.guid for a in poll.articles] == ["good.txt"]
    assert poll.rejected == [f"{folder / 'bad.txt'}: invalid UTF-8 at byte 13"]
    assert poll.state.last_status == "ok"


def test_history_since_a_date_is_stored_batch_by_batch_and_matched_without_alerts(tmp_path, archive_setting, webhook_receiver):
    import datetime as dt

    from wirewatch.run import pipeline
    from wirewatch.archive.store import open_store

    config = load_config(make_config(tmp_path, [webhook_receiver.url("/hook")], archive_setting))
    folder = tmp_path / "history"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(SEED.read_bytes())  # 2011-09-27 by its dateline
    for day in (1, 2, 3):
        (folder / f"talks-{day}.txt").write_text(
            f"Politics\n\nMissile defense talks, day {day}\n\nGENEVA, Aug {day}, 2024 (AFP) - Missile defense talks went on"
            f" for a day numbered {day} in a row, the delegations said after the meeting.",
            encoding="utf-8",
        )
    reads: list[tuple[int, int]] = []
    with open_store(config.db) as store:
        summary = pipeline.import_paths(store, config, [folder], since=dt.date(2020, 1, 1), kind="backfill",
                                        alert=False, workers=0, batch_files=2, progress=lambda *done: reads.append(done))
    assert reads == [(2, 4), (4, 4)]  # two batches of two files
    assert (summary.new, len(summary.flagged), summary.alerts_created) == (3, 3, 0)
    assert query(config.db, "SELECT kind, new FROM runs") == [("backfill", 3)]
    assert query(config.db, "SELECT count(*) FROM topic_matches") == [(3,)]
    assert query(config.db, "SELECT count(*) FROM alerts") == [(0,)]
    assert webhook_receiver.requests == []
