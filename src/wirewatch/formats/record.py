"""The record every format reader returns, and the one error they raise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wirewatch.model import WireMeta


class FormatError(ValueError):
    """A file in a wire format that cannot be read: one line saying why."""


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
