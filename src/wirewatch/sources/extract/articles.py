"""Building Articles from extracted parts: one place for feeds and pages, with provenance."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from wirewatch.wire import codec
from wirewatch.config import SourceConfig
from wirewatch.wire.dateline import split_dateline
from wirewatch.sources.extract.errors import ExtractError
from wirewatch.model import Article, WireItem

_ARTICLE_FIELDS = ("headline", "subtitle", "section", "published_at")


@dataclass(slots=True)
class Draft:
    """Extracted parts before they become a WireItem. Provenance keys are Article field names:
    headline, subtitle, body, section, published_at (plus dateline, agency, url when built)."""

    headline: str = ""
    subtitle: str | None = None
    body: list[str] = field(default_factory=list)  # paragraphs, dateline still in the first
    section: str | None = None
    published_at: dt.datetime | None = None
    provenance: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, origin: str) -> None:
        """Set a field once: the first origin to supply a value wins (callers go in trust order)."""
        if value is None or value == "" or value == [] or name in self.provenance:
            return
        setattr(self, name, value)
        self.provenance[name] = origin

    def carry(self, article: Article) -> None:
        """Offer an existing article's fields (not its body) with their recorded origins."""
        values = {
            "headline": article.item.headline,
            "subtitle": article.item.subtitle,
            "section": article.item.section,
            "published_at": article.published_at,
        }
        for name in _ARTICLE_FIELDS:
            origin = article.provenance.get(name)
            if origin and origin != "config":  # config defaults are re-applied at build time
                self.put(name, values[name], origin)


def build_article(
    draft: Draft,
    *,
    source: SourceConfig,
    url: str | None,
    url_origin: str,
    guid: str | None,
    fetched_at: dt.datetime,
) -> Article:
    if not draft.headline:
        raise ExtractError("no headline")
    provenance = dict(draft.provenance)
    section = draft.section
    if not section and source.section:
        section, provenance["section"] = source.section, "config"
    item = codec.make_item(
        section=section or "",
        headline=draft.headline,
        subtitle=draft.subtitle,
        paragraphs=draft.body,
        published=draft.published_at,
        fetched=fetched_at,
    )
    if not item.headline:
        raise ExtractError("no headline")
    if item.subtitle is None:
        provenance.pop("subtitle", None)
    if not item.paragraphs and item.dateline is None and provenance.get("body") != "feed:summary":
        raise ExtractError("no article text")
    if item.dateline is not None:
        provenance["dateline"] = provenance["body"]
        if item.dateline.agency is None and source.agency:
            item = dataclasses.replace(item, dateline=dataclasses.replace(item.dateline, agency=source.agency))
            provenance["agency"] = "config"
    elif source.agency:
        provenance["agency"] = "config"
    if url:
        provenance["url"] = url_origin
    return Article(
        item=item,
        source=source.name,
        url=url,
        guid=guid,
        published_at=draft.published_at,
        fetched_at=fetched_at,
        lang=source.lang or codec.item_lang(item),
        provenance=provenance,
        agency=source.agency if item.dateline is None else None,
    )


def raw_paragraphs(item: WireItem) -> list[str]:
    """The item's paragraphs with the dateline put back in front of the first one."""
    paragraphs = list(item.paragraphs)
    if item.dateline is not None:
        first = paragraphs.pop(0) if paragraphs else ""
        paragraphs.insert(0, f"{item.dateline.raw} {first}".strip())
    return paragraphs


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def is_lead_of(summary: str, paragraphs: Sequence[str]) -> bool:
    """Whether a summary is only the start of the body (so no subtitle): its opening words, less
    a truncation mark, occur near the start of the first two paragraphs."""
    folded = _fold(re.sub(r"(\.\.\.|…|\[…\]|\[\.\.\.\])\s*$", "", summary))[:120]
    return not folded or folded in _fold(" ".join(paragraphs[:2]))[: len(folded) + 200]


def chars(paragraphs: Sequence[str]) -> int:
    return sum(map(len, paragraphs))

# Short calls to action inside story text ("Like this story? Share it with a friend!").
_BOILERPLATE = re.compile(
    r"^(?:like this story|also on\b|share (?:this|it)|follow (?:us|rt|tass)|read (?:also|more)\b|also read\b|"
    r"subscribe\b|sign up\b|click here\b|читайте также|подписывайтесь)",
    re.IGNORECASE,
)


def story_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop calls to action, and scraps (gallery labels, lone bylines) before and after the story."""
    kept = [p for p in paragraphs if not (len(p) < 120 and _BOILERPLATE.match(p))]

    def prose(paragraph: str) -> bool:
        return (
            len(paragraph) >= 40 or paragraph.endswith((".", '"', "”", "»", ")")) or bool(split_dateline(paragraph)[0])
        )

    start = next((i for i, p in enumerate(kept) if prose(p)), 0)
    end = len(kept)
    while end > start + 1 and len(kept[end - 1]) < 12 and not prose(kept[end - 1]):
        end -= 1
    return kept[start:end]


# ---------------------------------------------------------------------------------------------
# Full text for summary-only feed entries.


def with_page_text(feed_article: Article, page: Article, *, source: SourceConfig, fetched_at: dt.datetime) -> Article:
    """A feed entry completed with the text of its page. Headline, section, published time, url
    and guid stay the feed's where it had them; the body (and dateline) come from the page; the
    feed's summary becomes the subtitle when it is more than the start of the page's body. When
    the page has no more text than the feed, the feed article is returned unchanged."""
    page_body, feed_body = raw_paragraphs(page.item), raw_paragraphs(feed_article.item)
    if chars(page_body) <= chars(feed_body):
        return feed_article
    draft = Draft()
    draft.carry(feed_article)
    draft.put("body", page_body, page.provenance["body"])
    summary = " ".join(feed_body)
    if feed_article.provenance.get("body") == "feed:summary" and not is_lead_of(summary, page_body):
        draft.put("subtitle", summary, "feed:summary")
    draft.carry(page)
    return build_article(
        draft,
        source=source,
        url=feed_article.url,
        url_origin=feed_article.provenance.get("url", "feed"),
        guid=feed_article.guid,
        fetched_at=fetched_at,
    )
