"""Is the monitor alive and are its sources healthy: the serve lock (one `wirewatch serve` per
archive), a source's failure streak turned into alerts of its own (failing, then recovered),
and what `wirewatch status` shows. Plain functions over plain data, and one lock file."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from wirewatch.errors import ServeRunning
from wirewatch.model import SourceState

if TYPE_CHECKING:
    from wirewatch.alerts import Message

SERVE_LOCK = "serve.lock"  # in the archive's state folder (config.state_folder)


# ---------------------------------------------------------------------------------------------
# One serve per archive


@dataclass(frozen=True)
class ServeHolder:
    """The `wirewatch serve` holding an archive's serve lock, as it wrote itself into the file."""

    pid: int | None
    ui: str | None
    since: str | None

    def describe(self) -> str:
        where = f", Prefect UI {self.ui}" if self.ui else ""
        since = f", since {self.since}" if self.since else ""
        return f"pid {self.pid if self.pid is not None else '?'}{where}{since}"


class ServeLock:
    """An exclusive advisory lock (flock) on ``state/serve.lock``, held while a serve runs. The
    kernel drops it when the process dies, even by kill -9, so a stale file from a dead serve is
    simply taken over; the file's text (pid, UI address) only names the holder to others."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / SERVE_LOCK
        self._handle: IO[str] | None = None

    def acquire(self, archive: str) -> None:
        """Take the lock or raise ServeRunning naming the serve that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            holder = serve_holder(self.path.parent)
            named = holder.describe() if holder else "another process"
            raise ServeRunning(f"{archive}: already served by `wirewatch serve` ({named}); stop it first") from None
        self._handle = handle
        self.record()

    def record(self, ui: str | None = None) -> None:
        """Write who holds the lock (this process, the UI address once the server answers)."""
        assert self._handle is not None
        self._handle.seek(0)
        self._handle.truncate()
        since = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._handle.write(json.dumps({"pid": os.getpid(), "ui": ui, "since": since}))
        self._handle.flush()

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


@contextlib.contextmanager
def serving(folder: Path, archive: str) -> Iterator[ServeLock]:
    """Hold the archive's serve lock while the block runs (ServeRunning if another serve has it)."""
    lock = ServeLock(folder)
    lock.acquire(archive)
    try:
        yield lock
    finally:
        lock.release()


