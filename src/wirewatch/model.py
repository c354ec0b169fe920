"""Plain data shared by every module: a parsed wire item and the article record around it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import numpy as np

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
    published_at: dt.datetime | None = None  # aware: the zone the source states, else UTC (stored as UTC)
    fetched_at: dt.datetime | None = None  # UTC
    lang: str | None = "en"  # ISO 639-1; None: not known (too little text to tell)
    # field -> origin ("feed", "page:jsonld", "page:rules", "page:generic", "file"),
    # so bad extractions can be found with SQL
    provenance: dict[str, str] = field(default_factory=dict)
    wire: WireMeta | None = None  # set for items read from an agency wire format
    agency: str | None = None  # the agency when there is no dateline to carry one (a source's default)


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
class Quote:
    """One statement: its words, where they stand and who said them."""

    kind: str  # direct | indirect
    text: str  # the words as written (inside the marks for a direct quote)
    paragraph: int  # the paragraph (0-based) the quote starts in
    start: int  # character offsets into WireItem.body
    end: int
    cue: str | None  # the speech verb as written: "said", "told reporters", "according to"
    speaker: str | None  # "Anatoly Antonov", "Russian Defense Ministry"; None: not resolved
    speaker_title: str | None = None  # "Deputy Defense Minister"
    speaker_org: str | None = None  # "NATO", "International Security Center of ..."
    said_at: dt.date | None = None
    said_at_source: str | None = None  # the words that date it: "on September 20", "two weeks before"
    said_at_basis: str | None = None  # how its year was found, as for datelines; "relative"; "weekday"
    speaker_is_org: bool = False  # an organisation speaks ("the Russian Foreign Ministry said")

    @property
    def speaker_key(self) -> tuple[str | None, str | None]:
        """What joins one speaker across articles: (a person's surname or an organisation's
        name, lower case; a person's first initial when the name gives one)."""
        if not self.speaker:
            return None, None
        if self.speaker_is_org:
            return self.speaker.casefold(), None
        names = self.speaker.split()
        return names[-1].casefold(), names[0][0].casefold() if len(names) > 1 else None


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
    poll_interval: float | None = None  # seconds to the next poll, as paced after this one (cadence)
    last_new_at: dt.datetime | None = None  # UTC: the last poll that brought items not seen before


@pickled_as_call
@dataclass(slots=True)
class PollResult:
    """One source's poll: the articles it brought and the state to store with them."""

    state: SourceState  # updated validators, status, error, counters
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. bozo feed that still had entries
    rejected: list[str] = field(default_factory=list)  # one line per item that could not be used
    skipped: list[str] = field(default_factory=list)  # one line per local file in no format wirewatch reads
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
    score: float = 0.0  # the topic match's score (a digest lists the strongest first)
    quote: str | None = None  # the alerting article's strongest quote on the topic (most hits, attributed first)
    quote_speaker: str | None = None
    quote_title: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    alert_id: str
    ok: bool
    error: str | None = None  # redacted: never contains a channel secret
    sent_at: dt.datetime | None = None  # UTC: when the channel accepted it (None: not sent)


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One story in a topic's daily digest: what the digest flow reads from the store."""

    story_id: str
    headline: str
    url: str | None
    sources: int  # distinct outlets that reported the story (agency, else publisher, else feed)
    articles: int  # matching articles in the story
    dateline_place: str | None = None
    dateline_date: dt.date | None = None
    agency: str | None = None
    terms: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()  # their names
    speakers: tuple[str, ...] = ()  # who spoke on the topic in the story (quotes holding its hits)


# ---------------------------------------------------------------------------------------------
# Where the archive is


@dataclass(frozen=True, slots=True)
class LakeLocation:
    """A lake archive: its catalog (a SQLite file path, or a ``postgresql://`` URL that writers on
    several machines share) and the folder of its Parquet files. A plain DuckDB file archive is
    named by its ``Path`` instead."""

    catalog: str
    data_path: str

    @property
    def shared(self) -> bool:
        """A server catalog (PostgreSQL), as opposed to an embedded SQLite file."""
        return is_server_catalog(self.catalog)

    def __str__(self) -> str:
        """The catalog as it may be shown: a URL without its password."""
        return shown_catalog(self.catalog)


POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_server_catalog(catalog: object) -> bool:
    """Whether a lake's catalog names a PostgreSQL database (a ``postgresql://`` URL) rather than
    a SQLite file: the one place that knows the URL's form."""
    return isinstance(catalog, str) and urlsplit(catalog).scheme in POSTGRES_SCHEMES


def shown_catalog(catalog: str) -> str:
    """A catalog as it may be shown: a ``postgresql://`` URL without its password."""
    parts = urlsplit(catalog)
    if not is_server_catalog(catalog) or parts.password is None:
        return catalog
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()


# ---------------------------------------------------------------------------------------------
# What the ingest stage and the store hand each other


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """A stored article that one of the batch's keys points at."""

    article_id: str
    url_norm: str | None
    story_id: str
    revision: int
    content_hashes: tuple[str, ...]  # current and earlier versions
    text_hashes: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class StoryLink:
    """How an article joined its story."""

    story_id: str
    relation: str  # first | copy | update
    similarity: float | None = None
    similar_to: str | None = None  # the closest earlier article of the story


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the store did with one article of a batch."""

    status: str  # new | duplicate | revised | rejected
    article_id: str | None = None  # for a duplicate: the article it duplicates
    story_id: str | None = None
    revision: int = 0
    reason: str | None = None  # why it was rejected
    relation: str | None = None  # new articles: first | copy | update (how it joined its story)
    similarity: float | None = None  # estimated Jaccard to the closest earlier article


@dataclass(slots=True)
class BatchResult:
    outcomes: list[Outcome]  # one per article, in batch order
    matches: list[tuple[str, TopicMatch]] = field(default_factory=list)  # (article_id, match)
    alert_ids: list[str] = field(default_factory=list)  # pending alerts created
    # seconds spent per step: keys (normalising and hashing), near_duplicates (MinHash, LSH
    # candidates, story links), match (topic matching), total (the whole call)
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


@dataclass(slots=True)
class VersionsToWrite:
    """The new and revised versions of a batch, column by column, for ``Store.stage_versions``."""

    rows: list[int]  # batch rows
    status: list[str]  # new | revised
    is_final: list[bool]  # the last version of its article in the batch
    article_id: list[str]
    article_key: list[int]  # article_id as a signed 64-bit join key
    story_id: list[str]
    revision: list[int]
    links: list[StoryLink | None]  # how the article joined its story (None: it starts one)
    first_seen: list[dt.datetime | None]  # of a stored article being revised
    articles: list[Article]
    url_norm: list[str | None]
    content_hash: list[str]
    text_hash: list[str]
    url_key: np.ndarray
    content_key: np.ndarray
    event_at: np.ndarray  # datetime64[us]
    signature: list[bytes | None]  # MinHash signature, None for texts too short to link on


@dataclass(slots=True)
class BatchPlan:
    """Every write of one batch, decided before anything is written (``ingest.plan_batch``);
    ``Store.write_batch`` carries it out, in the order of statements it owns."""

    run_id: str
    now: dt.datetime  # naive UTC
    band_rows: list[int]  # batch rows indexed for near-duplicate checks
    band_keys: np.ndarray  # one row of LSH band keys per band row
    band_event_at: np.ndarray  # datetime64[us], per band row
    versions: VersionsToWrite
    revising: bool  # some versions replace a stored text
    cutoff: dt.datetime  # story-index entries and copy decisions older than this are pruned
    matches: list[tuple[str, TopicMatch]] | None  # (article_id, match); None: not matched
    quotes: list[tuple[str, Sequence[Quote]]] | None  # (article_id, its quotes) of final versions; None: not quoted
    routes: Mapping[str, AlertRoute]  # alerts for the matches (empty: none)
    withdrawn: list[str]  # article ids killed by a wire notice
    withdrawn_keys: list[int]  # their signed 64-bit join keys
    polls: Sequence[SourceState]
    copied_guids: list[tuple[str, str, str]]  # (source, guid, article_id) of dropped copies
    copy_decisions: list[tuple[str, str | None, str | None, str | None, str]]  # (source, guid, url, url_norm, article_id)
    counts: dict[str, int]  # the run's counts of this batch, but for its alerts (known once written)
    outcomes: list[Outcome]  # one per article of the batch, in batch order
