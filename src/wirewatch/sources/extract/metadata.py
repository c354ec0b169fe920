"""Metadata of article pages: JSON-LD, <meta>, canonical address, headline and dates."""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
import htmldate.extractors
from dateparser import DateDataParser
from htmldate import find_date
from lxml.html import HtmlElement
from feedparser.datetimes import _parse_date as _feedparser_date

from wirewatch.sources.extract.html import clean_text, plain_text

# ---------------------------------------------------------------------------------------------
# Dates.

_EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.timezone.utc)
_URL_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_ISO_WITH_SPACE = re.compile(r"^\d{4}-\d\d-\d\d \d")
# Year, month, day as numbers with any separators: "2012年06月04日 08:36", "2023 11 / 17 20:52:15"
# (Xinhua's page headers), which the free-text parsers misread as other days.
_NUMERIC_DATE = re.compile(
    r"((?:19|20)\d{2})\s*[-/.年]?\s*(0?[1-9]|1[0-2])\s*[-/.月]?\s*(0?[1-9]|[12]\d|3[01])\s*日?"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def parse_datetime(value: Any, *, not_after: dt.datetime | None = None) -> dt.datetime | None:
    """A publication time from the many shapes pages write it in, or None. A time keeps the zone
    the page states, so its day is the day the page prints (the store keeps the instant in UTC);
    a time without a zone is taken as UTC. Times before 1990 or more than a day after
    ``not_after`` are refused."""
    if not isinstance(value, str) or not value.strip() or value.strip().isdigit():
        return None  # bare numbers are ids or epochs, not dates we can trust
    text = value.strip()
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if _ISO_WITH_SPACE.match(text) else text)
    except ValueError:
        numeric = _NUMERIC_DATE.fullmatch(text)
        if numeric is not None:
            parsed = _numeric_date(numeric)  # an impossible day stays None: no guess by other parsers
        else:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                found = _feedparser_date(text)  # feedparser knows dozens of real-world date formats
                parsed = dt.datetime(*found[:6]) if found else None
    if parsed is None:
        return None
    parsed = parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed
    if parsed < _EARLIEST or (not_after is not None and parsed > not_after + dt.timedelta(days=1)):
        return None
    return parsed


def _numeric_date(found: re.Match[str]) -> dt.datetime | None:
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def date_from_url(url: str | None) -> dt.datetime | None:
    """The date in an article URL such as ``/2020/07/28/`` or ``/2020-02/19/c_1125597921.htm``.
    The last date in the path wins, so an archive.org capture stamp before the real URL is skipped."""
    matches = list(_URL_DATE.finditer(urlsplit(url).path if url else ""))
    if not matches:
        return None
    found = matches[-1]
    try:
        return dt.datetime(int(found.group(1)), int(found.group(2)), int(found.group(3)), tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def struct_to_datetime(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime(*value[:6], tzinfo=dt.timezone.utc) if value else None
    except (TypeError, ValueError):
        return None

_ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Report)$")
_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "published_time_telegram",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "analyticsattributes.articledate",
    "datecreated",
)
def canonical_url(soup: BeautifulSoup, url: str | None) -> str | None:
    """The publisher's address for the page (og:url, then <link rel=canonical>) when it is an
    absolute http(s) URL, else the address the page was fetched from."""
    og = soup.find("meta", attrs={"property": "og:url"})
    link = soup.find("link", rel="canonical")
    for candidate in (og.get("content") if og else None, link.get("href") if link else None):
        absolute = urljoin(url or "", str(candidate or "").strip())
        parts = urlsplit(absolute)
        if candidate and parts.scheme in ("http", "https") and parts.hostname:
            return absolute
    return url


def _jsonld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or "", strict=False)
        except (json.JSONDecodeError, RecursionError):
            continue  # broken JSON-LD is common (Reuters, 2020): the other layers take over
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                stack.extend(node[key] for key in ("@graph", "mainEntity") if isinstance(node.get(key), (dict, list)))


def jsonld_article(soup: BeautifulSoup) -> dict[str, Any] | None:
    for node in _jsonld_objects(soup):
        kinds = node.get("@type")
        if any(
            isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in (kinds if isinstance(kinds, list) else [kinds])
        ):
            return node
    return None


def jsonld_text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    return plain_text(value) if isinstance(value, str) else ""


def meta_values(soup: BeautifulSoup) -> dict[str, str]:
    """First content of each <meta> by its property, name or itemprop (lower-cased)."""
    values: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("property") or tag.get("name") or tag.get("itemprop") or "").lower()
        if key and tag.get("content") and key not in values:
            values[key] = str(tag.get("content")).strip()
    return values


_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*[|_]\s*|-(?=[\u3000-\u9fff]{2,8}$)")


def generic_headline(soup: BeautifulSoup, metas: Mapping[str, str]) -> str:
    # <h1>, then microdata and hNews markup (old AP pages), then og:title, then <title>.
    marked = soup.find_all(attrs={"itemprop": "headline"}) + soup.find_all(class_="entry-title")
    for tag in [*soup.find_all("h1"), *marked]:
        text = clean_text(tag.get_text(" ") or str(tag.get("content") or ""))
        if len(text) >= 10:
            return text
    og = plain_text(metas.get("og:title") or metas.get("twitter:title") or "")
    if og:
        return og
    title = soup.find("title")
    parts = _TITLE_SEPARATOR.split(clean_text(title.get_text(" ")) if title else "")
    return max(parts, key=len).strip()


def meta_date(soup: BeautifulSoup, metas: Mapping[str, str], fetched_at: dt.datetime) -> dt.datetime | None:
    """The publication time the page's <meta> tags or microdata state, with its time of day."""
    candidates: list[Any] = [metas.get(key) for key in _DATE_META]
    candidates += [t.get("datetime") or t.get("content") for t in soup.find_all(attrs={"itemprop": "datePublished"})]
    return next((d for d in (parse_datetime(v, not_after=fetched_at) for v in candidates) if d is not None), None)


# htmldate hands free-text dates to dateparser, which by default first compiles the patterns of
# every locale it knows: seconds on the first page that needs it. The languages of the wires we
# monitor are enough, and load in a fraction of that. Same settings as htmldate's own parser.
WIRE_LANGUAGES = ("en", "ru", "uk", "de", "fr", "es", "it", "pt", "zh", "ko", "ja", "ar")
HTMLDATE_OWN_PARSER = htmldate.extractors.get_external_parser


@functools.cache
def wire_date_parser() -> DateDataParser:
    return DateDataParser(
        languages=list(WIRE_LANGUAGES),
        settings={
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )


htmldate.extractors.get_external_parser = wire_date_parser


def htmldate_date(page: str | HtmlElement, url: str | None, fetched_at: dt.datetime) -> dt.datetime | None:
    """The publication day htmldate finds by its extensive search (markup, text, URL), or None.
    Given the page's text it sees all of it, scripts included, as htmldate alone would."""
    try:
        found = find_date(
            page,
            url=url,
            extensive_search=True,
            original_date=True,
            outputformat="%Y-%m-%d",
            min_date=_EARLIEST.replace(tzinfo=None),
            max_date=(fetched_at + dt.timedelta(days=1)).replace(tzinfo=None),
        )
    except Exception:  # noqa: BLE001 (a third-party heuristic on hostile input: its failure is "no date")
        return None
    return parse_datetime(found, not_after=fetched_at) if found else None


def url_date(urls: Sequence[str | None]) -> dt.datetime | None:
    return next((d for d in map(date_from_url, urls) if d is not None), None)
