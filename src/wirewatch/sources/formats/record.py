"""The record every format reader returns, and the one error they raise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from wirewatch.errors import FormatError
from wirewatch.model import WireMeta


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One news item as its format gives it; the dateline still opens the first paragraph (the
    codec splits it off as for every other input)."""

    headline: str
    paragraphs: tuple[str, ...]
    meta: WireMeta
    guid: str | None = None
    subtitle: str | None = None
    section: str | None = None
    lang: str | None = None
    published_at: dt.datetime | None = None  # UTC
    dateline: str | None = None  # the format's own dateline field ("CHATHAM, Mass."), when it has one
    place: str | None = None  # the place the format names (G2 ``located``, NewsML 1.2 ``Location`` City)
    kind: str = "text"  # text | picture | graphic | audio | video: a non-text item's body is its caption


def each(parts: Iterable[T], read: Callable[[T], ParsedItem]) -> list[ParsedItem | FormatError]:
    """``read`` applied to every item of a file; an item that cannot be read becomes its
    FormatError in the list, so the file's other items still go on."""
    found: list[ParsedItem | FormatError] = []
    for n, part in enumerate(parts, 1):
        try:
            found.append(read(part))
        except Exception as error:  # noqa: BLE001  (one bad item never stops the file)
            found.append(error if isinstance(error, FormatError) else FormatError(f"item {n}: {type(error).__name__}: {error}"))
    return found
