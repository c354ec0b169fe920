"""Issue 19, points 1 and 2: `wirewatch stories` and `wirewatch story ID` over a real archive,
the exact-copy decisions they show, and stories counted by outlet rather than by source."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from store_fixtures import BASE_TIME, article, lake_setting
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.config import load_config
from wirewatch.ingest.batch import ingest_batch
from wirewatch.archive.store import open_store

SEED = Path(__file__).parents[1] / "seeds" / "000_1b8f5677dfb19321.txt"
HEADLINE = "No progress at Russia-US missile defense negotiations"
runner = CliRunner()


@pytest.fixture
def archive_setting(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The config line naming the archive: a DuckDB file, or a lake (the default archive)."""
    return 'db = "a.duckdb"' if backend == "file" else lake_setting(request, tmp_path)


def write_config(tmp_path: Path, archive_setting: str) -> Path:
    config = tmp_path / "wirewatch.toml"
    config.write_text(archive_setting + '\n[[topics]]\nname = "md"\nquery = \'"missile defense"\'\n', encoding="utf-8")
    return config


@pytest.fixture
def archive(tmp_path: Path, archive_setting: str) -> Path:
    """One import of the seed (TASS), an AP reprint of it, an exact copy of the seed under another
    file name, and an unflagged grain story."""
    config = write_config(tmp_path, archive_setting)
    text = SEED.read_text(encoding="utf-8")
    ap = text.replace("(Itar-Tass)", "(AP)").replace("rapid", "swift").replace("erroneous", "mistaken")
    (tmp_path / "ap.txt").write_text(ap, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(text, encoding="utf-8")
    (tmp_path / "grain.txt").write_text(
        "Economy\n\nRecord grain harvest\n\nKRASNODAR, July 5. /TASS/. The grain harvest hit a record.", encoding="utf-8"
    )
    first = runner.invoke(app, ["import", "--config", str(config), str(SEED), str(tmp_path / "ap.txt"), str(tmp_path / "grain.txt")])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["import", "--config", str(config), str(tmp_path / "copy.txt")])
    assert "items: 0 new, 1 duplicate" in again.stdout
    return config


