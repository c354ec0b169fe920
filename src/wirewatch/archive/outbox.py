"""The alert outbox: pending alerts due for delivery, delivery outcomes with retries, listings,
the daily digest, and alerts created from stored matches (``alert_history``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np

from wirewatch.archive.schema import ArchiveBase
from wirewatch.archive.columns import naive_utc, objects, route_columns, time_column
from wirewatch.model import AlertRoute, DeliveryResult, PendingAlert, StorySummary


class Outbox(ArchiveBase):
    """The alerts: due, delivered, listed, digested."""

    def due_alerts(self, *, now: dt.datetime, max_attempts: int) -> list[PendingAlert]:
        """Pending alerts whose next attempt is due, oldest first, with their message's data."""
        rows = self._records("queries/due_alerts", {"now": naive_utc(now), "max_attempts": max_attempts})
        return [
            PendingAlert(**{
                **r, "headline": r["headline"] or "", "source": r["source"] or "", "terms": tuple(r["terms"] or ()),
                "snippet": r["snippet"] or "", "story_outlets": tuple(r["story_outlets"]),
            })  # fmt: skip
            for r in rows
        ]

    def record_deliveries(
        self, results: Sequence[DeliveryResult], *, now: dt.datetime, max_attempts: int, backoff_seconds: float
    ) -> None:
        """Record delivery outcomes: sent, or retry after ``backoff_seconds * 2**(attempts-1)``,
        or failed for good once ``max_attempts`` attempts have failed."""
        self._writable()
        if not results:
            return
        with self.transaction():
            self._input("delivery_input", {
                "alert_id": objects([r.alert_id for r in results]),
                "ok": np.array([r.ok for r in results], dtype=bool),
                "error": objects([r.error for r in results]),
                "sent_at": time_column([r.sent_at for r in results]),
            })  # fmt: skip
            self._run("queries/record_deliveries", {
                "now": naive_utc(now), "max_attempts": max_attempts, "backoff_seconds": float(backoff_seconds),
            })  # fmt: skip

    def retry_failed_alerts(self) -> int:
        """Give every failed alert a fresh set of attempts; returns how many."""
        with self.transaction():
            return len(self._run("queries/retry_failed_alerts").fetchall())

    def alert_listing(self, status: str | None = None) -> tuple[list[str], list[tuple]]:
        """Outbox rows with their article's headline, newest first: ``(column names, rows)``."""
        result = self._run("queries/alert_listing", {"status": status})
        return [d[0] for d in result.description], result.fetchall()

    def story_topic_alerts(self, story_ids: Sequence[str]) -> list[tuple[str, str, str, str]]:
        """``(alert_id, topic, story_id, article_id)`` of every alert of the given stories."""
        return self._run("queries/story_topic_alerts", {"story_ids": list(story_ids)}).fetchall()

    def daily_digest(self, *, since: dt.datetime) -> list[tuple[str, StorySummary]]:
        """``(topic, story)`` for every story a topic matched since ``since``, by topic, best
        scored first: the earliest matching article's headline, link and dateline, the story's
        sources, its matching articles and the union of matched terms."""
        rows = self._records("queries/daily_digest", {"since": naive_utc(since)})
        return [
            (r["topic"], StorySummary(story_id=r["story_id"], headline=r["headline"] or "", url=r["url"],
                                      sources=r["n_sources"], articles=r["n_matching"],
                                      dateline_place=r["dateline_place"], dateline_date=r["dateline_date"],
                                      agency=r["agency"], terms=tuple(r["terms"]), outlets=tuple(r["outlets"]),
                                      speakers=tuple(r["speakers"])))
            for r in rows
        ]  # fmt: skip

    def alert_history(
        self, routes: Mapping[str, AlertRoute], *, since: dt.datetime, now: dt.datetime, run_id: str | None = None
    ) -> list[str]:
        """Create pending alerts from stored matches of the routed topics (articles since
        ``since``): one per topic, story and channel that has none yet. Returns their ids."""
        self._writable()
        with self.transaction():
            self._input("batch_routes_input", route_columns(routes))
            params = {"since": naive_utc(since), "now": naive_utc(now), "run_id": run_id}
            return self._insert_alerts("queries/history_alerts", params)