def serve_holder(folder: Path) -> ServeHolder | None:
    """The serve holding the lock in ``folder``, or None when no serve runs (the lock is free)."""
    path = folder / SERVE_LOCK
    if not path.is_file():
        return None
    with path.open("r", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _holder(handle.read())
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def _holder(text: str) -> ServeHolder:
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    pid = data.get("pid")
    return ServeHolder(pid if isinstance(pid, int) else None, data.get("ui") or None, data.get("since") or None)


# ---------------------------------------------------------------------------------------------
# A source's failure streak as alerts of its own

FAILING = "failing"
RECOVERED = "recovered"


@dataclass(frozen=True)
class OpenFailure:
    """A source whose last health alert said it was failing (no recovery raised since)."""

    failures: int
    raised_at: dt.datetime


@dataclass(frozen=True)
class HealthEvent:
    """A health alert to raise: ``source`` is failing (``failures`` polls in a row, the last with
    ``error``), or has recovered from the streak ``failures`` counted when it was raised."""

    source: str
    kind: str  # FAILING | RECOVERED
    failures: int
    error: str | None = None


def health_events(
    polled: Sequence[SourceState], open_failures: Mapping[str, OpenFailure], threshold: int
) -> list[HealthEvent]:
    """The health alerts this run's polls raise: once when a source's failure streak reaches
    ``threshold`` (0: never), once when a source alerted as failing polls successfully again."""
    events = []
    for state in {s.name: s for s in polled}.values():  # the last state per source
        failing = state.last_status == "error"
        if failing and threshold and state.consecutive_failures >= threshold and state.name not in open_failures:
            events.append(HealthEvent(state.name, FAILING, state.consecutive_failures, state.last_error))
        elif not failing and state.name in open_failures:
            events.append(HealthEvent(state.name, RECOVERED, open_failures[state.name].failures))
    return events


def health_message(event: HealthEvent, *, now: dt.datetime) -> "Message":
    """The alert a health event sends (the error text escaped as any text from outside)."""
    from wirewatch.alerts import Message, escape_markdown, escape_text

    name = escape_text(event.source)
    if event.kind == FAILING:
        title = f"wirewatch: source {name} is failing"
        said = f"Source {name} failed {event.failures} polls in a row (the last at {now:%Y-%m-%d %H:%M} UTC)"
        error = event.error or "no error text"
        text = f"{said}: {escape_text(error)}. wirewatch says once more when it recovers."
        markdown = f"{escape_markdown(said)}: `{escape_text(error).replace('`', chr(39))}`. wirewatch says once more when it recovers."
    else:
        title = f"wirewatch: source {name} recovered"
        text = f"Source {name} polled successfully at {now:%Y-%m-%d %H:%M} UTC after failing (alerted at {event.failures} failed polls in a row)."
        markdown = escape_markdown(text)
    return Message(title=title, text=text, markdown=markdown)


def health_line(event: HealthEvent) -> str:
    """The run summary's line for a health event."""
    if event.kind == FAILING:
        return f"health: source {event.source} FAILING, {event.failures} polls in a row: alerted"
    return f"health: source {event.source} recovered: alerted"


# ---------------------------------------------------------------------------------------------
# `wirewatch status`


@dataclass(frozen=True)
class SourceStatus:
    name: str
    status: str | None
    failures: int  # failed polls in a row
    error: str | None
    last_poll: dt.datetime | None  # UTC
    last_new_at: dt.datetime | None  # UTC: the last poll that brought an item not seen before
    next_poll_at: dt.datetime | None  # UTC


@dataclass(frozen=True)
class Status:
    serve: ServeHolder | None
    last_ingest: tuple[dt.datetime, dt.datetime | None, int, int] | None  # started, finished, new, errors
    last_alert: tuple[str, str, dt.datetime, dt.datetime | None] | None  # topic, status, created, sent
    last_health_alert: tuple[str, str, int, dt.datetime] | None  # source, kind, failures, raised
    sources: list[SourceStatus]
    unhealthy: list[str]  # sources alerted as failing and not recovered

    @property
    def needs_attention(self) -> bool:
        """No serve running, or a source failing: what a probe's exit status says."""
        return self.serve is None or any(s.failures for s in self.sources)


def status_lines(status: Status, *, now: dt.datetime) -> list[str]:
    """`wirewatch status` as plain lines, before the per-source table."""
    lines = [f"serve: running ({status.serve.describe()})" if status.serve else "serve: not running"]
    if status.last_ingest:
        started, finished, new, errors = status.last_ingest
        state = f"{new} new, {errors} errors" if finished else "still running (or interrupted)"
        lines.append(f"last ingest: {_when(started, now)}, {state}")
    else:
        lines.append("last ingest: none")
    if status.last_alert:
        topic, outcome, created, sent = status.last_alert
        lines.append(f"last alert: {_when(sent or created, now)} [{topic}] {outcome}")
    else:
        lines.append("last alert: none")
    if status.last_health_alert:
        source, kind, failures, raised = status.last_health_alert
        lines.append(f"last health alert: {_when(raised, now)} source {source} {kind} ({failures} failed polls in a row)")
    failing = [s for s in status.sources if s.failures]
    if not failing:
        lines.append("failing sources: none")
    for s in failing:
        alerted = ", alerted" if s.name in status.unhealthy else ""
        lines.append(f"failing source {s.name}: {s.failures} polls in a row{alerted}: {s.error or ''}")
    return lines


def source_rows(status: Status, *, now: dt.datetime) -> tuple[list[str], list[tuple]]:
    """The per-source table: status, failed polls in a row, last poll, lag (time since the last
    new item), next poll."""
    columns = ["source", "status", "failures", "last poll", "lag (since new item)", "next poll"]
    rows = [
        (s.name, s.status or "", s.failures, _ago(s.last_poll, now), _ago(s.last_new_at, now),
         _until(s.next_poll_at, now))  # fmt: skip
        for s in status.sources
    ]
    return columns, rows


def _when(at: dt.datetime, now: dt.datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC ({_ago(at, now)})"


def _ago(at: dt.datetime | None, now: dt.datetime) -> str:
    if at is None:
        return "never"
    return f"{format_duration((now - at).total_seconds())} ago"


def _until(at: dt.datetime | None, now: dt.datetime) -> str:
    if at is None:
        return ""
    seconds = (at - now).total_seconds()
    return "due" if seconds <= 0 else f"in {format_duration(seconds)}"


def format_duration(seconds: float) -> str:
    """"45s", "12m05s", "3h20m", "2d04h"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
