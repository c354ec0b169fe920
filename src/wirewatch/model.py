"""Plain data shared by every module: a parsed wire item and the article record around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Dateline:
    """The dateline that opens the first body paragraph, e.g.
    ``CHEBARKUL, Chelyabinsk region, September 27 (Itar-Tass) ——``."""

    raw: str  # exactly as written, separator included, without the space that follows
    place: str | None = None  # "CHEBARKUL"
    region: str | None = None  # "Chelyabinsk region", "India", "Leningrad Region"
    date_text: str | None = None  # "September 27", "Aug 29, 2014", "28 ноября"
    date: dt.date | None = None  # the resolved calendar date
    date_source: str | None = None  # evidence used: dateline | published | weekday | fetched
    agency: str | None = None  # canonical name: "TASS", "Reuters", "AP", ...
    agency_raw: str | None = None  # as written: "Itar-Tass", "/TASS/", "ТАСС"
    separator: str | None = None  # "——", "-", "—", "_", "--", "."


@dataclass(frozen=True, slots=True)
class WireItem:
    """One document in the canonical wire format (see seeds/README.md)."""

    section: str
    headline: str
    subtitle: str | None = None
    dateline: Dateline | None = None
    paragraphs: tuple[str, ...] = ()  # body paragraphs, dateline stripped from the first

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(slots=True)
class Article:
    """A wire item plus where and when it came from: the unit the store ingests."""

    item: WireItem
    source: str
    url: str | None = None
    guid: str | None = None
    published_at: dt.datetime | None = None  # UTC
    fetched_at: dt.datetime | None = None  # UTC
    lang: str = "en"
    # field -> origin ("feed", "page:jsonld", "page:rules", "page:generic", "file"),
    # so bad extractions can be found with SQL
    provenance: dict[str, str] = field(default_factory=dict)
