"""Issue 29: the web view's limits over real HTTP on loopback (no browser): parameters checked
with one clear 400, pages capped and paged, a token off loopback (401 without it), the Host
header checked, the quotes section only where the archive has the view, and answers while an
import writes the lake."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner
from web_fixtures import TOPIC, build_archive, serving, archive, address  # noqa: F401  (archive, address: pytest fixtures)

from wirewatch.cli.commands import app
from wirewatch.config import load_config
from wirewatch.errors import ConfigError
from wirewatch.archive.store import open_store
from wirewatch.web import Chart, check_binding, evidence, segments, trend_chart

runner = CliRunner()


@pytest.mark.parametrize(("path", "reason"), [
    ("/stories?page=0", "page: expected a whole number from 1 to 1000, got '0'"),
    ("/stories?per_page=500", "per_page: expected a whole number from 1 to 200, got '500'"),
    ("/stories?since=yesterday", "since: expected a date (YYYY-MM-DD), got 'yesterday'"),
    ("/stories?limit=5", "limit: not a parameter of this page (it takes format, outlet, page, per_page, q, since, topic, until)"),
    ("/stories?q=" + "x" * 201, "q: longer than 200 characters"),
    ("/topics?bucket=week", "bucket: expected one of day, hour, got 'week'"),
    ("/topics?bucket=hour&days=30", "days: at most 14 with bucket=hour, got 30"),
    ("/alerts?status=lost", "status: expected one of pending, sent, failed, got 'lost'"),
    ("/sources?format=xml", "format: expected one of html, csv, json, got 'xml'"),
    ("/story/a%20b", "story: not a story id"),
])  # fmt: skip
def test_a_bad_parameter_gets_one_line_and_400(address, path, reason):
    response = httpx.get(address + path)
    assert (response.status_code, response.text) == (400, f"bad request: {reason}\n")


def test_an_unknown_story_is_404_and_pages_are_capped(address):
    assert httpx.get(f"{address}/story/0000000000000000").status_code == 404
    first = httpx.get(f"{address}/stories?per_page=2&format=json").json()
    second = httpx.get(f"{address}/stories?per_page=2&page=2&format=json").json()
    assert len(first) == len(second) == 2 and not {s["story_id"] for s in first} & {s["story_id"] for s in second}
    page = httpx.get(f"{address}/stories?per_page=2").text
    assert 'href="/stories?page=2&amp;per_page=2" rel="next"' in page


def test_every_page_answers_with_its_security_headers(address):
    for path in ("/topics", "/stories", "/alerts", "/sources"):
        response = httpx.get(address + path)
        assert response.status_code == 200
        assert response.headers["content-security-policy"].startswith("default-src 'none';")
        assert response.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(address + "/").headers["location"] == "/topics"


def test_a_foreign_host_header_is_refused(address):
    # a page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) reads nothing
    assert httpx.get(f"{address}/stories", headers={"Host": "attacker.example"}).status_code == 400


def test_a_token_is_required_when_set(archive):
    with serving(archive, token="s3cret") as address:
        assert httpx.get(f"{address}/stories").status_code == 401
        assert httpx.get(f"{address}/stories", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.get(f"{address}/stories", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        with httpx.Client(follow_redirects=True) as client:
            landed = client.get(f"{address}/stories?token=s3cret&q=grain")
            assert (landed.status_code, str(landed.url)) == (200, f"{address}/stories?q=grain")
            assert client.get(f"{address}/alerts").status_code == 200  # the cookie carries it


def test_a_page_that_reads_too_long_is_stopped_with_503(archive):
    with serving(archive, page_seconds=0.001) as address:
        response = httpx.get(f"{address}/topics?days=366")
        assert (response.status_code, response.text) == (
            503, "the page took longer than 0.001 s to read; narrow it (a shorter window, a filter)\n")
    with serving(archive) as address:  # within the ordinary limit the same page is read
        assert httpx.get(f"{address}/topics?days=366").status_code == 200


def test_binding_off_loopback_needs_remote_and_a_token():
    check_binding("127.0.0.1", None, remote=False)
    with pytest.raises(ConfigError, match=r"^--host 0.0.0.0: not a loopback address; binding it needs --remote"):
        check_binding("0.0.0.0", "t", remote=False)
    with pytest.raises(ConfigError, match=r"^--host 0.0.0.0 --remote: set WIREWATCH_WEB_TOKEN"):
        check_binding("0.0.0.0", None, remote=True)
    check_binding("0.0.0.0", "t", remote=True)


def test_the_command_refuses_a_public_host_without_a_token(archive, monkeypatch):
    monkeypatch.delenv("WIREWATCH_WEB_TOKEN", raising=False)
    done = runner.invoke(app, ["web", "--config", str(archive), "--host", "0.0.0.0", "--remote"])
    assert (done.exit_code, done.stderr) == (2, "error: --host 0.0.0.0 --remote: set WIREWATCH_WEB_TOKEN to the token every request must carry\n")


def test_the_quotes_section_shows_who_said_what_escaped(tmp_path):
    config = build_archive(tmp_path / "archive")
    with serving(config) as address:
        (story,) = httpx.get(f"{address}/stories?q=radar&format=json").json()
        assert httpx.get(f"{address}/story/{story['story_id']}?table=quotes&format=json").json() == []
    with open_store(load_config(config).db) as store:  # a hostile speaker, in the quotes view's shape
        store.connection.execute(
            "CREATE OR REPLACE VIEW quotes AS SELECT a.article_id, a.story_id, 'Ana <b>Ortiz</b>' AS speaker, 'envoy' AS speaker_title,"
            " NULL AS speaker_org, 'direct' AS kind, 'The radar is ready.' AS text, 1 AS paragraph, 0 AS span_start,"
            " 19 AS span_end, 'said' AS cue, a.published_at AS said_at, 'published' AS said_at_source FROM articles a"
            " WHERE a.headline LIKE '%radar%'"
        )
    with serving(config) as address:
        page = httpx.get(f"{address}/story/{story['story_id']}").text
        assert "Who said what" in page and "Ana &lt;b&gt;Ortiz&lt;/b&gt;" in page and "The radar is ready." in page
        rows = httpx.get(f"{address}/story/{story['story_id']}?table=quotes&format=json").json()
        assert [(q["speaker"], q["kind"], q["text"]) for q in rows] == [("Ana <b>Ortiz</b>", "direct", "The radar is ready.")]


def test_a_duckdb_file_archive_is_held_only_while_a_page_is_read(tmp_path):
    config = build_archive(tmp_path / "archive", 'db = "a.duckdb"')
    with serving(config) as address:
        shown = httpx.get(f"{address}/stories?format=json").json()
        assert len(shown) == 5
        with open_store(load_config(config).db, lock_timeout=0) as writer:  # the page let go of the file
            assert writer.connection.execute("SELECT count(*) FROM articles").fetchone() == (6,)


def test_segments_cut_text_at_spans_merging_overlaps():
    assert [(s.text, s.term) for s in segments("ballistic missile defense now", [(10, 25, "missile defense"), (0, 25, "bmd")])] == [
        ("ballistic missile defense", "bmd"), (" now", None)]  # fmt: skip
    assert [(s.text, s.term) for s in segments("abc", [(5, 9, "x")])] == [("abc", None)]


def test_evidence_keeps_only_paragraphs_with_hits():
    article = {"headline": "ABM talk", "body": "First para.\n\nSecond ABM para.\n\nThird.", "dateline_place": None}
    spans = [{"term": "ABM", "field": "headline", "start": 0, "end": 3}, {"term": "ABM", "field": "body", "start": 20, "end": 23}]
    shown = evidence(article, [{"topic": "md", "score": 4.5, "terms": ["ABM"], "spans": spans}])
    assert [(n, [(s.text, s.term) for s in p]) for n, p in shown.fields] == [("headline", [("ABM", "ABM"), (" talk", None)])]
    assert [[(s.text, s.term) for s in p] for p in shown.paragraphs] == [[("Second ", None), ("ABM", "ABM"), (" para.", None)]]
    assert evidence(article, []) is None


def test_the_chart_scales_bars_to_the_busiest_bucket():
    day = dt.datetime(2024, 3, 1)
    chart = trend_chart([{"bucket": day, "articles": 4, "stories": 2}, {"bucket": day, "articles": 0, "stories": 0}], width=100, height=42)
    assert isinstance(chart, Chart) and chart.peak == 4
    assert [(b.x, b.article_height, b.story_height) for b in chart.bars] == [(0.0, 40.0, 20.0), (50.0, 0.0, 0.0)]
    assert trend_chart([]).bars == []


@pytest.mark.slow
def test_pages_answer_while_an_import_writes_the_lake(archive, address, tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    for n in range(400):
        (folder / f"{n:04}.txt").write_text(f"World\n\nStory number {n} on missile defense\n\nMOSCOW, May 2 (TASS) - Item {n} " + "word " * 300, encoding="utf-8")
    importing = subprocess.Popen([sys.executable, "-c", "from wirewatch.cli.commands import main; main()", "import", "--config", str(archive), str(folder)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    answered = []
    try:
        while importing.poll() is None:
            started = time.monotonic()
            response = httpx.get(f"{address}/stories?per_page=5&format=json", timeout=30)
            answered.append((response.status_code, time.monotonic() - started, importing.poll() is None))
            time.sleep(0.2)
    finally:
        _, errors = importing.communicate(timeout=600)
    assert importing.returncode == 0, errors
    during = [a for a in answered if a[2]]
    assert during and all(status == 200 for status, _, _ in during)
    total = httpx.get(f"{address}/topics?days=1&end={dt.datetime.now(dt.timezone.utc).date()}&format=json").json()
    assert next(t for t in total if t["topic"] == TOPIC)["articles"] >= 400  # the lake's latest commit, seen by the open reader
