"""ANPA-1312 (AP, Kyodo): SOH, a service line, the priority/category/keyword line
(``r z BC-BKN--Heat-Hawks 1stLd-Writethru   02-20 0500``), STX, the text (AP marks headline
lines ``^...<`` and bylines ``...=``), ETX and a trailer."""

from __future__ import annotations

import re

from wirewatch.formats import editorial
from wirewatch.formats.envelope import indented_paragraphs, open_envelope, strip_marker
from wirewatch.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta

_KEYWORD_LINE = re.compile(
    r"^(?P<priority>[a-z]) (?P<category>[a-z]{1,2})[\x00-\x1f]* ?(?P<slug>\S+)(?:\s+(?P<take>.*?))??\s+(?P<date>\d\d-\d\d)\s+(?P<words>\d{3,5})\s*$"
)
MAX_KEYWORD_LINE = 200
URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5, "d": 6}  # flash, bulletin, urgent, routine, deferred
_LEAD = re.compile(r"(\d+)\s*(?:st|nd|rd|th)\s*Ld", re.I)
_NOT_TEXT = re.compile(r"^(?:AP Photos?|AP Video|AP Graphic|With (?:AP )?Photos?)\b", re.I)
_END_MARK = re.compile(r"^=+\s*\w*\s*$")  # "==Kyodo"


def read(data: bytes) -> list[ParsedItem]:
    envelope = open_envelope(data, "ANPA-1312")
    # a keyword line is short; a longer one is not tried (the pattern backtracks over spaces)
    keyword = next((m for m in (_KEYWORD_LINE.match(line.strip("\x16 ")) for line in envelope.header
                                if len(line) <= MAX_KEYWORD_LINE) if m), None)  # fmt: skip
    slug = keyword.group("slug") if keyword else None
    take = (keyword.group("take") or "").strip() or None if keyword else None
    lines = [line for line in envelope.text if not _END_MARK.match(line.strip())]
    while lines and (not lines[0].strip() or strip_marker(lines[0]).split(",")[0].strip() == slug):
        lines.pop(0)  # the keyword line repeated at the top of the text
    headline = subtitle = byline = ednote = None
    marked = []
    while lines and (lines[0].startswith("^") or (headline is None and not lines[0][:1].isspace())):
        marked.append(lines.pop(0))
    for line in marked:
        text = strip_marker(line)
        if not text or _NOT_TEXT.match(text):
            continue
        if headline is None:
            headline = text
        elif text.startswith(("Eds:", "EDS:", "Eds.", "Editors:")):
            ednote = text.split(":", 1)[1].strip() if ":" in text else text
        elif line.rstrip().endswith("=") or text.startswith("By "):
            byline = f"{byline}, {text}" if byline else text
        elif subtitle is None:
            subtitle = text
    if not headline:
        raise FormatError("ANPA-1312 item without a headline")
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
        ednote=ednote,
        correction=editorial.is_correction(take, ednote),
        kill=editorial.is_kill(take, ednote, headline.split(" ", 1)[0]),
    )
    guid = f"{slug} {keyword.group('date')}" if keyword and slug else None
    return [ParsedItem(headline, tuple(indented_paragraphs(lines)), meta, guid=guid, subtitle=subtitle)]
