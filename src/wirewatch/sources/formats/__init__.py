"""Agency wire formats: NewsML-G2, NewsML 1.2, NITF, ANPA-1312, IPTC 7901, the agencies' JSON
APIs and IPTC IIM in pictures, recognised by content and read into plain records (one per news
item; a package is read as its items). ``read_items`` is the entry point; ``detect.detect_format`` says which format bytes
are in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from wirewatch.sources.formats import anpa, iim, iptc7901, json_api, newsml1, newsml_g2, nitf
from wirewatch.sources.formats.detect import detect_format
from wirewatch.sources.formats.record import FormatError, ParsedItem

__all__ = ["FormatError", "ParsedItem", "detect_format", "read_items"]

_READERS: dict[str, Callable[[bytes], Sequence[ParsedItem | FormatError]]] = {
    "newsml-g2": newsml_g2.read,
    "newsml-1.2": newsml1.read,
    "nitf": nitf.read,
    "anpa-1312": anpa.read,
    "iptc-7901": iptc7901.read,
    "json": json_api.read,
    "iptc-iim": iim.read,
}


def read_items(data: bytes) -> list[ParsedItem | FormatError] | None:
    """The news items in ``data``, or None when it is in none of the wire formats. An item that
    cannot be read is its FormatError (one line) in the list; FormatError is raised when the
    file as a whole cannot be read."""
    found = detect_format(data)
    if found is None:
        return None
    try:
        items = _READERS[found](data)
    except FormatError:
        raise
    except Exception as error:  # noqa: BLE001  (a hostile file is one line, never a traceback)
        raise FormatError(f"{found}: {type(error).__name__}: {error}") from None
    return [item if isinstance(item, FormatError) else _kill_is_canceled(item) for item in items]


def _kill_is_canceled(item: ParsedItem) -> ParsedItem:
    """A kill notice in any format (ANPA "KILL", a G2 kill signal) has the status of a cancel."""
    if not item.meta.kill or item.meta.pub_status == "canceled":
        return item
    return replace(item, meta=replace(item.meta, pub_status="canceled"))
