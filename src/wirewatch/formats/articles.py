"""Wire-format items as the Articles every other input becomes: the dateline split off the first
paragraph by the codec, the format's metadata kept alongside."""

from __future__ import annotations

import datetime as dt

from wirewatch import codec
from wirewatch.formats.record import FormatError, ParsedItem
from wirewatch.model import Article


def wire_articles(
    items: list[ParsedItem | FormatError], *, source: str, fetched_at: dt.datetime, fallback_guid: str,
    lang: str | None = None,
) -> list[Article]:
    """The readable items of one wire-format document (a file, an HTTP response); ``fallback_guid``
    (the file, the URL) stands in for the id of an item without one (the n-th of several gets
    ``#n``)."""
    return [
        to_article(item, source=source, fetched_at=fetched_at, lang=lang,
                   fallback_guid=fallback_guid if len(items) == 1 else f"{fallback_guid}#{n}")
        for n, item in enumerate(items, 1)
        if isinstance(item, ParsedItem)
    ]  # fmt: skip


def to_article(parsed: ParsedItem, *, source: str, fetched_at: dt.datetime, fallback_guid: str, lang: str | None = None) -> Article:
    """``parsed`` as an Article of ``source``; ``fallback_guid`` (the file) when the item has no
    id of its own."""
    item = codec.make_item(
        section=parsed.section or "All news",
        headline=parsed.headline,
        subtitle=parsed.subtitle,
        paragraphs=parsed.paragraphs,
        published=parsed.published_at,
        fetched=fetched_at,
    )
    return Article(
        item=item,
        source=source,
        guid=parsed.guid or fallback_guid,
        published_at=parsed.published_at,
        fetched_at=fetched_at,
        lang=lang or _short_lang(parsed.lang) or codec.item_lang(item),
        provenance={"item": f"file:{parsed.meta.format}"},
        wire=parsed.meta,
    )


def _short_lang(tag: str | None) -> str | None:
    """"en-US" -> "en": the archive keeps the language, not the region."""
    return tag.split("-", 1)[0].lower() if tag else None