def stories(archive: Path, *options: str) -> list[dict]:
    result = runner.invoke(app, ["stories", "--config", str(archive), "-f", "json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_stories_lists_flagged_stories_first_with_outlets_size_and_topics(archive):
    listed = stories(archive)
    assert [(s["headline"], s["outlets"], s["n_articles"], s["topics"]) for s in listed] == [
        (HEADLINE, ["AP", "TASS"], 2, ["md"]),
        ("Record grain harvest", ["TASS"], 1, []),
    ]
    assert {"story_id", "first_seen", "last_seen"} <= set(listed[0])
    assert [s["headline"] for s in stories(archive, "--topic", "md")] == [HEADLINE]
    assert stories(archive, "--topic", "nothing") == []
    assert len(stories(archive, "--limit", "1")) == 1
    assert stories(archive, "--since", "2999-01-01") == []
    bad = runner.invoke(app, ["stories", "--config", str(archive), "--since", "yesterday"])
    assert bad.exit_code == 2 and bad.stderr == "error: --since: not a date (YYYY-MM-DD): 'yesterday'\n"


def test_the_stories_view_counts_outlets_not_sources(archive):
    shown = runner.invoke(app, ["sql", "--config", str(archive), "-f", "json",
                                "SELECT n_sources, sources, n_outlets, outlets FROM stories WHERE n_articles = 2"])  # fmt: skip
    assert json.loads(shown.stdout) == [{"n_sources": 1, "sources": ["import"], "n_outlets": 2, "outlets": ["AP", "TASS"]}]


def cells_by_header(lines: list[str], first_column: str, row: str) -> dict[str, str]:
    """A rich table row's cells by column name, from the header line that starts with
    ``first_column`` (rather than by position, which a new column would shift). rich draws the
    header's rules heavy (┃) and the rows' light (│)."""
    header = next(line for line in lines if "┃" in line and line.split("┃")[1].strip() == first_column)
    return dict(zip((name.strip() for name in header.split("┃")), (cell.strip() for cell in row.split("│"))))


def test_story_shows_each_article_and_the_exact_copies_not_stored(archive):
    (flagged, _) = stories(archive)
    shown = runner.invoke(app, ["story", "--config", str(archive), flagged["story_id"]])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[0] == f"story {flagged['story_id']}: 2 stored articles"
    rows = [cells_by_header(lines, "article_id", line) for line in lines if "CHEBARKUL, 2011-09-27" in line]
    assert [r["outlet"] for r in rows] == ["TASS", "AP"]
    assert [r["relation"] for r in rows] == ["first", "copy"]
    assert float(rows[1]["similarity"]) >= 0.5  # of the reprint to the first
    assert "exact copies counted, not stored: 1" in lines
    copy_row = lines[lines.index("exact copies counted, not stored: 1") + 4]
    assert "content hash" in copy_row and rows[0]["article_id"] in copy_row  # copies the TASS article
    recorded = runner.invoke(app, ["sql", "--config", str(archive), "-f", "json", "SELECT guid, copy_of, story_id, rule FROM copy_decisions"])
    assert json.loads(recorded.stdout) == [{
        "guid": str(archive.parent / "copy.txt"), "copy_of": rows[0]["article_id"],
        "story_id": flagged["story_id"], "rule": "content hash",
    }]  # fmt: skip
    missing = runner.invoke(app, ["story", "--config", str(archive), "0000"])
    assert missing.exit_code == 2 and missing.stderr == "error: no story '0000' (see `wirewatch stories`)\n"


def test_copy_decisions_name_the_rule_and_are_pruned_with_the_story_window(tmp_path, archive_setting):
    with open_store(load_config(write_config(tmp_path, archive_setting)).db) as store:
        run = store.begin_run("import", now=BASE_TIME)
        original = article(1, source="TASS")
        same_url = article(1, source="TASS", guid="tass-1-again")  # new GUID, same link and text
        reprint = article(1, source="AP")  # AP's copy: same text, other GUID and link
        ingest_batch(store, run, [original, same_url, reprint], now=BASE_TIME)
        _, rows = store.query("SELECT source, guid, rule FROM copy_decisions ORDER BY source")
        assert rows == [("AP", "ap-1", "content hash"), ("TASS", "tass-1-again", "url")]
        later = BASE_TIME + dt.timedelta(days=30)
        ingest_batch(store, run, [article(2, minutes=30 * 24 * 60)], now=later, story_window_days=14)
        assert store.query("SELECT count(*) FROM copy_decisions")[1] == [(0,)]


def test_alert_and_digest_name_the_other_outlets(tmp_path, archive_setting):
    from receivers import WebhookReceiver
    from test_pipeline import make_config

    from wirewatch.run import pipeline

    receiver = WebhookReceiver().start()
    try:
        config = make_config(tmp_path, [receiver.url("/hook")], archive_setting)
        ap = SEED.read_text(encoding="utf-8").replace("(Itar-Tass)", "(AP)").replace("rapid", "swift")
        (tmp_path / "ap.txt").write_text(ap, encoding="utf-8")
        result = runner.invoke(app, ["import", "--config", str(config), str(SEED), str(tmp_path / "ap.txt")])
        assert "alerts: 1 new, 1 sent, 0 failed" in result.stdout
        (alert,) = receiver.payloads
        assert "Also reported by 1 other outlet: AP (2 articles in the story)." in alert["message"]
        loaded = load_config(config)
        with open_store(loaded.db) as store:
            (digest,) = pipeline.send_daily_digests(store, loaded, hours=24, now=dt.datetime.now(dt.timezone.utc))
        assert digest.ok
        assert "2 outlets (AP, TASS), 2 articles" in receiver.payloads[1]["message"]
    finally:
        receiver.stop()
