"""Wire-format items as the Articles every other input becomes: the story's paragraphs (without
separators, front matter and trailers), the dateline split off the first paragraph by the codec
or taken from the format's own fields, the language declared or detected, the format's metadata
and the item's kind kept alongside."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from wirewatch.wire import codec
from wirewatch.wire.dateline import split_dateline
from wirewatch.sources.formats.record import FormatError, ParsedItem
from wirewatch.model import Article, Dateline, WireItem


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
    item = _with_dateline(parsed, fetched_at)
    provenance = {"item": f"file:{parsed.meta.format}"}
    if parsed.kind != "text":
        provenance["kind"] = parsed.kind
    return Article(
        item=item,
        source=source,
        guid=parsed.guid or fallback_guid,
        published_at=parsed.published_at,
        fetched_at=fetched_at,
        lang=lang or _short_lang(parsed.lang) or detected_lang(item),
        provenance=provenance,
        wire=parsed.meta,
    )


def _with_dateline(parsed: ParsedItem, fetched_at: dt.datetime) -> WireItem:
    """The item, its dateline split off the first paragraph by the codec. A format that gives
    the dateline in a field of its own: that field put before the first paragraph when the two
    then read as a dateline; else the field (or the format's place) is the dateline as it
    stands, the text left as it is."""

    def made(paragraphs: Sequence[str]) -> WireItem:
        return codec.make_item(section=parsed.section or "All news", headline=parsed.headline, subtitle=parsed.subtitle,
                               paragraphs=paragraphs, published=parsed.published_at, fetched=fetched_at)  # fmt: skip

    parsed = replace(parsed, paragraphs=_from_dateline(_story_paragraphs(parsed), parsed, fetched_at))
    item = made(parsed.paragraphs)
    given = parsed.dateline
    if item.dateline is None and parsed.paragraphs and (first := _AGENCY_FIRST.match(parsed.paragraphs[0])):
        # ANSA writes the agency first: "(ANSA) - Rome, October 11 - ": read as "Rome, October 11 (ANSA) -"
        turned = made((f"{first['dateline']} ({first['agency']}) - {first['text']}", *parsed.paragraphs[1:]))
        if turned.dateline is not None and turned.dateline.place:
            return replace(turned, dateline=replace(turned.dateline, raw=parsed.paragraphs[0][: first.start("text")].strip()))
    if item.dateline is None and given and parsed.paragraphs and not parsed.paragraphs[0].startswith(given):
        for glue in (" ", " - "):  # a dateline field is often written without its separator
            joined = made((f"{given}{glue}{parsed.paragraphs[0]}", *parsed.paragraphs[1:]))
            if joined.dateline is not None and joined.dateline.place:
                return joined if glue == " " else replace(joined, dateline=replace(joined.dateline, raw=given, separator=None))
    place = parsed.place or _place_of(given)
    if item.dateline is None and place and parsed.paragraphs:
        # "OTTAWA - A Manitoba man ...": the place the format names, opening the text before a dash
        opened = re.match(rf"(?i)({re.escape(place)}(?:,[^,\n]{{1,40}})?)\s+([-–—]{{1,2}})\s+(?=\S)", parsed.paragraphs[0])
        if opened:
            rest = parsed.paragraphs[0][opened.end():]
            split = made((rest, *parsed.paragraphs[1:]))
            return replace(split, dateline=Dateline(raw=f"{opened.group(1)} {opened.group(2)}", place=opened.group(1).split(",")[0],
                                                    separator=opened.group(2)))  # fmt: skip
    if item.dateline is None and place:
        return replace(item, dateline=Dateline(raw=given or place, place=place))
    if item.dateline is not None and item.dateline.place is None and parsed.place:
        return replace(item, dateline=replace(item.dateline, place=parsed.place))
    return item


_AGENCY_FIRST = re.compile(r"^\((?P<agency>[^()\n]{2,20})\)\s*[-–—]\s*(?P<dateline>[^-–—\n]{2,60}?)\s+[-–—]\s+(?P<text>\S.*)$", re.S)
_END_MARK = re.compile(r"^=+\s*\w*\s*$")
_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)", re.I)
MAX_FRONT_MATTER = 8
MAX_NOTE_WORDS = 20
# what agencies put before the dateline: notes "(Adds comments, detail)", highlights "* ...", a byline
_FRONT_MATTER = re.compile(r"^(?:\(.*\)|[*•·\-–]\s.*|By\s.*)$", re.S)


def _story_paragraphs(parsed: ParsedItem) -> tuple[str, ...]:
    """The paragraphs without separators ("***"), a first one that repeats the headline and the
    trailers that close the text ("==Kyodo", "© ANA-MPE ...")."""
    texts = [p for p in parsed.paragraphs if any(c.isalnum() for c in p)]
    if texts and parsed.headline and texts[0] == parsed.headline:
        texts.pop(0)
    while texts and (_END_MARK.match(texts[-1]) or _COPYRIGHT.match(texts[-1])):
        texts.pop()
    return tuple(texts)


def _from_dateline(paragraphs: tuple[str, ...], parsed: ParsedItem, fetched_at: dt.datetime) -> tuple[str, ...]:
    """The story from its dateline on, when the dateline opens a later paragraph and everything
    before it is front matter (editors' notes in parentheses or of a few words, highlights, a
    byline): agencies put the dateline on the story's first paragraph."""
    for n, paragraph in enumerate(paragraphs[: MAX_FRONT_MATTER + 1]):
        if n and split_dateline(paragraph, published=parsed.published_at, fetched=fetched_at)[0] is not None:
            return paragraphs[n:]
        if not (_FRONT_MATTER.match(paragraph) or len(paragraph.split()) <= MAX_NOTE_WORDS):
            break
    return paragraphs


_REGION_CODE = re.compile(r"^(.*[a-z].*?)\s+[A-Z]{2}$")


def _place_of(dateline: str | None) -> str | None:
    """"CHATHAM, Mass." -> "CHATHAM", "Landquart GR" -> "Landquart"; a dateline field that holds a
    date names no place."""
    place = dateline.split(",")[0].strip() if dateline else None
    if not place or any(c.isdigit() for c in place):
        return None
    coded = _REGION_CODE.match(place)  # "Landquart GR": the place and its canton's or state's code
    return coded.group(1) if coded else place


MIN_DETECTED_CHARS = 40  # shorter texts are left to the codec's script test
MIN_CONFIDENCE = 0.8


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # its model loads in seconds: only when needed

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detected_lang(item: WireItem) -> str:
    """The language of an item whose format does not declare one, from its text (py3langid),
    else the codec's script test."""
    text = " ".join((item.headline, *item.paragraphs[:3]))
    if len(text) >= MIN_DETECTED_CHARS:
        found, confidence = _identifier().classify(text)
        if confidence >= MIN_CONFIDENCE:
            return str(found)
    return codec.item_lang(item)


def _short_lang(tag: str | None) -> str | None:
    """"en-US" -> "en": the archive keeps the language, not the region."""
    return tag.split("-", 1)[0].lower() if tag else None
