"""How often each source is polled: which sources are due at a run, and the interval a poll
leaves for the next one. Pure functions over SourceConfig, SourceState and a time.

A source is polled every ``poll_every`` seconds. The ingest deployment runs more often than
that (every minute), and each run polls only the sources that are due. With ``poll_every_max``
above ``poll_every`` a source that keeps bringing nothing new (304s, or only items already seen)
is polled less often, its interval doubling up to that bound, and back at ``poll_every`` as soon
as a poll brings something new, as feed readers pace quiet feeds. A failed poll leaves the
interval as it was: the source is retried at its usual pace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace

from wirewatch.config import SourceConfig
from wirewatch.model import PollResult, SourceState

# A run starts a little late or early against the previous one (scheduler and worker polling,
# start-up), so a source whose interval equals the deployment's would otherwise be found a few
# seconds short of due on every other run. A quarter of the interval, at most 30 s, is early
# enough for that and never makes a run of a shorter schedule poll twice per interval.
EARLY_FRACTION = 0.25
EARLY_MAX_SECONDS = 30.0
BACK_OFF_FACTOR = 2.0


@dataclass(frozen=True, slots=True)
class NotDue:
    """A source left out of a run, and how long until it is due."""

    name: str
    due_in: float  # seconds


def interval(source: SourceConfig, state: SourceState | None) -> float:
    """The seconds between this source's polls now: its paced interval, held within
    ``poll_every`` .. ``poll_every_max`` (so that a changed configuration applies at once)."""
    paced = state.poll_interval if state is not None and state.poll_interval is not None else source.poll_every
    return min(max(paced, source.poll_every), source.poll_every_max or source.poll_every)


def due_in(source: SourceConfig, state: SourceState | None, now: dt.datetime) -> float:
    """Seconds until the source is due (0 or less: due now; never polled: due)."""
    if state is None or state.last_poll is None:
        return 0.0
    every = interval(source, state)
    early = min(every * EARLY_FRACTION, EARLY_MAX_SECONDS)
    return (state.last_poll - now).total_seconds() + every - early


def due_sources(
    sources: Iterable[SourceConfig], states: Mapping[str, SourceState], now: dt.datetime, *, every_source: bool = False
) -> tuple[list[SourceConfig], list[NotDue]]:
    """The enabled sources to poll at ``now`` (all of them with ``every_source``), and the others
    with the time until they are due. Disabled sources are in neither list."""
    due, waiting = [], []
    for source in sources:
        if not source.enabled:
            continue
        left = due_in(source, states.get(source.name), now)
        if every_source or left <= 0:
            due.append(source)
        else:
            waiting.append(NotDue(source.name, left))
    return due, waiting


def paced(poll: PollResult, source: SourceConfig, previous: SourceState | None, known_guids: Collection[str]) -> PollResult:
    """The poll with the interval to its next poll set in its state: ``poll_every`` after a poll
    that brought an item not in ``known_guids`` (the source's stored GUIDs), the previous
    interval doubled (at most ``poll_every_max``) after a quiet one, unchanged after a failure."""
    state = poll.state
    last_new_at = previous.last_new_at if previous is not None else None
    if state.last_status == "error":
        every = interval(source, previous)
    elif any(a.guid is None or a.guid not in known_guids for a in poll.articles):
        every, last_new_at = source.poll_every, state.last_poll
    else:
        every = min(interval(source, previous) * BACK_OFF_FACTOR, source.poll_every_max or source.poll_every)
    return replace(poll, state=replace(state, poll_interval=every, last_new_at=last_new_at))
