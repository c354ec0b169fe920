"""IPTC IIM (Information Interchange Model) in a JPEG picture: the APP13 segment ("Photoshop
3.0") holds image resource blocks (``8BIM``); resource 0x0404 is the IIM record, a run of
datasets (0x1C, record number, dataset number, length, data). Read as a picture item: the
headline (2:105, else the object name 2:05), the caption (2:120) as its body, the city (2:90),
the language (2:135), the urgency (2:10), the byline (2:80), the date created (2:55). Record 1
dataset 90 says the character set (ESC % G: UTF-8; else Latin-1)."""

from __future__ import annotations

import datetime as dt
import struct

from wirewatch.sources.formats import editorial
from wirewatch.sources.formats.record import FormatError, ParsedItem
from wirewatch.model import WireMeta

SOI, APP13 = b"\xff\xd8", 0xED
PHOTOSHOP = b"Photoshop 3.0\x00"
IIM_RESOURCE = 0x0404
MAX_SEGMENTS = 64  # a JPEG's metadata segments come first; the scan stops at the image data
UTF8_MARK = b"\x1b%G"


def is_iim_picture(data: bytes) -> bool:
    return data.startswith(SOI) and _iim_record(data) is not None


def read(data: bytes) -> list[ParsedItem]:
    record = _iim_record(data)
    if record is None:
        raise FormatError("IPTC IIM: no IIM record in the picture")
    fields = _datasets(record)
    encoding = "utf-8" if fields.get((1, 90), [b""])[0].startswith(UTF8_MARK) else "latin-1"

    def text(number: int) -> str | None:
        values = fields.get((2, number))
        value = values[0].decode(encoding, errors="replace").strip() if values else ""
        return " ".join(value.split()) or None

    caption = text(120)
    headline = text(105) or text(5)
    if not headline and not caption:
        raise FormatError("IPTC IIM picture without a headline or caption")
    meta = WireMeta(format="iptc-iim", urgency=editorial.number(text(10)), byline=text(80), slugline=text(5),
                    ednote=text(40), subjects=tuple(v.decode(encoding, errors="replace") for v in fields.get((2, 25), [])))  # fmt: skip
    return [ParsedItem(headline=headline or "", paragraphs=(caption,) if caption else (), meta=meta, lang=text(135),
                       place=text(90), kind="picture", published_at=_created(text(55)))]  # fmt: skip


def _created(day: str | None) -> dt.datetime | None:
    """2:55 is CCYYMMDD."""
    if not day or len(day) != 8 or not day.isdigit():
        return None
    return editorial.timestamp(f"{day}T000000Z")


def _iim_record(data: bytes) -> bytes | None:
    """The IIM record of the first APP13 Photoshop segment that has one."""
    if not data.startswith(SOI):
        return None
    at = 2
    for _ in range(MAX_SEGMENTS):
        if at + 4 > len(data) or data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD9, 0xDA):  # end of image, start of the image data: no more metadata
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segment = data[at + 4 : at + 2 + length]
        if marker == APP13 and segment.startswith(PHOTOSHOP):
            found = _resource(segment[len(PHOTOSHOP) :], IIM_RESOURCE)
            if found is not None:
                return found
        at += 2 + length
    return None


def _resource(blocks: bytes, wanted: int) -> bytes | None:
    """Image resource blocks: "8BIM", id, a Pascal name padded to even, size, data padded to even."""
    at = 0
    while at + 12 <= len(blocks) and blocks[at : at + 4] == b"8BIM":
        (resource,) = struct.unpack(">H", blocks[at + 4 : at + 6])
        name_length = blocks[at + 6]
        at += 6 + name_length + 1 + ((name_length + 1) % 2)
        if at + 4 > len(blocks):
            return None
        (size,) = struct.unpack(">I", blocks[at : at + 4])
        at += 4
        if resource == wanted:
            return blocks[at : at + size]
        at += size + size % 2
    return None


def _datasets(record: bytes) -> dict[tuple[int, int], list[bytes]]:
    found: dict[tuple[int, int], list[bytes]] = {}
    at = 0
    while at + 5 <= len(record) and record[at] == 0x1C:
        number = (record[at + 1], record[at + 2])
        (length,) = struct.unpack(">H", record[at + 3 : at + 5])
        at += 5
        if length & 0x8000:  # an extended dataset: the next (length & 0x7FFF) bytes give its length
            count = length & 0x7FFF
            length = int.from_bytes(record[at : at + count], "big") if count <= 4 else 0
            at += count
        found.setdefault(number, []).append(record[at : at + length])
        at += length
    return found
