"""Issue 29: the web view in a real headless chromium (DevTools protocol) on loopback, over a lake
imported from a saved feed by `wirewatch import`: the chart's counts, highlighted evidence, a
hostile headline shown as text, and filters and downloads that agree with `wirewatch sql`.

``python tests/test_web_browser.py docs/images`` takes the docs' screenshots with the same code."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import httpx
import pytest
from browser import Browser, chromium_path
from typer.testing import CliRunner
from web_fixtures import EXPECTED_DAYS, HOSTILE_HEADLINE, TOPIC, build_archive, serving, archive, address  # noqa: F401  (archive, address: pytest fixtures)

from wirewatch.cli.commands import app

pytestmark = pytest.mark.slow
runner = CliRunner()
WINDOW = "days=3&end=2024-03-03"
PAGES = {  # screenshot name: path (story pages are added by story id)
    "topics": f"/topics?{WINDOW}",
    "stories": "/stories",
    "alerts": "/alerts",
    "sources": "/sources",
}


def sql(config: Path, query: str) -> list[dict]:
    done = runner.invoke(app, ["sql", "--config", str(config), "-f", "json", query])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def browser():
    binary = chromium_path()
    if binary is None:
        pytest.skip("chromium not installed (.ci/run installs Debian's chromium)")
    opened = Browser(binary)
    yield opened
    opened.close()


def story_of(config: Path, headline: str) -> str:
    (row,) = sql(config, f"SELECT story_id FROM articles WHERE headline = '{headline}'")
    return row["story_id"]


def test_the_topic_chart_shows_the_imported_counts_per_day(archive, address, browser):
    browser.open(f"{address}/topics?{WINDOW}")
    bars = browser.evaluate(
        f"[...document.querySelectorAll('section[data-topic=\"{TOPIC}\"] g.bucket')]"
        ".map(g => [g.dataset.bucket, +g.dataset.articles, +g.dataset.stories,"
        " +g.querySelector('rect.articles').getAttribute('height')])"
    )
    assert [(b[0], b[1], b[2]) for b in bars] == [(f"{day} 00:00", a, s) for day, a, s in EXPECTED_DAYS]
    assert bars[0][3] > bars[2][3] > bars[1][3] == 0  # the spike stands out
    per_day = sql(archive, f"""SELECT strftime(date_trunc('day', a.published_at), '%Y-%m-%d 00:00') AS day,
        count(DISTINCT a.article_id) AS articles, count(DISTINCT a.story_id) AS stories
        FROM topic_matches m JOIN articles a USING (article_id) WHERE m.topic = '{TOPIC}' GROUP BY 1 ORDER BY 1""")
    assert [(d["day"], d["articles"], d["stories"]) for d in per_day] == [(b[0], b[1], b[2]) for b in bars if b[1]]
    summary = browser.evaluate(f"document.querySelector('section[data-topic=\"{TOPIC}\"] p').textContent")
    assert " ".join(summary.split()) == "4 stories, 5 articles, 4 outlets; alerts sent 4 of 4."


def test_the_topic_downloads_are_what_the_page_shows(archive, address):
    trend = httpx.get(f"{address}/topics?{WINDOW}&format=csv&table=trend").text
    assert list(csv.reader(io.StringIO(trend))) == [
        ["topic", "bucket", "articles", "stories"],
        *([TOPIC, f"{day} 00:00:00", str(a), str(s)] for day, a, s in EXPECTED_DAYS),
    ]
    (summary,) = httpx.get(f"{address}/topics?{WINDOW}&format=json").json()
    assert (summary["topic"], summary["stories"], summary["articles"], summary["alerts_sent"]) == (TOPIC, 4, 5, 4)
    (alerts,) = sql(archive, f"SELECT count(*) AS sent FROM alerts WHERE topic = '{TOPIC}' AND status = 'sent'")
    assert alerts["sent"] == summary["alerts_sent"]


def test_a_story_page_highlights_the_matched_terms_at_the_stored_spans(archive, address, browser):
    story_id = story_of(archive, "Missile defense talks stall")
    browser.open(f"{address}/story/{story_id}")
    articles = browser.evaluate(
        "[...document.querySelectorAll('article.article')].map(a => [a.dataset.relation,"
        " a.querySelector('.outlet').textContent, [...a.querySelectorAll('mark')].map(m => m.textContent)])"
    )
    spans = sql(archive, f"""SELECT a.story_relation AS relation, list(substr(CASE s.field WHEN 'body' THEN a.body ELSE a.headline END,
        s.start + 1, s."end" - s.start) ORDER BY s.field DESC, s.start) AS texts
        FROM topic_matches m JOIN articles a USING (article_id), unnest(m.spans) AS u(s)
        WHERE m.story_id = '{story_id}' GROUP BY a.story_relation, a.published_at ORDER BY a.published_at""")
    assert [(a[0], a[1]) for a in articles] == [("first", "tass.example"), ("update", "apnews.example")]
    assert [a[2] for a in articles] == [s["texts"] for s in spans]
    assert articles[0][2] == ["Missile defense", "missile defense"]  # the headline's, then the lead's


def test_a_hostile_headline_is_shown_as_text_and_runs_nothing(archive, address, browser):
    story_id = story_of(archive, HOSTILE_HEADLINE.replace("'", "''"))
    for path in ("/stories", f"/story/{story_id}", "/alerts"):
        browser.open(f"{address}{path}")
        assert browser.evaluate("window.__pwned === undefined && document.querySelectorAll('main script, main img').length") == 0
        assert HOSTILE_HEADLINE in browser.evaluate("document.querySelector('main').textContent")
    browser.open(f"{address}/story/{story_id}")
    assert browser.evaluate("document.querySelector('h3.headline').textContent") == HOSTILE_HEADLINE


def test_the_stories_filters_and_their_downloads_agree_with_wirewatch_sql(archive, address, browser):
    query = "topic=md&outlet=reuters.example&since=2024-03-01"
    browser.open(f"{address}/stories?{query}")
    shown = browser.evaluate("[...document.querySelectorAll('tr.story')].map(r => [r.dataset.story, r.querySelector('.headline').textContent])")
    expected = sql(archive, """SELECT story_id, headline FROM stories
        WHERE list_contains(outlets, 'reuters.example') AND story_id IN (SELECT story_id FROM topic_matches WHERE topic = 'md')
        ORDER BY last_seen DESC""")
    assert shown == [[e["story_id"], e["headline"]] for e in expected] and len(shown) == 2
    downloaded = httpx.get(f"{address}/stories?{query}&format=json").json()
    assert [(d["story_id"], d["first_headline"]) for d in downloaded] == [(e["story_id"], e["headline"]) for e in expected]
    browser.open(f"{address}/stories?q=GRAIN")
    assert browser.evaluate("[...document.querySelectorAll('tr.story .headline')].map(a => a.textContent)") == ["Record grain harvest"]
    browser.open(f"{address}/stories")
    flags = browser.evaluate("[...document.querySelectorAll('tr.story')].map(r => r.classList.contains('flagged'))")
    assert flags == [True, True, True, True, False]  # flagged first


def take_screenshots(browser: Browser, address: str, config: Path, folder: Path) -> list[Path]:
    """One PNG per page (the story page of the two-outlet story) into ``folder``."""
    pages = {**PAGES, "story": f"/story/{story_of(config, 'Missile defense talks stall')}"}
    written = []
    for name, path in pages.items():
        browser.open(f"{address}{path}")
        written.append(folder / f"web-{name}.png")
        browser.screenshot(written[-1])
    return written


def test_every_page_can_be_photographed(archive, address, browser, tmp_path):
    shots = take_screenshots(browser, address, archive, tmp_path)
    assert [p.name for p in shots] == ["web-topics.png", "web-stories.png", "web-alerts.png", "web-sources.png", "web-story.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000 for p in shots)


if __name__ == "__main__":  # the docs' screenshots: python tests/test_web_browser.py docs/images
    import tempfile

    target = Path(sys.argv[1])
    config = build_archive(Path(tempfile.mkdtemp(prefix="wirewatch-web-shots-")) / "archive")
    chromium = Browser(chromium_path() or "chromium")
    try:
        with serving(config) as served:
            for shot in take_screenshots(chromium, served, config, target):
                print(shot)
    finally:
        chromium.close()
