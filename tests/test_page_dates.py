"""The publication date of a page: htmldate's day (original date, extensive search) decides, the
page's own statements (JSON-LD, site rules, <meta>) only lend their time of day to that same day
or stand in when htmldate finds none; a stated zone is kept, so the day is the one the page
prints."""

from __future__ import annotations

import datetime as dt

import pytest

from wirewatch.config import SourceConfig
from wirewatch.sources.extract import page_article, parse_datetime

NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
PAGE = SourceConfig(name="wire", kind="page")
STORY = "".join(
    f"<p>Paragraph {n} of the harbour story: the pilots ended their walkout after the port authority agreed "
    "to hire more pilots and to cap night shifts, the association said on Friday.</p>"
    for n in range(1, 4)
)


def _page(head: str, body: str = "") -> bytes:
    return (
        f"<html><head><title>Harbour pilots end walkout</title>{head}</head><body><article>"
        f"<h1>Harbour pilots end walkout</h1>{body}{STORY}</article></body></html>"
    ).encode()


def test_a_stated_zone_keeps_the_day_the_page_prints() -> None:
    html = _page('<meta property="article:published_time" content="2018-06-19T05:50:00+09:00">')
    article = page_article(html, url="https://news.example/a/1", source=PAGE, fetched_at=NOW)
    assert article.published_at == dt.datetime(2018, 6, 19, 5, 50, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert article.published_at.date() == dt.date(2018, 6, 19)
    assert article.provenance["published_at"] == "page:generic"


TEN_AM_AT_PLUS_TWO = dt.datetime(2021, 3, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))


@pytest.mark.parametrize(
    ("jsonld_date", "meta", "published_at", "origin"),
    [
        # JSON-LD naming another day than htmldate's gives way to the <meta> that htmldate agrees with
        ("2020-01-01T10:00:00Z", '<meta property="article:published_time" content="2021-03-04T10:00:00+02:00">',
         TEN_AM_AT_PLUS_TWO, "page:generic"),
        # JSON-LD naming htmldate's day lends it its time of day
        ("2021-03-04T10:00:00+02:00", "", TEN_AM_AT_PLUS_TWO, "page:jsonld"),
    ],
)
def test_a_statement_counts_only_for_htmldates_day(
    jsonld_date: str, meta: str, published_at: dt.datetime, origin: str
) -> None:
    html = _page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour pilots end walkout", '
        f'"datePublished": "{jsonld_date}"}}</script>{meta}'
    )
    article = page_article(html, url="https://news.example/a/1", source=PAGE, fetched_at=NOW)
    assert article.published_at == published_at
    assert article.provenance["published_at"] == origin


def test_htmldates_day_stands_when_no_statement_names_it() -> None:
    # The page prints its date in a byline only; its JSON-LD date is unreadable.
    html = _page(
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour pilots end walkout", '
        '"datePublished": "not a date"}</script>',
        '<p class="byline">Published 2023-10-06</p>',
    )
    article = page_article(html, url="https://news.example/a/1", source=PAGE, fetched_at=NOW)
    assert article.published_at == dt.datetime(2023, 10, 6, tzinfo=dt.timezone.utc)
    assert article.provenance["published_at"] == "page:htmldate"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012年06月04日 08:36", dt.datetime(2012, 6, 4, 8, 36, tzinfo=dt.timezone.utc)),
        ("2023  11 /  17  20:52:15", dt.datetime(2023, 11, 17, 20, 52, 15, tzinfo=dt.timezone.utc)),
        ("2020/02/19", dt.datetime(2020, 2, 19, tzinfo=dt.timezone.utc)),
        ("2020 02 31", None),
    ],
)
def test_numeric_dates_with_any_separators(text: str, expected: dt.datetime | None) -> None:
    # Xinhua's page headers; the free-text parsers read the first two as 1 December and 1 January.
    assert parse_datetime(text) == expected
