"""IPTC 7901 (dpa, ATS, APA): SOH, the header line (source and number, priority 1-6, category,
word count, keyword), STX, the headline ending in " =" or a blank line, the text, ETX."""

from __future__ import annotations

import re

from wirewatch.formats import editorial
from wirewatch.formats.envelope import indented_paragraphs, open_envelope, strip_marker
from wirewatch.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta

_HEADER = re.compile(r"^\s*(?P<source>[A-Za-z]{1,6})\s?(?P<number>\d{1,5})\s+(?P<priority>[1-6])\s+(?P<category>[A-Za-z]{1,3})\b\s*(?P<words>\d+)?\s*(?P<keyword>.*)$")


# the desk's sign-off that closes the text: "dpa mir yyzz n1"
_DESK_SIGNATURE = re.compile(r"^[a-z]{2,5}(?: [a-z0-9/]{1,8}){1,6}$")


def read(data: bytes) -> list[ParsedItem]:
    envelope = open_envelope(data, "IPTC 7901")
    header = next((m for m in map(_HEADER.match, envelope.header) if m), None)
    lines = list(envelope.text)
    while lines and not lines[0].strip():
        lines.pop(0)
    keyword = header.group("keyword").strip() if header else ""
    if keyword and lines and strip_marker(lines[0]) == keyword:
        lines.pop(0)  # the keyword repeated as the first line of the text
    headline_lines = []
    while lines and lines[0].strip():
        line = lines.pop(0)
        headline_lines.append(strip_marker(line))
        if line.rstrip().endswith("="):
            break
    headline = " ".join(h for h in headline_lines if h)
    if not headline:
        raise FormatError("IPTC 7901 item without a headline")
    headline, take = editorial.headline_take(headline)
    paragraphs = [p for p in indented_paragraphs(lines) if p.strip("= ")]
    if paragraphs and _DESK_SIGNATURE.match(paragraphs[-1]):
        paragraphs.pop()
    urgency = int(header.group("priority")) if header else None
    meta = WireMeta(
        format="iptc-7901",
        urgency=urgency,
        priority=urgency,
        slugline=keyword or None,
        take_key=take,
        subjects=(header.group("category"),) if header else (),
        correction=editorial.is_correction(take, keyword),
        kill=editorial.is_kill(take, keyword),
    )
    return [ParsedItem(headline, tuple(paragraphs), meta)]
