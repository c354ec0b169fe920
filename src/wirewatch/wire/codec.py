"""The wire-format codec: ``parse(text) -> WireItem`` and ``render(item) -> str``.

The format (seeds/README.md is its reference) is UTF-8 text in blocks separated by one blank line:
section, headline, optional subtitle, then body paragraphs, the first opening with a dateline.
``render(parse(t)) == normalize_text(t)`` for every well-formed document and
``parse(render(item)) == item`` for every item.
"""

from __future__ import annotations

import functools
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Sequence
from itertools import filterfalse
from typing import Any

from wirewatch.wire.dateline import split_dateline
from wirewatch.errors import CodecError
from wirewatch.model import Dateline, WireItem

# Larger inputs are not wire items; refusing them keeps a stray 100 MB file from eating memory.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# How far into a text NUL characters mark it as binary data.
BINARY_SNIFF_CHARS = 1024
# Invisible characters real wire text carries by the thousand (Reuters: U+200B, U+200C, U+2060).
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_TRAILING = " \t\u00a0"  # trimmed from line ends
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n\s*")
# Written before the subtitle of a document that has no dateline, so that it is not read back as
# the first body paragraph (with a dateline, the dateline marks where the body starts).
SUBTITLE_MARK = "> "
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def normalize_text(text: str) -> str:
    """NFC; CRLF and CR to LF; invisible characters removed; trailing spaces trimmed; leading and
    trailing blank lines removed. Typographic quotes and dashes are kept."""
    text = _normalize_chars(text)
    # Tabs and no-break spaces are rare and single characters are found fastest; only " \n"
    # needs a substring search.
    if " \n" in text or "\t" in text or "\u00a0" in text or text.endswith(" "):
        text = "\n".join(line.rstrip(_TRAILING) for line in text.split("\n"))
    return text.strip("\n")


