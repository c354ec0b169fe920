"""A small known archive for the web view's tests and screenshots: a saved feed imported with
`wirewatch import` into an embedded lake, every article dated by its pubDate so that the topic's
chart has known counts per day, one story told by two outlets, an unflagged story, and a
headline that tries to run a script. ``serving`` runs the app on a free loopback port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from store_fixtures import edit_words, paragraphs
from typer.testing import CliRunner

from wirewatch.cli.commands import app
from wirewatch.config import load_config
from wirewatch.web import Settings, create_app, running

TOPIC = "md"
HOSTILE_HEADLINE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> missile defense leak"
# (day, outlet host, headline, body seed, reprint of): the md topic matches "missile defense"
ITEMS = (
    ("2024-03-01T08:00:00", "tass.example", "Missile defense talks stall", 1, None),
    ("2024-03-01T11:30:00", "apnews.example", "Missile defense talks stall, envoy says", 1, "edit"),
    ("2024-03-01T15:00:00", "reuters.example", "New missile defense radar in the north", 2, None),
    ("2024-03-02T09:00:00", "tass.example", "Record grain harvest", 3, None),
    ("2024-03-03T10:00:00", "reuters.example", "Missile defense budget approved", 4, None),
    ("2024-03-03T12:00:00", "hostile.example", HOSTILE_HEADLINE, 5, None),
)
# what the chart must show for these items: (day, articles, stories)
EXPECTED_DAYS = (("2024-03-01", 3, 2), ("2024-03-02", 0, 0), ("2024-03-03", 2, 2))
runner = CliRunner()


def body(seed: int, reprint: bool, flagged: bool) -> str:
    words = paragraphs(seed, words=160)
    if reprint:
        words = edit_words(words, 0.04, seed + 100)
    lead = "Officials discussed missile defense on Friday. " if flagged else "Farmers spoke on Friday. "
    return "\n\n".join([lead + words[0], *words[1:]])


def feed_text() -> str:
    items = []
    for when, host, headline, seed, reprint in ITEMS:
        flagged = "missile defense" in headline.lower()
        # escaped twice: feedparser takes a title for HTML and would strip the tags the test wants shown
        items.append(
            f"<item><title>{escape(escape(headline))}</title><link>https://{host}/news/{seed}{'b' if reprint else ''}</link>"
            f"<guid>{host}-{seed}{'b' if reprint else ''}</guid>"
            f"<description>{escape(body(seed, bool(reprint), flagged))}</description>"
            f"<pubDate>{_rfc822(when)}</pubDate></item>"
        )
    return ("<?xml version='1.0' encoding='utf-8'?>\n<rss version=\"2.0\"><channel><title>Test wire</title>"
            "<link>https://wire.example/</link><description>test</description>" + "".join(items) + "</channel></rss>\n")  # fmt: skip


def _rfc822(when: str) -> str:
    import datetime as dt
    from email.utils import format_datetime

    return format_datetime(dt.datetime.fromisoformat(when).replace(tzinfo=dt.timezone.utc))


def build_archive(folder: Path, archive_setting: str = 'catalog = "lake/catalog.sqlite"') -> Path:
    """The config of a new archive (a lake unless ``archive_setting`` says otherwise) under
    ``folder`` holding ITEMS, imported by the command."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "wirewatch.toml"
    config.write_text(f'{archive_setting}\n[[topics]]\nname = "{TOPIC}"\nquery = \'"missile defense"\'\n', encoding="utf-8")
    feed = folder / "wire.xml"
    feed.write_text(feed_text(), encoding="utf-8")
    done = runner.invoke(app, ["import", "--config", str(config), str(feed)])
    assert done.exit_code == 0, done.output
    return config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(config: Path, token: str | None = None, **options: float) -> Iterator[str]:
    """The web view over ``config``'s archive on 127.0.0.1 (``options``: other Settings); yields
    its address."""
    loaded = load_config(config)
    settings = Settings(loaded.db, tuple(t.name for t in loaded.enabled_topics), token=token, **options)
    with running(create_app(settings), "127.0.0.1", free_port()) as address:
        yield address


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """The web tests' archive, imported once per module."""
    return build_archive(tmp_path_factory.mktemp("web") / "archive")


@pytest.fixture(scope="module")
def address(archive: Path):
    """The web view served over that archive on loopback."""
    with serving(archive) as served:
        yield served
