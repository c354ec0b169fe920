"""Which wire format bytes are in, from their content alone (never the file name): the XML root
element, the control bytes of the ANPA-1312 and IPTC 7901 envelopes, or a JSON API's keys."""

from __future__ import annotations

import json
import re

from wirewatch.sources.formats import anpa, iim, iptc7901
from wirewatch.sources.formats.envelope import without_controls

SNIFF_BYTES = 4096
_SOH, _STX = b"\x01", b"\x02"
_XML_PROLOGUE = re.compile(rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)", re.S)
# "u s\x14\x12 BC-Soccer..." / "r z\x13\x11 BC-BKN...": priority, category, then the slug line
_ANPA_SLUG = re.compile(rb"\n[a-z] [a-z]{1,2}[\x10-\x1f]{0,4} ?[A-Za-z][\w'&.-]*-")
# "\x01dpa0123 4 pol 350 Keyword": source and number, priority digit, category, word count
_IPTC7901_HEADER = re.compile(rb"\x01\s*[A-Za-z]{1,6}\s?\d{1,5}\s+[1-6]\s+[A-Za-z]{1,3}\b")
_XML_ROOTS = {"newsMessage": "newsml-g2", "newsItem": "newsml-g2", "packageItem": "newsml-g2", "NewsML": "newsml-1.2",
              "nitf": "nitf"}  # fmt: skip
PLAIN_HEADER_LINES = 8  # a copy without control bytes: its header line is among the first lines


def detect_format(data: bytes) -> str | None:
    """``newsml-g2``, ``newsml-1.2``, ``nitf``, ``anpa-1312``, ``iptc-7901``, ``json``,
    ``iptc-iim`` (a JPEG picture with an IIM record) or None."""
    if data.startswith(iim.SOI):
        return "iptc-iim" if iim.is_iim_picture(data) else None
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    if b"\x00" in head:
        return None  # binary: no text format has NUL bytes
    start = head.lstrip()
    if start.startswith(b"<"):
        root = _XML_PROLOGUE.match(start)
        return _XML_ROOTS.get(root.group(1).decode("ascii")) if root else None
    if _SOH in head[:16]:
        if _IPTC7901_HEADER.search(head[:200]):
            return "iptc-7901"
        if _STX in head or _ANPA_SLUG.search(head[:400]):
            return "anpa-1312"
    if start.startswith(b"{") and is_wire_json(data):
        return "json"
    return _plain_wire(head)


def _plain_wire(head: bytes) -> str | None:
    """ANPA-1312 or IPTC 7901 whose control bytes were dropped on the way: the first lines hold
    an IPTC 7901 header line or an ANPA keyword line (service line, priority, category, slug,
    date, word count)."""
    if b"\x00" in head:
        return None
    text = head.decode("latin-1")
    lines = [without_controls(line).strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line][:PLAIN_HEADER_LINES]
    if lines and iptc7901.is_header_line(lines[0]) and len(lines) > 1:
        return "iptc-7901"
    if any(anpa.is_keyword_line(line) for line in lines[:3]):
        return "anpa-1312"
    return None


def is_wire_json(data: bytes) -> bool:
    """A JSON object shaped as an AP Media API or Reuters Connect item (or a list of them)."""
    try:
        document = json.loads(data)
    except ValueError:
        return False
    return bool(json_items(document))


def json_items(document: object) -> list[dict]:
    """The item objects of an AP or Reuters JSON document: ``data.item``, ``data.items``,
    ``item``, ``items`` or the object itself, kept when it has an item's keys."""
    if not isinstance(document, dict):
        return []
    data = document.get("data", document)
    if not isinstance(data, dict):
        return []
    candidates = data.get("items") or data.get("item") or document.get("item") or data
    if isinstance(candidates, dict):
        candidates = [candidates]
    if not isinstance(candidates, list):
        return []
    return [c for c in candidates if isinstance(c, dict) and _looks_like_item(c)]


def _looks_like_item(item: dict) -> bool:
    keys = {k.lower() for k in item}
    return bool(keys & {"headline", "headline_extended"}) and bool(keys & {"altids", "itemid", "guid", "uri", "versionedguid", "version"})
