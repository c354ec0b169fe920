"""Configuration: wirewatch.toml (and an optional topics.toml beside it) as plain dataclasses.

The loader validates every field and reports errors as one line naming the file and the field,
e.g. ``wirewatch.toml: sources[2].url: not a URL``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class ConfigError(ValueError):
    """A configuration problem, worded as one line that names the file and the field."""


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
    allow_private: bool = False  # allow article links to loopback/private addresses (tests)
    enabled: bool = True


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
    channels: tuple[str, ...] = ()  # apprise URLs, ${ENV_VAR} already expanded
    digest_threshold: int = 5  # more alerts than this for one channel in one run -> one digest
    max_attempts: int = 5
    retry_backoff_seconds: float = 300.0


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None  # the file it came from; None for the embedded defaults
    db: Path = Path("data/wirewatch.duckdb")
    sources: tuple[SourceConfig, ...] = ()
    topics: tuple[TopicConfig, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    story_window_days: int = 14  # near-duplicate (story) matching window
