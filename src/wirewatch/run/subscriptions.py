"""WebSub subscriptions and refused-request counts in the archive (sql/migrations/009_websub.sql):
loaded, saved, forgotten, counted. Storage only; ``wirewatch.sources.websub`` decides."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from wirewatch.archive.columns import aware, naive_utc
from wirewatch.archive.store import Store
from wirewatch.sources.websub import Subscription

_TIMES = ("requested_at", "verified_at", "expires_at", "checked_at")
_FIELDS = [f.name for f in dataclasses.fields(Subscription)]


def load(store: Store) -> dict[str, Subscription]:
    """Every stored subscription, by source name (times as aware UTC)."""
    return {
        r["source"]: Subscription(**{k: aware(v) if k in _TIMES else v for k, v in r.items()})
        for r in store.named("queries/websub_subscriptions")
    }


def save(store: Store, subscriptions: Sequence[Subscription], *, forget: Iterable[str] = (), now: dt.datetime) -> None:
    """Store ``subscriptions`` (replacing each source's row) and drop those of ``forget``, in one
    transaction."""
    columns = {name: [naive_utc(getattr(s, name)) if name in _TIMES else getattr(s, name) for s in subscriptions]
               for name in _FIELDS}  # fmt: skip
    with store.transaction():
        store.named("queries/websub_save", {"now": naive_utc(now)},
                    inputs={"websub_save_input": columns, "websub_forget_input": {"source": list(forget)}})  # fmt: skip


def add_refusals(store: Store, counts: Mapping[str, int], *, now: dt.datetime) -> None:
    """Add refused callback requests, by reason, to the stored counts."""
    if not counts:
        return
    inputs = {"websub_refusals_input": {"reason": list(counts), "count": list(counts.values())}}
    with store.transaction():
        store.named("queries/websub_refused", {"now": naive_utc(now)}, inputs=inputs)


def refusals(store: Store) -> dict[str, int]:
    return {r["reason"]: r["count"] for r in store.named("queries/websub_refusal_counts")}


def pushed_sources(store: Store, *, now: dt.datetime) -> set[str]:
    """Sources with a verified subscription whose lease runs past ``now``."""
    return {r["source"] for r in store.named("queries/websub_pushed_sources", {"now": naive_utc(now)})}
