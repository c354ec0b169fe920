"""ANPA-1312 (AP, Kyodo, AAP): per message SYN SYN SOH, a service line (service level, sequence
number, a US and the format id: ``z6715\\x1f-----``), the keyword line (priority, category code,
the format's control pair, selector and keyword slug, take/version, date, word count:
``r z\\x13\\x11 BC-BKN--Heat-Hawks 1stLd-Writethru   02-20 0500``), STX, the text (AP marks head
lines ``^...<`` and bylines ``...=``, indents paragraphs with a tab), ETX, a trailer
(``AP-WF-02-20-16 0337GMT``), EOT. The takes of one story (messages with the same slug) are
joined into one item."""

from __future__ import annotations

import re

from wirewatch.sources.formats import editorial
from wirewatch.sources.formats.envelope import Envelope, indented_paragraphs, open_envelopes, strip_marker
from wirewatch.sources.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta

MAX_KEYWORD_LINE = 200
# priority, category (one or two letters), the slug (selector "BC-" etc. kept in it), the take
# or version words, the date "02-20" and the word count (sometimes left empty)
KEYWORD_LINE = re.compile(
    r"^(?P<priority>[a-z])\s(?P<category>[a-z]{1,2})\s?(?P<slug>[A-Za-z][^\s]*-[^\s]*)(?:\s+(?P<take>.*?))??\s+(?P<date>\d\d?-\d\d?)(?:\s+(?P<words>\d{1,5}))?\s*$"
)
URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5, "d": 6, "z": 5}  # flash, bulletin, urgent, routine, deferred; AP's "z" is ordinary
_LEAD = re.compile(r"(\d+)\s*(?:st|nd|rd|th)\s*(?:Ld|Lead)", re.I)
_NOT_TEXT = re.compile(r"^(?:AP Photos?|AP Video|AP Graphic|With (?:AP )?Photos?)\b", re.I)
_EDNOTE = re.compile(r"^\(?(?:Eds?[:.]|EDS:|Editors:|EDITOR'S NOTE\s*[_:-]?)\s*", re.I)
_END_MARK = re.compile(r"^=+\s*\w*\s*$")  # "==Kyodo"
_TRAILER = re.compile(r"^[A-Z]{2,}(?:-[A-Z]{2,})?-\d\d-\d\d-\d\d \d{4}\s*GMT<?$")  # "AP-WF-08-29-16 1626GMT"
_MORE = re.compile(r"^\(?MORE\)?$")
_SLUG_HEAD = re.compile(r"^[A-Za-z]{2}-[A-Za-z]{2,}--")  # "BC-US--": the keyword line repeated in the text


def is_keyword_line(line: str) -> bool:
    return len(line) <= MAX_KEYWORD_LINE and KEYWORD_LINE.match(line.strip()) is not None


def read(data: bytes) -> list[ParsedItem]:
    envelopes = open_envelopes(data, is_keyword_line)
    stories: dict[str | None, list[Envelope]] = {}
    for envelope in envelopes:
        stories.setdefault(_slug(envelope), []).append(envelope)
    items = [_story(takes) for takes in stories.values()]
    if not items:
        raise FormatError("ANPA-1312: no message")
    return items


def _keyword(envelope: Envelope) -> re.Match[str] | None:
    return next((m for m in (KEYWORD_LINE.match(line.strip()) for line in envelope.header if len(line) <= MAX_KEYWORD_LINE) if m), None)


def _slug(envelope: Envelope) -> str | None:
    keyword = _keyword(envelope)
    return keyword.group("slug") if keyword else None


def _is_repeat(text: str, slug: str | None) -> bool:
    """A text line that repeats the keyword line: "BC-US--Giant Lobster Death, 1st Ld-Writethru,127"."""
    name = text.split(",")[0].replace(" ", "")
    if slug and (name == slug or name.startswith(slug)):  # the keyword field cuts long slugs short
        return True
    head = _SLUG_HEAD.match(text)
    return bool(head and slug and slug.startswith(head.group(0)))


def _story(takes: list[Envelope]) -> ParsedItem:
    keyword = _keyword(takes[0])
    slug = keyword.group("slug") if keyword else None
    take = (keyword.group("take") or "").strip() or None if keyword else None
    headline = subtitle = byline = ednote = None
    paragraphs: list[str] = []
    for n, envelope in enumerate(takes):
        marked, text = _split_head(envelope.text, slug)
        after_byline = False
        for line in marked:
            value = strip_marker(line)
            if not value or _NOT_TEXT.match(value) or _is_repeat(value, slug):
                continue
            # "^Associated Press=" after the byline is its title; "^AMERICAN LEAGUE=" is a table's head
            title, after_byline = after_byline and line.rstrip().endswith("=") and not value.isupper(), False
            if _EDNOTE.match(value):
                note = _EDNOTE.sub("", value).strip()
                ednote = ednote or (note[:-1] if value.startswith("(") and note.endswith(")") else note) or None
            elif n > 0:
                continue  # a later take repeats the story's head lines
            elif headline is None:
                headline = value
            elif value.startswith("By "):
                byline, after_byline = (f"{byline}, {value}" if byline else value), True
            elif title:
                byline = f"{byline}, {value}"  # "^Example Press Writer=": the byline's title
            elif not line.rstrip().endswith(("<", "=")):
                paragraphs.append(value)  # a head line ends in "<" or "="; an unmarked "^" line is text (a list)
            elif subtitle is None:
                subtitle = value
            else:
                paragraphs.append(value)
        found = indented_paragraphs(text)
        while found and (_TRAILER.match(found[-1]) or _END_MARK.match(found[-1]) or _MORE.match(found[-1])):
            found.pop()  # the take's end: "MORE" (another take follows), the transmission trailer
        paragraphs.extend(found)
    if not headline and not paragraphs:
        raise FormatError("ANPA-1312 item without a headline")
    headline = headline or ""
    priority = keyword.group("priority") if keyword else None
    lead = _LEAD.search(take or "")
    meta = WireMeta(
        format="anpa-1312",
        version=int(lead.group(1)) + 1 if lead else 1,
        urgency=URGENCY.get(priority or ""),
        priority=URGENCY.get(priority or ""),
        slugline=slug,
        byline=byline,
        take_key=take,
        subjects=(keyword.group("category"),) if keyword else (),
        ednote=ednote,
        correction=editorial.is_correction(take, ednote),
        kill=editorial.is_kill(take, ednote, headline.split(" ", 1)[0]),
    )
    guid = f"{slug} {keyword.group('date')}" if keyword and slug else None
    return ParsedItem(headline, tuple(paragraphs), meta, guid=guid, subtitle=subtitle)


def _split_head(lines: list[str], slug: str | None) -> tuple[list[str], list[str]]:
    """The head lines of a take (AP's ``^`` lines, or the unmarked lines before the first
    indented paragraph) and the rest."""
    lines = [line for line in lines if not _END_MARK.match(line.strip())]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and (not lines[0].strip() or (not lines[0].startswith("^") and _is_repeat(strip_marker(lines[0]), slug))):
        lines.pop(0)  # the keyword line repeated, unmarked, at the top of the text
    marked = []
    while lines and (lines[0].startswith("^") or (not marked and lines[0].strip() and not lines[0][:1].isspace())):
        line = lines.pop(0)
        # "^*9006< ^AP-Top-Entertainment-Headlines,0176<": several head lines in one; a typesetting
        # code without a letter ("*9006") is no text
        marked.extend(part for part in (f"^{p}" if n else p for n, p in enumerate(line.split(" ^"))) if any(c.isalpha() for c in part))
    return marked, lines
