"""RSS/Atom documents -> Articles, through feedparser."""

from __future__ import annotations

import datetime as dt
import hashlib
import html as htmllib
import io
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser

from wirewatch.config import SourceConfig
from wirewatch.sources.extract.articles import Draft, build_article, chars, is_lead_of
from wirewatch.sources.extract.errors import ExtractError
from wirewatch.sources.extract.html import clean_text, decode_markup, markup_paragraphs, plain_text
from wirewatch.sources.extract.metadata import struct_to_datetime
from wirewatch.model import Article

@dataclass(slots=True)
class FeedExtract:
    """What one feed document yielded.

    ``articles`` in feed order; ``warnings`` about the feed as a whole (e.g. it was not well-formed
    but still had entries); ``rejected`` has one line per entry that could not become an article.
    An Article whose ``provenance["body"] == "feed:summary"`` carries only the feed's summary: the
    caller may fetch its page for the full text (see ``with_page_text``)."""

    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    title: str | None = None  # the feed's own title

# ---------------------------------------------------------------------------------------------
# Feeds.

_HTML_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body)", re.IGNORECASE | re.DOTALL
)
_FEED_LINK = re.compile(r"""<link[^>]+type=["']application/(?:rss|atom)\+xml["'][^>]*>""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")


def feed_articles(
    data: bytes,
    *,
    source: SourceConfig,
    headers: Mapping[str, str] | None = None,
    fetched_at: dt.datetime,
    url: str | None = None,
    headline_only: bool = False,
) -> FeedExtract:
    """Parse an RSS/Atom document into Articles, one per usable entry, in feed order.

    Raises ExtractError when the document is not a feed at all: ``empty body (0 bytes)``,
    ``not a feed: got HTML``, ``XML error at line 12: ...``. A feed that is not well-formed but
    still yields entries keeps them and says so in ``warnings``. ``url`` (the feed's own address)
    resolves relative links. Entries with a headline but no text are rejected unless
    ``headline_only``: then they come back without paragraphs, for the caller to fetch the page."""
    if not data.strip():
        raise ExtractError(f"empty body ({len(data)} bytes)")
    text, _ = decode_markup(data, headers)
    # Hand feedparser UTF-8 whose declaration agrees, so it does not second-guess our decoding;
    # and a stream, because feedparser.parse(bytes) opens the bytes as a file name if it can.
    utf8 = _XML_DECLARATION.sub(r'\1"utf-8"', text, count=1).encode("utf-8")
    # No base URL for feedparser: it would resolve relative <guid>s too, making ids depend on
    # where the feed was read from; links are resolved below instead.
    parsed = feedparser.parse(io.BytesIO(utf8), response_headers={"content-type": "application/xml; charset=utf-8"})
    result = FeedExtract(title=plain_text(parsed.feed.get("title", "")) or None)
    problem = _describe_bozo(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.entries:
        if _HTML_START.match(text[:4096]):
            raise ExtractError(_not_a_feed_reason(text, url))
        if not text.lstrip().startswith("<"):  # JSON, plain text, an error message...
            raise ExtractError(f"not a feed: not XML (starts with {text.lstrip()[:24]!r})")
        if problem:
            raise ExtractError(problem)
        if not parsed.get("version"):
            raise ExtractError("not a feed: no RSS or Atom root element")
        return result  # a well-formed feed with no items: nothing new, not an error
    if problem:
        result.warnings.append(f"feed is not well-formed ({problem}); kept {len(parsed.entries)} entries")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            result.articles.append(
                _entry_article(entry, source=source, base=url, fetched_at=fetched_at, headline_only=headline_only)
            )
        except ExtractError as error:
            label = entry.get("id") or entry.get("link") or plain_text(entry.get("title", ""))[:60]
            result.rejected.append(f"entry {number}{f' ({label})' if label else ''}: {error}")
    return result


def _not_a_feed_reason(text: str, url: str | None) -> str:
    link = _FEED_LINK.search(text[:200_000])
    href = re.search(r"""href=["']([^"']+)["']""", link.group(0)) if link else None
    if href:
        return f"not a feed: got HTML (the page names a feed: {urljoin(url or '', htmllib.unescape(href.group(1)))})"
    return "not a feed: got HTML"


def _describe_bozo(error: BaseException | None) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        return f"XML error at line {error.getLineNumber()}: {error.getMessage()}"
    return (clean_text(str(error)) or type(error).__name__) if error is not None else "not well-formed"


def _entry_article(
    entry: Mapping[str, Any], *, source: SourceConfig, base: str | None, fetched_at: dt.datetime, headline_only: bool
) -> Article:
    draft = Draft()
    draft.put("headline", plain_text(entry.get("title", "")), "feed")
    content = "\n".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
    summary = markup_paragraphs(entry.get("summary") or "")
    full = markup_paragraphs(content) if content else []
    if full and chars(full) >= chars(summary):  # Atom copies content into summary
        draft.put("body", full, "feed")
        if summary and not is_lead_of(" ".join(summary), full):
            draft.put("subtitle", " ".join(summary), "feed")
    else:  # only a summary, or nothing: the page may have more
        draft.provenance["body"] = "feed:summary"
        draft.body = summary or full
    terms = (plain_text(t.get("term") or t.get("label") or "") for t in entry.get("tags", []))
    draft.put("section", next((t for t in terms if t), None), "feed")
    published = struct_to_datetime(entry.get("published_parsed")) or struct_to_datetime(entry.get("updated_parsed"))
    draft.put("published_at", published, "feed")
    # The publisher's own link beats a tracking redirect (FeedBurner's origLink, then the link).
    url = urljoin(base or "", (entry.get("feedburner_origlink") or entry.get("link") or "").strip()) or None
    guid = (entry.get("id") or "").strip() or url
    if guid is None and draft.headline:
        # Neither id nor link: a stable stand-in from what identifies the item to a reader.
        stamp = published.isoformat() if published else ""
        guid = "sha1:" + hashlib.sha1(f"{source.name}\n{draft.headline}\n{stamp}".encode()).hexdigest()
    if draft.headline and not draft.body and not (headline_only and url):
        raise ExtractError("no text (neither content nor summary)")
    return build_article(draft, source=source, url=url, url_origin="feed", guid=guid, fetched_at=fetched_at)


