"""Quotes through the command line on a real archive: the seed's quotes with their speakers
(`wirewatch quotes`, `wirewatch speakers`), who said what across a story's copies (`wirewatch
story`), and quotes for an archive stored without them (`wirewatch requote`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from receivers import webhook_receiver  # noqa: F401  (pytest fixture)
from store_fixtures import lake_setting
from test_pipeline import make_config, run_import
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.wire.codec import parse
from wirewatch.config import load_config
from wirewatch.ingest.batch import ingest_batch
from wirewatch.model import Article
from wirewatch.archive.store import open_store

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
runner = CliRunner()
SPEAKERS = ["Alexei Arbatov", "Anatoly Antonov", "Dmitry Rogozin"]


@pytest.fixture
def archive_setting(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The config line naming the archive: a DuckDB file, or a lake (the default archive)."""
    return 'db = "a.duckdb"' if backend == "file" else lake_setting(request, tmp_path)


def write_config(tmp_path: Path, archive_setting: str) -> Path:
    config = tmp_path / "wirewatch.toml"
    config.write_text(archive_setting + '\n[[topics]]\nname = "md"\nquery = \'"missile defense"\'\n'
                      '[[topics]]\nname = "poland"\nquery = \'Poland\'\n', encoding="utf-8")  # fmt: skip
    return config


@pytest.fixture
def archive(tmp_path: Path, archive_setting: str) -> Path:
    """The seed (TASS) and an AP reprint of it: one story, two copies of every statement."""
    config = write_config(tmp_path, archive_setting)
    ap = SEED.read_text(encoding="utf-8").replace("(Itar-Tass)", "(AP)").replace("rapid", "swift")
    (tmp_path / "ap.txt").write_text(ap, encoding="utf-8")
    done = runner.invoke(app, ["import", "--config", str(config), str(SEED), str(tmp_path / "ap.txt")])
    assert done.exit_code == 0, done.output
    return config


def json_rows(config: Path, *command: str) -> list[dict]:
    result = runner.invoke(app, [*command, "--config", str(config), "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_speakers_join_the_same_person_across_copies(archive: Path):
    rows = json_rows(archive, "speakers")
    assert [(r["speaker"], r["quotes"], r["articles"], r["stories"]) for r in rows] == [
        (name, 18, 2, 1) for name in SPEAKERS
    ]
    by_name = {r["speaker"]: r for r in rows}
    assert by_name["Anatoly Antonov"]["titles"] == ["Deputy Defense Minister"]
    assert by_name["Dmitry Rogozin"]["organisations"] == ["NATO"]
    assert (by_name["Dmitry Rogozin"]["first_said"], by_name["Dmitry Rogozin"]["last_said"]) == ("2011-09-13", "2011-09-27")


def test_quotes_of_one_speaker_on_a_topic(archive: Path):
    rows = json_rows(archive, "quotes", "--speaker", "rogozin", "--topic", "poland")
    # the statements that mention Poland, once per copy
    assert sorted({r["text"][:40] for r in rows}) == [
        "The missile interceptor base in Poland i",
        "Washington and Warsaw put the cart befor",
        "West European members of NATO are not in",
    ]
    assert len(rows) == 6 and {r["speaker"] for r in rows} == {"Dmitry Rogozin"}
    assert {r["title"] for r in rows} == {
        "Russian Permanent Representative to NATO, Presidential Envoy for Missile Defense Interaction with the Alliance"
    }


def test_quotes_since_a_day_compares_when_it_was_said(archive: Path):
    rows = json_rows(archive, "quotes", "--since", "2011-09-27", "--speaker", "Arbatov")
    said_earlier = [r for r in json_rows(archive, "quotes", "--speaker", "Arbatov") if r["said_at"] == "2011-09-20"]
    assert len(rows) == 16 and len(said_earlier) == 2
    assert said_earlier[0]["said_at_source"] == "on September 20"


def test_quotes_bad_since_is_one_line(archive: Path):
    result = runner.invoke(app, ["quotes", "--config", str(archive), "--since", "yesterday"])
    assert result.exit_code != 0 and "--since: not a date" in result.output


def test_story_shows_who_said_what_across_its_copies(archive: Path):
    story_id = json_rows(archive, "stories")[0]["story_id"]
    result = runner.invoke(app, ["story", "--config", str(archive), story_id])
    assert result.exit_code == 0, result.output
    # "swift" in the AP copy makes its first statement differ: 27 statements of TASS, one of AP's own
    assert "who said what: 28 statements" in result.output
    assert "Dmitry Rogozin" in result.output and "Alexei Arbatov" in result.output


def test_requote_gives_an_archive_stored_without_quotes_its_quotes(tmp_path: Path, archive_setting: str):
    config_path = write_config(tmp_path, archive_setting)
    config = load_config(config_path)
    now = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    article = Article(item=parse(SEED.read_text(encoding="utf-8")), source="TASS", guid="seed", fetched_at=now)
    with open_store(config.db) as store:
        run_id = store.begin_run("import", now=now)
        ingest_batch(store, run_id, [article], now=now, quoted=False)
    assert json_rows(config_path, "speakers") == []
    result = runner.invoke(app, ["requote", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "requote: 27 quotes stored"
    assert [(r["speaker"], r["quotes"]) for r in json_rows(config_path, "speakers")] == [(n, 9) for n in SPEAKERS]
    again = runner.invoke(app, ["requote", "--config", str(config_path)])  # replaces, never doubles
    assert again.stdout.strip() == "requote: 27 quotes stored"
    assert sum(r["quotes"] for r in json_rows(config_path, "speakers")) == 27


def test_an_alert_carries_the_strongest_quote_on_the_topic(tmp_path: Path, archive_setting: str, webhook_receiver):
    config = make_config(tmp_path, [webhook_receiver.url("/hook")], archive_setting)
    assert run_import(config, SEED).exit_code == 0
    (payload,) = webhook_receiver.payloads
    # the topic (missile defense, or interceptor near missile) is hit most often in Rogozin's
    # long statement about the phases of the project
    quote_line = next(line for line in payload["message"].splitlines() if line.startswith("> “"))  # Markdown
    assert quote_line.startswith("> “West European members of NATO are not interested in the construction of ballistic")
    assert quote_line.endswith("…” — Dmitry Rogozin, Russian Permanent Representative to NATO, Presidential Envoy for "
                               "Missile Defense Interaction with the Alliance")  # fmt: skip


def test_the_daily_digest_lists_who_spoke(tmp_path: Path, archive_setting: str):
    from wirewatch.alerts import format_daily_digest

    config = make_config(tmp_path, [], archive_setting)
    assert run_import(config, SEED).exit_code == 0
    with open_store(load_config(config).db) as store:
        rows = store.daily_digest(since=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    assert [(topic, story.speakers) for topic, story in rows] == [("missile-defense", tuple(SPEAKERS))]
    message = format_daily_digest("missile-defense", [story for _, story in rows])
    assert "who spoke: Alexei Arbatov, Anatoly Antonov, Dmitry Rogozin" in message.text
