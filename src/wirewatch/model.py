"""Plain data shared by every module: a parsed wire item and the article record around it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TypeVar

T = TypeVar("T")


def pickled_as_call(cls: type[T]) -> type[T]:
    """Pickle instances as a call of the class with their fields. The pickling that slotted
    dataclasses come with calls dataclasses.fields() per object, which made up a third of handing
    a batch of articles from a worker process to the writer."""
    values = attrgetter(*cls.__slots__)  # type: ignore[attr-defined]
    cls.__reduce__ = lambda self: (cls, values(self))  # type: ignore[method-assign,assignment]
    return cls


@pickled_as_call
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


@pickled_as_call
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


@pickled_as_call
@dataclass(frozen=True, slots=True)
class WireMeta:
    """What an agency wire format (NewsML-G2, NewsML 1.2, NITF, ANPA-1312, IPTC 7901, JSON) says
    about an item beyond its text: version, status, urgency and editorial handling."""

    format: str  # newsml-g2 | newsml-1.2 | nitf | anpa-1312 | iptc-7901 | json-ap | json-reuters
    version: int | None = None
    pub_status: str = "usable"  # usable | withheld | canceled
    urgency: int | None = None  # 1 (flash) .. 8 (lowest), as the agency numbers it
    priority: int | None = None
    slugline: str | None = None
    byline: str | None = None
    take_key: str | None = None  # "1st Ld-Writethru", "REFILE", "UPDATE 2"
    signals: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()  # "code name" as given
    ednote: str | None = None
    correction: bool = False
    kill: bool = False  # a kill or cancel notice: the article it names is withdrawn


@pickled_as_call
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
    wire: WireMeta | None = None  # set for items read from an agency wire format


@pickled_as_call
@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query term: which term, in which field, at which characters."""

    term: str  # the query term as written in the topic's query ("missile defense", "ABM")
    field: str  # headline | subtitle | body | place | agency | section
    start: int  # character offsets into that field's text (WireItem.body for "body")
    end: int


@pickled_as_call
@dataclass(frozen=True, slots=True)
class TopicMatch:
    """Why an article matched a topic."""

    topic: str
    score: float
    hits: tuple[Hit, ...]
    snippet: str  # the sentence with the strongest hit, hits marked with «»
    rule_version: str  # hash of the topic's query text

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(sorted({h.term for h in self.hits}))


@pickled_as_call
@dataclass(slots=True)
class SourceState:
    """What we know about a source between polls (conditional GET validators, health)."""

    name: str
    kind: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_poll: dt.datetime | None = None  # UTC
    last_status: str | None = None  # ok | not_modified | error
    last_error: str | None = None
    consecutive_failures: int = 0
    items_seen: int = 0


@pickled_as_call
@dataclass(slots=True)
class PollResult:
    """One source's poll: the articles it brought and the state to store with them."""

    state: SourceState  # updated validators, status, error, counters
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. bozo feed that still had entries
    rejected: list[str] = field(default_factory=list)  # one line per item that could not be used
    # a transport failure (timeout, connection error, 5xx) that a later retry may cure
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class AlertRoute:
    """Where a topic's alerts go. A channel is (key, redacted): the key is a stable hash of the
    channel URL and the redacted form is safe to store and show; the secret URL itself is never
    stored."""

    channels: tuple[tuple[str, str], ...]
    realert_on_update: bool = False


@dataclass(frozen=True, slots=True)
class PendingAlert:
    """An outbox row that is due, joined with everything its message needs."""

    alert_id: str
    topic: str
    story_id: str
    article_id: str
    channel_key: str
    channel: str  # redacted
    attempts: int
    headline: str
    url: str | None
    source: str
    dateline_place: str | None
    dateline_date: dt.date | None
    agency: str | None
    terms: tuple[str, ...]
    snippet: str
    story_sources: int  # distinct outlets that reported the story (agency, else publisher, else feed)
    story_articles: int
    withdraws: str | None = None  # a "WITHDRAWN" notice: the id of the alert it withdraws
    urgency: int | None = None  # the article's wire urgency (1 = flash), when a wire format gave one
    story_outlets: tuple[str, ...] = ()  # the names of the others than the alerting article's


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    alert_id: str
    ok: bool
    error: str | None = None  # redacted: never contains a channel secret
