"""Configuration: wirewatch.toml (and an optional topics.toml beside it) as plain dataclasses.

The loader validates every field and reports errors as one line naming the file and the field,
e.g. ``wirewatch.toml: sources[2].url: not a URL``.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wirewatch.errors import ConfigError, QueryError
from wirewatch.model import LakeLocation, is_server_catalog
from wirewatch.query import operator_words_in_lower_case, parse_query

DEFAULT_CONFIG = Path("wirewatch.toml")
# Used when no wirewatch.toml is found: the seed folder and the shipped topics, nothing remote.
EMBEDDED_SOURCES = ({"name": "seeds", "kind": "dir", "path": "seeds"},)
# The embedded lake, the default archive: a SQLite catalog and the Parquet files beside it.
DEFAULT_CATALOG = Path("data/lake/catalog.sqlite")
LAKE_FILES = "files"  # a SQLite catalog's data folder, beside it, unless data_path says otherwise
SNAPSHOT_RETENTION_DAYS = 7.0  # what lake compaction keeps for --as-of (wirewatch compact, the compact flow)


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    kind: str  # "feed" (RSS/Atom) | "page" (one article URL) | "dir" (folder of wire-format files)
    url: str | None = None  # feed and page
    path: Path | None = None  # dir
    section: str | None = None  # default section when the item has none
    agency: str | None = None  # default agency when the dateline has none
    full_text: str = "auto"  # auto | always | never: fetch the article page for summary-only feeds
    max_age_days: float | None = 7.0  # on the first poll, ignore older items
    lang: str | None = None  # force a language; None: detect
    allow_private: bool = False  # allow the source's URL, links and redirects to private addresses (tests)
    max_items: int = 1000  # per poll: the newest this many items are kept, the rest skipped with a warning
    enabled: bool = True
    poll_every: float = 60.0  # seconds between polls (default: the top-level poll_every)
    poll_every_max: float | None = None  # quiet sources back off up to this (None: poll_every, no back-off)


@dataclass(frozen=True, slots=True)
class HttpConfig:
    user_agent: str | None = None  # None: "wirewatch/<version> (+project url)"
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff_base: float = 0.5  # seconds; exponential with jitter
    max_retry_after: float = 60.0  # bound on a server's Retry-After
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # minimum seconds between requests to one host
    respect_robots: bool = True
    run_deadline: float = 600.0  # seconds: no fetch of a run starts or continues past this


@dataclass(frozen=True, slots=True)
class TopicConfig:
    name: str
    query: str
    description: str = ""
    channels: tuple[str, ...] | None = None  # None: the [alerts] default channels
    min_score: float = 0.0
    lang: str | None = None  # None: every language
    enabled: bool = True
    realert_on_update: bool = False


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    channels: tuple[str, ...] = ()  # apprise URLs as written; ${ENV_VAR} is expanded when alerts are sent
    digest_threshold: int = 5  # more alerts than this for one channel in one run -> one digest
    max_attempts: int = 5
    retry_backoff_seconds: float = 300.0
    # a source failing this many polls in a row raises a health alert (and one when it recovers); 0: never
    alert_after_failures: int = 3


@dataclass(frozen=True, slots=True)
class WebSubConfig:
    """``[websub]``: push subscriptions (W3C WebSub) for feeds that advertise a hub."""

    callback_url: str  # the public URL hubs are told; each subscription gets a path below it
    listen: str = "127.0.0.1:8765"  # host:port the callback endpoint of `wirewatch serve` binds
    lease_seconds: int = 86400  # the lease asked of hubs (a hub may grant another)
    safety_poll_every: float = 900.0  # seconds between polls of a feed with an active subscription
    max_body_bytes: int = 2 * 1024 * 1024  # a larger notification is refused
    queue: int = 64  # notifications accepted but not yet stored; beyond it a hub is told to retry
    pushes_per_minute: int = 60  # per subscription; beyond it a hub is told to retry

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @property
    def callback_path(self) -> str:
        """The path of ``callback_url`` (no trailing slash), where the endpoint answers."""
        return urlsplit(self.callback_url).path.rstrip("/")


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None  # the file it came from; None for the embedded defaults
    db: Path | LakeLocation = LakeLocation(str(DEFAULT_CATALOG), str(DEFAULT_CATALOG.parent / LAKE_FILES))  # a Path: a DuckDB file
    sources: tuple[SourceConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    story_window_days: int = 14  # near-duplicate (story) matching window
    poll_every: float = 60.0  # each source's default seconds between polls
    poll_every_max: float | None = None  # each source's default back-off bound (None: no back-off)
    websub: WebSubConfig | None = None  # None: nothing is subscribed, no endpoint listens
    allow_private: bool = False  # each source's default allow_private (test feeds on this machine or LAN)
    warnings: tuple[str, ...] = ()  # one line each: what loads but is likely a slip (see query_warnings)

    @property
    def enabled_topics(self) -> list[TopicConfig]:
        return [t for t in self.topics if t.enabled]


# Inclusive bounds of every numeric setting, by its place in the file: a value outside them is an
# operator's slip (inf would hang a fetch, a negative count would fail every one), never a wish.
RANGES: dict[str, tuple[float, float]] = {
    "http.connect_timeout": (0.1, 600.0),
    "http.total_timeout": (0.1, 3600.0),
    "http.max_bytes": (1024, 1024**3),
    "http.max_redirects": (0, 30),
    "http.retries": (0, 10),
    "http.backoff_base": (0.0, 60.0),
    "http.max_retry_after": (0.0, 3600.0),
    "http.per_host_concurrency": (1, 64),
    "http.per_host_delay": (0.0, 3600.0),
    "http.run_deadline": (1.0, 86_400.0),
    "alerts.digest_threshold": (1, 100_000),
    "alerts.max_attempts": (1, 100),
    "alerts.retry_backoff_seconds": (0.0, 7 * 86400.0),
    "alerts.alert_after_failures": (0, 100_000),
    "story_window_days": (1, 3650),
    "poll_every": (10.0, 7 * 86400.0),
    "poll_every_max": (10.0, 7 * 86400.0),
    "sources.poll_every": (10.0, 7 * 86400.0),
    "sources.poll_every_max": (10.0, 7 * 86400.0),
    "sources.max_age_days": (0.001, 36500.0),
    "sources.max_items": (1, 10_000_000),
    "topics.min_score": (0.0, 1_000_000.0),
    "websub.lease_seconds": (60, 30 * 86400),
    "websub.safety_poll_every": (10.0, 7 * 86400.0),
    "websub.max_body_bytes": (1024, 64 * 1024 * 1024),
    "websub.queue": (1, 10_000),
    "websub.pushes_per_minute": (1, 100_000),
}

SOURCE_KINDS = ("feed", "page", "dir")
FULL_TEXT_MODES = ("auto", "always", "never")


def load_config(
    path: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    db: Path | str | None = None,
) -> Config:
    """Load and validate the configuration.

    ``path`` (else ``$WIREWATCH_CONFIG``, else ``./wirewatch.toml`` if it exists, else the embedded
    defaults). Topics come from ``[[topics]]`` and from a ``topics.toml`` beside the config file.
    ``db`` (else ``$WIREWATCH_DB``, else the file's ``catalog`` or ``db``) names the archive (see
    ``archive_location``); without any, it is the embedded lake under ``data/lake/``. Relative
    paths are taken from the config file's folder. Raises ConfigError with a one-line message.
    """
    env = os.environ if env is None else env
    chosen = Path(path) if path else Path(env["WIREWATCH_CONFIG"]) if env.get("WIREWATCH_CONFIG") else None
    if chosen is None and DEFAULT_CONFIG.exists():
        chosen = DEFAULT_CONFIG
    if chosen is None:
        data: dict[str, Any] = {"sources": list(EMBEDDED_SOURCES)}
        base = Path.cwd()
    else:
        data = _read_toml(chosen)
        base = chosen.resolve().parent
    origin = chosen.name if chosen else "embedded defaults"
    topics_file = base / "topics.toml"
    topic_tables = [(origin, i, t) for i, t in enumerate(_list_of_tables(data, "topics", origin))]
    if topics_file.exists() and (chosen is None or topics_file.resolve() != chosen.resolve()):
        extra = _read_toml(topics_file)
        topic_tables += [(topics_file.name, i, t) for i, t in enumerate(_list_of_tables(extra, "topics", topics_file.name))]
    _reject_unknown(data, {"db", "catalog", "data_path", "sources", "topics", "alerts", "http", "story_window_days",
                           "poll_every", "poll_every_max", "websub", "allow_private"}, origin, "")  # fmt: skip
    db_path = _archive(data, origin, base, db or env.get("WIREWATCH_DB") or None,
                       "--db" if db else "WIREWATCH_DB")  # fmt: skip
    cadence = _cadence(data, origin, "", 60.0, None)
    allow_private = _typed(data, "allow_private", bool, origin, "", False)
    sources = tuple(
        _source(table, origin, f"sources[{i}]", base, cadence, allow_private=allow_private)
        for i, table in enumerate(_list_of_tables(data, "sources", origin))
    )
    _unique([s.name for s in sources], origin, "sources")
    topics = tuple(_topic(table, file, f"topics[{i}]") for file, i, table in topic_tables)
    _unique([t.name for t in topics], origin, "topics")
    for file in dict.fromkeys(file for file, _, _ in topic_tables):
        check_topics([t for t, (f, _, _) in zip(topics, topic_tables) if f == file], file)
    alerts = _section(AlertsConfig, data, "alerts", origin)
    story_window_days = _in_range(_typed(data, "story_window_days", int, origin, "", 14), "story_window_days", origin, "")
    return Config(
        path=chosen,
        db=db_path,
        sources=sources,
        topics=topics,
        alerts=alerts,
        http=_section(HttpConfig, data, "http", origin),
        story_window_days=story_window_days,
        poll_every=cadence[0],
        poll_every_max=cadence[1],
        websub=_websub(data, origin),
        allow_private=allow_private,
        warnings=tuple(w for topic, (file, _, _) in zip(topics, topic_tables) for w in query_warnings(topic, file)),
    )


def _websub(data: Mapping[str, Any], origin: str) -> WebSubConfig | None:
    """``[websub]``, checked: a callback URL hubs can reach, a host:port to listen on."""
    if "websub" not in data:
        return None
    table = data["websub"]
    if not isinstance(table, dict) or "callback_url" not in table:
        raise ConfigError(f"{origin}: websub.callback_url: required in a [websub] table")
    websub = _section(WebSubConfig, {"websub": {"callback_url": "", **table}}, "websub", origin)
    if not is_http_url(websub.callback_url) or urlsplit(websub.callback_url).query:
        raise ConfigError(f"{origin}: websub.callback_url: not an http(s) URL without a query: {websub.callback_url!r}")
    host, _, port = websub.listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{origin}: websub.listen: expected host:port such as \"127.0.0.1:8765\", got {websub.listen!r}")
    return websub


_LANG_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def check_topics(topics: Sequence[TopicConfig], origin: str) -> None:
    """Validate topics as loaded from ``origin`` (a file name): the first problem is raised as one
    line, e.g. ``topics.toml: topic "missile-defense": query col 23: expected ")"``. A query that
    parses compiles: the parser refuses every term the matcher could not look for."""
    seen: set[str] = set()
    for number, topic in enumerate(topics, 1):
        if not topic.name.strip():
            raise ConfigError(f"{origin}: topic #{number}: name: required")
        where = f'{origin}: topic "{topic.name}"'
        if topic.name in seen:
            raise ConfigError(f"{where}: duplicate name")
        seen.add(topic.name)
        if topic.min_score < 0:
            raise ConfigError(f"{where}: min_score: must be 0 or more, got {topic.min_score:g}")
        if topic.lang is not None and not _LANG_CODE.fullmatch(topic.lang):
            raise ConfigError(f'{where}: lang: expected a language code such as "en" or "ru", got {topic.lang!r}')
        try:
            parse_query(topic.query)
        except QueryError as error:  # in a configuration file: a configuration error
            raise ConfigError(str(error.within(where))) from None


def query_warnings(topic: TopicConfig, origin: str) -> list[str]:
    """One line per operator word of the topic's query written in lower case (``Iran or
    Tehran`` searches three words), naming the file and the topic."""
    return [f'{origin}: topic "{topic.name}": {w}' for w in operator_words_in_lower_case(topic.query)]


def archive_location(name: str | Path, base: Path, data_path: str | Path | None = None, *, field: str = "db") -> Path | LakeLocation:
    """What ``name`` names: a path ending ``.duckdb`` is a DuckDB file; a ``postgresql://`` URL
    is a lake with that catalog (``data_path`` is then its shared Parquet folder, required); any
    other path is a lake's SQLite catalog, its Parquet files in ``files/`` beside it unless
    ``data_path`` says otherwise. Relative paths are taken from ``base``. ``field`` names the
    setting in errors."""
    text = str(name)
    if not text.strip():
        raise ConfigError(f"{field}: empty; name a .duckdb file, a lake catalog file or a postgresql:// URL")
    if is_server_catalog(text):
        if data_path is None:
            raise ConfigError(f"data_path: a postgresql catalog ({field}) needs data_path, the Parquet folder its writers share")
        return LakeLocation(text, str(base / Path(data_path)))
    path = base / Path(text)
    if path.suffix == ".duckdb":
        if data_path is not None:
            raise ConfigError(f"data_path: only a lake has a data path, and {field} names the DuckDB file {path}")
        return path
    return LakeLocation(str(path), str(base / Path(data_path)) if data_path is not None else str(path.parent / LAKE_FILES))


def archive_argument(db: Path | LakeLocation) -> str:
    """The archive as ``--db`` names it, absolute, so that a flow run started in another folder
    opens the same one (a postgresql:// catalog as it is: its data_path comes from the config)."""
    if isinstance(db, Path):
        return str(db.resolve())
    return db.catalog if db.shared else str(Path(db.catalog).resolve())


def state_folder(db: Path | LakeLocation) -> Path:
    """Where wirewatch keeps state of its own beside the archive (the served Prefect server's):
    a DuckDB file's folder, a SQLite catalog's folder, or, for a server catalog, the folder that
    holds the lake's Parquet folder."""
    if isinstance(db, Path):
        return db.resolve().parent
    return (Path(db.data_path) if db.shared else Path(db.catalog)).resolve().parent


def _archive(data: Mapping[str, Any], origin: str, base: Path, override: str | Path | None, named: str) -> Path | LakeLocation:
    """The archive the file's ``db`` or ``catalog`` and ``data_path`` name (the default: the
    embedded lake), unless ``override`` (``--db`` or ``$WIREWATCH_DB``) names another."""
    db = _typed(data, "db", str, origin, "", None)
    catalog = _typed(data, "catalog", str, origin, "", None)
    data_path = _typed(data, "data_path", str, origin, "", None)
    if db is not None and catalog is not None:
        raise ConfigError(f"{origin}: db and catalog both name the archive; keep one (catalog for a lake)")
    try:
        if override is not None:
            shared = is_server_catalog(str(override))  # the file's data_path is for a shared lake
            return archive_location(override, Path(), data_path if shared else None, field=named)
        if catalog is not None:
            return archive_location(catalog, base, data_path, field="catalog")
        if data_path is not None:
            raise ConfigError("data_path: set catalog too (the lake whose Parquet folder this is)")
        return archive_location(db if db is not None else DEFAULT_CATALOG, base, field="db")
    except ConfigError as error:
        raise ConfigError(f"{origin}: {error}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None


def _list_of_tables(data: dict[str, Any], key: str, origin: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise ConfigError(f"{origin}: {key}: expected [[{key}]] tables")
    return value


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], origin: str, where: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join(k.__name__.replace("str", "string").replace("float", "number").replace("int", "integer") for k in kinds)
        raise ConfigError(f"{origin}: {where}{key}: expected {names}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{origin}: {where}{key}: expected a finite number, got {value!r}")
    return value


def _in_range(value: Any, name: str, origin: str, where: str) -> Any:
    """``value`` when it lies within RANGES[name]; ``where`` is how the message names its table."""
    low, high = RANGES[name]
    if value is not None and not low <= value <= high:
        key = name.rpartition(".")[2]
        raise ConfigError(f"{origin}: {where}{key}: must be from {low:,g} to {high:,g}, got {value:,g}")
    return value


def _reject_unknown(table: Mapping[str, Any], known: set[str], origin: str, where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{origin}: {where}{key}: unknown setting (expected one of {', '.join(sorted(known))})")


def _unique(names: list[str], origin: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{origin}: {what}: duplicate name {name!r}")
        seen.add(name)


def is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises ValueError on a port out of range)
    except ValueError:  # a malformed IPv6 literal such as http://[::1/
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _cadence(
    table: Mapping[str, Any], origin: str, where: str, every: float, most: float | None
) -> tuple[float, float | None]:
    """``(poll_every, poll_every_max)`` of a table (top level or a source), in seconds, the given
    defaults where it sets none; the bound may not be below the interval it stretches."""
    prefix = "sources." if where else ""
    every = _in_range(_typed(table, "poll_every", (float,), origin, where, every), prefix + "poll_every", origin, where)
    most = _in_range(_typed(table, "poll_every_max", (float,), origin, where, most), prefix + "poll_every_max", origin, where)
    if most is not None and most < every:
        if "poll_every_max" not in table:  # a default bound below this source's own interval: no back-off
            return every, None
        raise ConfigError(f"{origin}: {where}poll_every_max: must be at least poll_every ({every:,g}), got {most:,g}")
    return every, most


def _source(
    table: dict[str, Any], origin: str, where: str, base: Path, cadence: tuple[float, float | None] = (60.0, None),
    *, allow_private: bool = False,
) -> SourceConfig:  # fmt: skip
    at = where + "."
    _reject_unknown(table, {f.name for f in fields(SourceConfig)}, origin, at)
    name = _typed(table, "name", str, origin, at, None)
    if not name or not name.strip():
        raise ConfigError(f"{origin}: {at}name: required")
    kind = _typed(table, "kind", str, origin, at, None)
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{origin}: {at}kind: expected one of {', '.join(SOURCE_KINDS)}, got {kind!r}")
    url = _typed(table, "url", str, origin, at, None)
    path = _typed(table, "path", str, origin, at, None)
    if kind == "dir":
        if not path:
            raise ConfigError(f"{origin}: {at}path: required for kind = \"dir\"")
    elif url is None:
        raise ConfigError(f"{origin}: {at}url: required for kind = \"{kind}\"")
    elif not is_http_url(url):
        raise ConfigError(f"{origin}: {at}url: not a URL (expected http:// or https://): {url!r}")
    full_text = _typed(table, "full_text", str, origin, at, "auto")
    if full_text not in FULL_TEXT_MODES:
        raise ConfigError(f"{origin}: {at}full_text: expected one of {', '.join(FULL_TEXT_MODES)}, got {full_text!r}")
    max_age = _in_range(_typed(table, "max_age_days", (float,), origin, at, 7.0), "sources.max_age_days", origin, at)
    poll_every, poll_every_max = _cadence(table, origin, at, *cadence)
    return SourceConfig(
        name=name.strip(),
        kind=kind,
        url=url,
        path=(base / path) if path else None,
        section=_typed(table, "section", str, origin, at, None),
        agency=_typed(table, "agency", str, origin, at, None),
        full_text=full_text,
        max_age_days=max_age,
        lang=_typed(table, "lang", str, origin, at, None),
        allow_private=_typed(table, "allow_private", bool, origin, at, allow_private),
        max_items=_in_range(_typed(table, "max_items", int, origin, at, 1000), "sources.max_items", origin, at),
        enabled=_typed(table, "enabled", bool, origin, at, True),
        poll_every=poll_every,
        poll_every_max=poll_every_max,
    )


def _topic(table: dict[str, Any], origin: str, where: str) -> TopicConfig:
    at = where + "."
    _reject_unknown(table, {f.name for f in fields(TopicConfig)}, origin, at)
    name = _typed(table, "name", str, origin, at, None)
    query = _typed(table, "query", str, origin, at, None)
    if not name or not name.strip():
        raise ConfigError(f"{origin}: {at}name: required")
    if not query or not query.strip():
        raise ConfigError(f"{origin}: topic \"{name}\": query: required")
    channels = _typed(table, "channels", list, origin, at, None)
    if channels is not None and not all(isinstance(c, str) for c in channels):
        raise ConfigError(f"{origin}: {at}channels: expected a list of strings")
    return TopicConfig(
        name=name.strip(),
        query=query,
        description=_typed(table, "description", str, origin, at, ""),
        channels=tuple(channels) if channels is not None else None,
        min_score=_in_range(_typed(table, "min_score", (float,), origin, at, 0.0), "topics.min_score", origin, at),
        lang=_typed(table, "lang", str, origin, at, None),
        enabled=_typed(table, "enabled", bool, origin, at, True),
        realert_on_update=_typed(table, "realert_on_update", bool, origin, at, False),
    )


def _section(kind: type, data: dict[str, Any], key: str, origin: str) -> Any:
    """Build a flat settings dataclass (``[alerts]``, ``[http]``) from its TOML table."""
    table = data.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: {key}: expected a [{key}] table")
    at = key + "."
    _reject_unknown(table, {f.name for f in fields(kind)}, origin, at)
    values = {}
    for spec in fields(kind):
        default = spec.default
        if spec.name not in table:
            continue
        if isinstance(default, tuple):
            value = _typed(table, spec.name, list, origin, at, None)
            if not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{origin}: {at}{spec.name}: expected a list of strings")
            values[spec.name] = tuple(value)
        else:
            expected = (float,) if isinstance(default, float) else type(default) if default not in (None, MISSING) else str
            values[spec.name] = _typed(table, spec.name, expected, origin, at, default)
            if f"{key}.{spec.name}" in RANGES:
                _in_range(values[spec.name], f"{key}.{spec.name}", origin, at)
    return kind(**values)