def _normalize_chars(text: str) -> str:
    """The character-level part of ``normalize_text``: NFC, LF line ends, no invisibles."""
    text = _lf_line_ends(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Substring tests first: they are ten times faster than a regex pass over clean text.
    if any(map(text.__contains__, _INVISIBLE_CHARS)):
        text = _INVISIBLE.sub("", text)
    return text


def _lf_line_ends(text: str) -> str:
    """CRLF and CR as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _normalized_lines(text: str) -> tuple[str, list[str]]:
    """``_normalize_chars(text)`` and its lines. Only lines with a character beyond ASCII can be
    other than NFC or hold an invisible character, and ``str.isascii`` knows without a pass, so
    only those lines are checked (news text has about half its lines in plain ASCII)."""
    text = _lf_line_ends(text)
    lines = text.split("\n")
    if not text.isascii():
        # NFC works line by line: a line feed never composes with what follows it
        beyond_ascii = "\n".join(filterfalse(str.isascii, lines))
        if not unicodedata.is_normalized("NFC", beyond_ascii) or any(
            map(beyond_ascii.__contains__, _INVISIBLE_CHARS)
        ):
            text = _normalize_chars(text)
            lines = text.split("\n")
    return text, lines


def _blocks(lines: list[str]) -> list[str]:
    """The blocks of ``normalize_text`` given the lines of ``_normalize_chars``' text, each
    stripped, empty ones dropped, without building the normalised text: one split into lines
    instead of a search for trailing spaces and a split into blocks (each pass over a long text
    costs about as much as the whole dateline)."""
    if all(lines[::2]) and not any(lines[1::2]):
        # the common shape: one line per block, one blank line between blocks
        return [block for block in map(str.strip, lines[::2]) if block]
    blocks: list[str] = []
    block_lines: list[str] = []
    for line in lines:
        if line and line[-1] in _TRAILING:
            line = line.rstrip(_TRAILING)
        if line:
            block_lines.append(line)
        elif block_lines:
            blocks.append("\n".join(block_lines))
            block_lines = []
    if block_lines:
        blocks.append("\n".join(block_lines))
    return [b for b in (block.strip() for block in blocks) if b]


def mostly_cyrillic(text: str) -> bool:
    """Whether Cyrillic letters outnumber Latin ones (the script, not the language)."""
    if text.isascii() or not _CYRILLIC.search(text):  # the common case, without counting
        return False
    return len(_CYRILLIC.findall(text)) > len(_LATIN.findall(text))


LANG_SAMPLE_CHARS = 600  # enough text to tell a language by; bounds the cost of a long article
LANG_MIN_CONFIDENCE = 0.5  # below it (a headline, a line of text) the language is left unknown


@functools.cache
def _language_identifier() -> Any:
    """py3langid's model (97 languages; it ships in the wheel, nothing is downloaded), loaded
    once per process, with probabilities normalised so that a weak guess can be told. None when
    it cannot be loaded: py3langid unpacks it through a temporary file, which a full disk
    refuses, and languages are then unknown rather than every input unreadable."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    except OSError:
        return None


def detect_lang(text: str) -> str | None:
    """The ISO 639-1 code of the text's language ("en", "ru", "zh", "it", ...), or None when the
    text is too short or too mixed to tell."""
    sample = text[:LANG_SAMPLE_CHARS]
    if not sample.strip():
        return None
    identifier = _language_identifier()
    if identifier is None:
        return None
    lang, confidence = identifier.classify(sample)
    return lang if confidence >= LANG_MIN_CONFIDENCE else None


def item_lang(item: WireItem) -> str | None:
    return detect_lang(" ".join((item.headline, item.subtitle or "", *item.paragraphs[:3])))


def parse(
    text: str,
    *,
    published: dt.datetime | None = None,
    fetched: dt.datetime | None = None,
) -> WireItem:
    """Parse wire-format text. ``published`` and ``fetched`` are evidence for the dateline's year."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise CodecError(f"too large: {len(text):,} characters (limit {MAX_DOCUMENT_BYTES:,})")
    # Binary data shows NULs in its first bytes (git and file(1) look there too); a whole-text
    # search costs a tenth of parse on text with characters beyond Latin-1.
    if text.find("\x00", 0, BINARY_SNIFF_CHARS) != -1:
        raise CodecError("binary data (NUL characters), not a wire document")
    # Trailing spaces and blank lines do not change what a year mentioned anywhere is, so the
    # character-level normalisation is all the evidence text needs.
    context, lines = _normalized_lines(text)
    blocks = _blocks(lines)
    if not blocks:
        raise CodecError("empty document")
    if len(blocks) < 2:
        raise CodecError("no headline: expected a section line, a blank line, then the headline")
    section, headline, rest = blocks[0], blocks[1], blocks[2:]
    if "\n" in section or len(section) > 80:
        raise CodecError("no section line: the first block must be one short line such as 'All news'")
    for start in (0, 1):  # the dateline opens block 3 (no subtitle) or block 4 (after the subtitle)
        if start >= len(rest):
            break
        dateline, first = split_dateline(rest[start], published=published, fetched=fetched, context=context)
        if dateline is not None:
            subtitle = rest[0] if start == 1 else None
            return WireItem(section, headline, subtitle, dateline, (first, *rest[start + 1 :]))
    if rest and rest[0].startswith(SUBTITLE_MARK):
        return WireItem(section, headline, rest[0][len(SUBTITLE_MARK) :], None, tuple(rest[1:]))
    return WireItem(section, headline, None, None, tuple(rest))


def render(item: WireItem) -> str:
    """The item as wire-format text (no trailing newline, like the seed)."""
    blocks = [item.section, item.headline]
    paragraphs = list(item.paragraphs)
    if item.subtitle is not None:
        blocks.append(item.subtitle if item.dateline else SUBTITLE_MARK + item.subtitle)
    if item.dateline is not None:
        first = paragraphs.pop(0) if paragraphs else ""
        blocks.append(f"{item.dateline.raw} {first}" if first else item.dateline.raw)
    blocks.extend(paragraphs)
    return "\n\n".join(blocks)


def make_item(
    *,
    section: str,
    headline: str,
    subtitle: str | None,
    paragraphs: Sequence[str],
    published: dt.datetime | None = None,
    fetched: dt.datetime | None = None,
) -> WireItem:
    """Build a normalised item from extracted parts, splitting the dateline off the first
    paragraph. Blank paragraphs are dropped, and so is a subtitle that only repeats the start of
    the first paragraph (feeds often send the lead as both)."""

    def one_block(text: str) -> str:
        return _BLOCK_BREAK.sub("\n", normalize_text(text)).strip()

    body = [p for p in (one_block(p) for p in paragraphs) if p]
    subtitle_text = one_block(subtitle) if subtitle else None
    if subtitle_text and body and body[0].startswith(subtitle_text):
        subtitle_text = None
    dateline = None
    if body:
        context = "\n".join(body)
        dateline, first = split_dateline(body[0], published=published, fetched=fetched, context=context)
        if dateline is not None:
            body[0] = first
            if not first:
                body.pop(0)
    return WireItem(
        section=one_block(section).replace("\n", " ") or "All news",
        headline=one_block(headline).replace("\n", " "),
        subtitle=subtitle_text or None,
        dateline=dateline,
        paragraphs=tuple(body),
    )


def item_to_json(item: WireItem) -> dict[str, Any]:
    """The JSON object of ``wirewatch parse`` (one per line)."""
    dateline = item.dateline
    return {
        "section": item.section,
        "headline": item.headline,
        "subtitle": item.subtitle,
        "dateline": None
        if dateline is None
        else {
            "raw": dateline.raw,
            "place": dateline.place,
            "region": dateline.region,
            "date_text": dateline.date_text,
            "date": dateline.date.isoformat() if dateline.date else None,
            "date_source": dateline.date_source,
            "agency": dateline.agency,
            "agency_raw": dateline.agency_raw,
            "separator": dateline.separator,
        },
        "paragraphs": list(item.paragraphs),
        "lang": item_lang(item),
    }


def item_from_json(data: Any) -> WireItem:
    """The inverse of ``item_to_json``; raises CodecError naming the field that is wrong."""
    if not isinstance(data, dict):
        raise CodecError("expected a JSON object")

    def text(name: str, *, required: bool, source: dict[str, Any] = data, prefix: str = "") -> str | None:
        value = source.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            raise CodecError(f"{prefix}{name}: expected a non-empty string")
        return value

    paragraphs = data.get("paragraphs", [])
    if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
        raise CodecError("paragraphs: expected a list of strings")
    dateline = None
    raw_dateline = data.get("dateline")
    if raw_dateline is not None:
        if not isinstance(raw_dateline, dict):
            raise CodecError("dateline: expected an object or null")
        fields = {
            name: text(name, required=name == "raw", source=raw_dateline, prefix="dateline.")
            for name in ("raw", "place", "region", "date_text", "date_source", "agency", "agency_raw", "separator")
        }
        date_value = text("date", required=False, source=raw_dateline, prefix="dateline.")
        try:
            date = dt.date.fromisoformat(date_value) if date_value else None
        except ValueError:
            raise CodecError(f"dateline.date: not an ISO date: {date_value!r}") from None
        dateline = Dateline(date=date, **fields)  # type: ignore[arg-type]
    return WireItem(
        section=text("section", required=True) or "",
        headline=text("headline", required=True) or "",
        subtitle=text("subtitle", required=False),
        dateline=dateline,
        paragraphs=tuple(paragraphs),
    )


def decode_document(data: bytes) -> str:
    """Bytes of a wire-format file as text, or CodecError saying what is wrong with them."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CodecError(f"too large: {len(data):,} bytes (limit {MAX_DOCUMENT_BYTES:,})")
    if b"\x00" in data[:8192]:
        raise CodecError("binary file (NUL bytes), not a wire document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CodecError(f"invalid UTF-8 at byte {error.start}") from None


def dumps_item(item: WireItem) -> str:
    return json.dumps(item_to_json(item), ensure_ascii=False)
