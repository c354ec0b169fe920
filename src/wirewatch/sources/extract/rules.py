"""Site rules for the wire agencies: CSS selectors kept as data in ``site_rules.toml``, loaded
once, and applied to a parsed page."""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from wirewatch.sources.extract.articles import Draft, chars, story_paragraphs
from wirewatch.sources.extract.errors import ExtractError
from wirewatch.sources.extract.html import SKIP_TAGS, clean_text, drop_junk, element_paragraphs
from wirewatch.sources.extract.metadata import parse_datetime

MIN_BODY_CHARS = 200  # less than this is a teaser or a stray block, not a story


@dataclass(frozen=True, slots=True)
class SiteRule:
    """CSS selectors for one wire site; within each comma list the first selector with text wins."""

    hosts: tuple[str, ...]  # a rule for "tass.com" also serves "www.tass.com"
    headline: str
    body: str  # selects the elements holding the story's paragraphs
    lead: str | None = None
    date: str | None = None  # elements with a datetime / data-timestamp / content attribute
    drop: str = ""  # blocks (and everything inside them) that are never story text


_FIELDS = frozenset(SiteRule.__dataclass_fields__)


def load_site_rules(path: Path | None = None) -> tuple[SiteRule, ...]:
    """The rules of a TOML file of ``[[rule]]`` tables (the packaged ``site_rules.toml`` by
    default). Raises ExtractError naming the file and the rule that is malformed."""
    source = path or resources.files("wirewatch.sources.extract").joinpath("site_rules.toml")
    try:
        tables = tomllib.loads(source.read_text(encoding="utf-8")).get("rule", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ExtractError(f"{source}: {error}") from None
    rules = []
    for number, table in enumerate(tables, start=1):
        unknown = sorted(set(table) - _FIELDS)
        if unknown or not all(isinstance(table.get(key), str | list) for key in ("hosts", "headline", "body")):
            raise ExtractError(f"{source}: rule {number}: needs hosts, headline and body; unknown {unknown}")
        rules.append(SiteRule(**{**table, "hosts": tuple(table["hosts"])}))
    return tuple(rules)


SITE_RULES: tuple[SiteRule, ...] = load_site_rules()


def site_rule_for(url: str | None) -> SiteRule | None:
    host = (urlsplit(url).hostname or "") if url else ""
    return next((r for r in SITE_RULES if any(host == h or host.endswith("." + h) for h in r.hosts)), None)


def from_rule(soup: BeautifulSoup, rule: SiteRule, draft: Draft) -> None:
    """Headline and lead (as subtitle) by the site's selectors."""
    origin = "page:rules"
    draft.put("headline", _first_text(soup, rule.headline), origin)
    if rule.lead:
        draft.put("subtitle", _first_text(soup, rule.lead), origin)


def rule_date(soup: BeautifulSoup, rule: SiteRule, *, fetched_at: dt.datetime) -> dt.datetime | None:
    """The publication time the site's date selector finds, or None."""
    return _rule_date(soup, rule.date, fetched_at) if rule.date else None


def rule_body(soup: BeautifulSoup, rule: SiteRule) -> list[str]:
    """The story paragraphs the first body selector with enough text finds, or []."""
    dropped = {id(tag) for tag in soup.select(rule.drop)} if rule.drop else set()
    for selector in _selectors(rule.body):
        found = [
            tag
            for tag in _outermost(soup.select(selector))
            if id(tag) not in dropped and not any(id(parent) in dropped for parent in tag.parents)
        ]
        if found:
            paragraphs = _pruned_paragraphs(found, dropped)
            if chars(paragraphs) >= MIN_BODY_CHARS:
                return paragraphs
    return []


def _rule_date(soup: BeautifulSoup, selectors: str, fetched_at: dt.datetime) -> dt.datetime | None:
    for tag in soup.select(selectors):
        value = str(
            tag.get("datetime")
            or tag.get("data-timestamp")
            or tag.get("data-published-time")
            or tag.get("content")
            or ""
        )
        if value.isdigit() and len(value) >= 10:  # epoch seconds; AP writes milliseconds
            return dt.datetime.fromtimestamp(int(value[:10]), dt.timezone.utc)
        found = parse_datetime(value or clean_text(tag.get_text(" ")), not_after=fetched_at)
        if found is not None:
            return found
    return None


def _selectors(selectors: str) -> list[str]:
    return [s.strip() for s in selectors.split(",") if s.strip()]


def _first_text(soup: BeautifulSoup, selectors: str) -> str:
    for selector in _selectors(selectors):
        for tag in soup.select(selector):
            text = clean_text(tag.get_text(" "))
            if text:
                return text
    return ""


def _outermost(elements: list[Tag]) -> list[Tag]:
    """Drop elements nested inside another selected element (their text is already included)."""
    chosen = set(map(id, elements))
    return [e for e in elements if not any(id(parent) in chosen for parent in e.parents)]


def _pruned_paragraphs(elements: Iterable[Tag], dropped: Collection[int] = ()) -> list[str]:
    """Story paragraphs of copies of ``elements`` without junk blocks and ``dropped`` ones.
    Copies, because the same soup still serves the later extraction layers."""
    paragraphs: list[str] = []
    for element in elements:
        scratch = copy.copy(element)
        originals = [element, *element.find_all(True)]
        copies = [scratch, *scratch.find_all(True)]
        for original, duplicate in zip(originals, copies, strict=True):
            if id(original) in dropped and not duplicate.decomposed:
                duplicate.decompose()
        drop_junk(scratch)
        paragraphs.extend(element_paragraphs(scratch) if scratch.name not in SKIP_TAGS else [])
    return story_paragraphs(paragraphs)


