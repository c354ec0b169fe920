"""IPTC 7901 (dpa, ATS, APA) and the plain-text wire layouts built on it: SOH, the header line
(source and number, priority 1-6, category, word count, keyword: ``dpa0412 2 pol 180
Mirasee-Damm``), STX, the head block, the text, ETX, a trailer (``061230 Mär 26``), EOT.

The head block runs to the line that ends in " =" (or to the first blank line): in dpa's
layouts a keyword line (``Yemen/conflict/``), take lines in capitals (``REFILE``, ``1ST LEAD``),
the headline and a byline (``By dpa correspondents``). The text ends before dpa's notebook
(``# Notebook``, ``* * * *``), the desk's sign-off (``dpa al rmo``), the transmission time
(``212322 GMT Nov 18``) and copyright lines."""

from __future__ import annotations

import re

from wirewatch.sources.formats import editorial
from wirewatch.sources.formats.envelope import indented_paragraphs, open_envelopes, strip_marker
from wirewatch.sources.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta

HEADER_LINE = re.compile(
    r"^\s*(?P<source>[A-Za-z]{1,6})\s?(?P<number>\d{1,5})\s+(?P<priority>[1-6])\s+(?P<category>[A-Za-z]{1,3})\b\s*(?P<words>\d+)?\s*(?P<keyword>.*)$"
)
HEAD_BLOCK_LINES = 8
_DESK_SIGNATURE = re.compile(r"^[a-z]{2,5}(?: [a-z0-9/]{1,8}){1,6}$")  # "dpa mir yyzz n1"
_SENT_AT = re.compile(r"^\d{4,6}\s+(?:GMT|UTC|MEZ|MESZ|CET|CEST)?\s*\w{3}\.?\s+\d{1,2}$")  # "212322 GMT Nov 18"
_COPYRIGHT = re.compile(r"^(?:\(c\)|©|copyright\b)", re.I)
_NOTEBOOK = re.compile(r"^(?:#+\s*(?:Notebook|Notizblock|Notes?|Hinweise?)\b|\*(?:\s*\*){2,}\s*$)", re.I)
_KEYWORDS = re.compile(r"^[^/]+(?:/[^/]*)*/\s*$|^[^\s/]+(?:/[^\s/]+)+$")  # "Yemen/conflict/", "American Football/NFL/"
_TAKE = re.compile(r"^[^a-z]*[A-Z][^a-z]*$|^\(.*\)$")  # in capitals: "REFILE", "1ST LEAD"; a note: "(Achtung)"
_LEAD = re.compile(r"(\d+)\s*(?:ST|ND|RD|TH)\s+(?:LEAD|LD)\b|\b(\d+)\.\s*(?:Zusammenfassung|Neufassung)", re.I)


def is_header_line(line: str) -> bool:
    found = HEADER_LINE.match(line)
    return found is not None and found.group("words") is not None


def read(data: bytes) -> list[ParsedItem]:
    envelopes = open_envelopes(data, is_header_line)
    if not envelopes:
        raise FormatError("IPTC 7901: no message")
    return [_item(envelope.header, envelope.text) for envelope in envelopes]


def _item(header_lines: list[str], text: list[str]) -> ParsedItem:
    header = next((m for m in map(HEADER_LINE.match, header_lines) if m), None)
    lines = list(text)
    while lines and not lines[0].strip():
        lines.pop(0)
    keyword = header.group("keyword").strip() if header else ""
    if keyword and lines and strip_marker(lines[0]) == keyword:
        lines.pop(0)  # the keyword repeated as the first line of the text
    block = _head_block(lines)
    del lines[: len(block)]
    byline = None
    heads = [line.strip() for line in block]
    if heads:
        heads[-1] = strip_marker(heads[-1])
    heads = [h for h in heads if h]
    if len(heads) > 1 and heads[-1].startswith("By "):
        byline = heads.pop()
    slug_words = [h for h in heads[:-1] if _KEYWORDS.match(h)]
    takes = [h for h in heads[:-1] if h not in slug_words and _TAKE.match(h)]
    headline = " ".join(h for h in heads if h not in slug_words and h not in takes)
    paragraphs = _text(lines)
    if not headline and not paragraphs:
        raise FormatError("IPTC 7901 item without a headline")
    headline, prefix = editorial.headline_take(headline)
    take = " ".join(takes + ([prefix] if prefix else [])) or None
    urgency = int(header.group("priority")) if header else None
    lead = _LEAD.search(take or "")
    meta = WireMeta(
        format="iptc-7901",
        version=int(lead.group(1) or lead.group(2)) + 1 if lead else 1,
        urgency=urgency,
        priority=urgency,
        slugline=(slug_words[0].rstrip("/ ") if slug_words else keyword) or None,
        byline=byline,
        take_key=take,
        subjects=(header.group("category"),) if header else (),
        correction=editorial.is_correction(take, keyword),
        kill=editorial.is_kill(take, keyword),
    )
    return ParsedItem(headline, tuple(paragraphs), meta)


def _head_block(lines: list[str]) -> list[str]:
    """The head lines: up to the first line ending in "=" when one comes before the first
    blank line (within a few lines), else the lines before the first blank line."""
    block: list[str] = []
    for line in lines[:HEAD_BLOCK_LINES]:
        if not line.strip():
            break
        block.append(line)
        if line.rstrip().endswith("="):
            return block
    return block


def _text(lines: list[str]) -> list[str]:
    body = []
    for line in lines:
        if _NOTEBOOK.match(line.strip()):
            break
        body.append(line)
    paragraphs = [p for p in indented_paragraphs(body) if p.strip("= ")]
    while paragraphs and (_DESK_SIGNATURE.match(paragraphs[-1]) or _SENT_AT.match(paragraphs[-1]) or _COPYRIGHT.match(paragraphs[-1])):
        paragraphs.pop()
    return paragraphs
