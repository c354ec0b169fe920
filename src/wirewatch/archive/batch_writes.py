"""Writing a batch: runs, sources, the versions and story index, matches, alerts, withdrawals,
copies and counts, as ``ingest.plan_batch`` planned them (``write_batch``), and the topics' rule
versions and retagged matches (``ingest.retag``). It only stores: every decision is the ingest
stage's. The primitives run inside the caller's ``with store.transaction():``; times are naive
UTC (``naive_utc``), ``event_at`` columns come from ``time_column``."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
from collections.abc import Mapping, Sequence

import numpy as np

from wirewatch.archive.schema import ArchiveBase
from wirewatch.archive.columns import aware, naive_utc, objects, route_columns, time_column
from wirewatch.model import (
    AlertRoute,
    Article,
    BatchPlan,
    Dateline,
    KnownArticle,
    Quote,
    SourceState,
    StoryLink,
    TopicMatch,
    VersionsToWrite,
)


class BatchWrites(ArchiveBase):
    """Runs, sources and the writes of a batch."""

    # -- runs and sources ------------------------------------------------------------------------

    def begin_run(self, kind: str, *, now: dt.datetime) -> str:
        """Start a run (``ingest``, ``import``, ``backfill``) and return its id (16 hex digits)."""
        self._writable()
        run_id = secrets.token_hex(8)
        with self.transaction():
            self._run("queries/begin_run", {"run_id": run_id, "kind": kind, "now": naive_utc(now),
                                            "host": socket.gethostname(), "pid": os.getpid()})  # fmt: skip
        return run_id

    def running_runs(self) -> list[tuple[str, int]]:
        """(run_id, pid) of every run this machine started that has not ended."""
        return [(r, p) for r, p in self._run("queries/running_runs", {"host": socket.gethostname()}).fetchall()]

    def stop_runs(self, run_ids: Sequence[str], *, now: dt.datetime, status: str) -> None:
        """Record that runs ended without finishing: ``interrupted`` or ``failed``."""
        with self.transaction():
            self._run("queries/stop_runs", {"run_ids": list(run_ids), "now": naive_utc(now), "status": status})

    def finish_run(self, run_id: str, *, now: dt.datetime, errors: int) -> None:
        """Record the end of a run and its errors (added to any counted before)."""
        with self.transaction():
            self._run("queries/finish_run", {"run_id": run_id, "now": naive_utc(now), "errors": errors})

    def source_states(self) -> dict[str, SourceState]:
        """Every polled source's state (validators for conditional GET, health), by name."""
        return {r["name"]: SourceState(**{**r, "last_poll": aware(r["last_poll"]), "last_new_at": aware(r["last_new_at"])})
                for r in self._records("queries/source_states")}  # fmt: skip

    def known_guids(self, *, since: dt.datetime) -> dict[str, set[str]]:
        """The GUIDs of each source's articles first stored since ``since``, and of its items
        dropped since then as copies of stored articles, by source name."""
        rows = self._run("queries/known_guids", {"since": naive_utc(since)}).fetchall()
        return {source: set(guids) for source, guids in rows}

    # -- a batch (the ingest stage, ``wirewatch.ingest.batch``, decides; these write) -------------------

    def known_articles(
        self, join_keys: Mapping[str, np.ndarray]
    ) -> tuple[list[KnownArticle], dict[str, tuple[StoryLink, dt.datetime]]]:
        """Stage the batch's keys (``batch_keys_input``) and read the stored articles they point
        at, and what a revision of each carries over from its first version: how it joined its
        story, and when it was first seen."""
        self._input("batch_keys_input", join_keys)
        known, first_versions = [], {}
        for r in self._records("queries/ingest_known"):
            known.append(KnownArticle(r["article_id"], r["url_norm"], r["story_id"], r["revision"],
                                      tuple(r["content_hashes"]), tuple(r["text_hashes"]), r["source"]))  # fmt: skip
            link = StoryLink(r["story_id"], r["story_relation"], r["similarity"], r["similar_to"])
            first_versions[r["article_id"]] = (link, r["first_seen_at"])
        return known, first_versions

    def stage_bands(self, rows: Sequence[int], band_keys: np.ndarray, event_at: np.ndarray) -> None:
        """Stage the LSH band keys (one row of ``band_keys`` per batch row in ``rows``)."""
        bands = band_keys.shape[1]
        self._input("batch_bands_input", {
            "row": np.repeat(np.array(rows, dtype=np.int64), bands),
            "band_key": band_keys.reshape(-1),
            "event_at": np.repeat(event_at, bands),
        })  # fmt: skip

    def story_candidates(self, rows: Sequence[int], band_keys: np.ndarray, event_at: np.ndarray,
                         window_days: int) -> list[tuple[int, str, str, bytes]]:  # fmt: skip
        """``(batch row, article_id, story_id, signature)`` of stored articles of the window that
        share a band key with a batch row (the band keys of ``rows``, as for ``stage_bands``)."""
        self.stage_bands(rows, band_keys, event_at)
        return self._run("queries/ingest_candidates", {"window_days": window_days}).fetchall()

    def write_batch(self, plan: BatchPlan) -> list[str]:
        """Write a batch's plan (``ingest.plan_batch``), inside the caller's transaction, in the
        order its statements need: versions and the story index, matches and the alerts they
        call for, withdrawals, source states, copies, and last the run's counts. Returns the ids
        of the pending alerts created."""
        run, now = {"run_id": plan.run_id, "now": plan.now}, plan.now
        self.stage_bands(plan.band_rows, plan.band_keys, plan.band_event_at)
        self.stage_versions(plan.versions)
        self.write_versions(**run, revising=plan.revising)
        self.prune_story_index(plan.cutoff)
        alert_ids: list[str] = []
        if plan.matches is not None:
            self.add_matches(plan.matches, **run)
            if plan.routes:
                alert_ids = self.create_alerts(plan.routes, **run)
        if plan.quotes is not None:
            self.add_quotes(plan.quotes, **run)
        if plan.withdrawn:
            alert_ids += self.withdraw(plan.withdrawn, plan.withdrawn_keys, **run)
        if plan.polls:
            self.save_source_states(plan.polls, now=now)
        if plan.copied_guids:
            self.record_copied_guids(plan.copied_guids, now=now)
        self.record_copy_decisions(plan.copy_decisions, **run, cutoff=plan.cutoff)
        self.count_batch(**run, counts={**plan.counts, "alerts": len(alert_ids)})
        return alert_ids

    def stage_versions(self, versions: VersionsToWrite) -> None:
        """Stage the versions to write (``batch_versions_input``)."""
        v = versions
        items = [a.item for a in v.articles]
        self._input("batch_versions_input", {
            "row": np.array(v.rows, dtype=np.int64),
            "status": objects(v.status),
            "is_final": np.array(v.is_final, dtype=bool),
            "article_id": objects(v.article_id),
            "article_key": np.array(v.article_key, dtype=np.int64),
            "story_id": objects(v.story_id),
            "revision": np.array(v.revision, dtype=np.int64),
            **_link_columns(v.links),
            "source": objects([a.source for a in v.articles]),
            "url": objects([a.url for a in v.articles]),
            "url_norm": objects(v.url_norm),
            "guid": objects([a.guid for a in v.articles]),
            "section": objects([item.section for item in items]),
            "headline": objects([item.headline for item in items]),
            "subtitle": objects([item.subtitle for item in items]),
            **_dateline_columns([item.dateline for item in items]),
            # a source's agency stands for an item without a dateline to name one
            "agency": objects([item.dateline.agency if item.dateline else a.agency for item, a in zip(items, v.articles)]),
            "published_at": time_column([a.published_at for a in v.articles]),
            "fetched_at": time_column([a.fetched_at for a in v.articles]),
            "event_at": v.event_at,
            "first_seen_at": time_column(v.first_seen),
            "body": objects([item.body for item in items]),
            "content_hash": objects(v.content_hash),
            "text_hash": objects(v.text_hash),
            "url_key": v.url_key,
            "content_key": v.content_key,
            "lang": objects([a.lang for a in v.articles]),
            "provenance": objects([json.dumps(a.provenance) if a.provenance else None for a in v.articles]),
            "signature": objects(v.signature),
            **_wire_columns(v.articles),
        })  # fmt: skip
        self._run("queries/ingest_stage")

    def write_versions(self, *, run_id: str, now: dt.datetime, revising: bool) -> None:
        """Write the staged versions: articles, revisions (``revising``: some replace a stored
        text) and the story index."""
        params = {"now": now, "run_id": run_id}
        if revising:
            self._run("queries/ingest_replaced")
        self._run("queries/ingest_versions", params)
        if revising:
            earliest, latest = self._run("queries/replaced_span", params).fetchone()
            self._run("queries/ingest_mark_replaced", {**params, "earliest": earliest, "latest": latest})
        self._run("queries/ingest_story_index")

    def prune_story_index(self, cutoff: dt.datetime) -> None:
        """Drop story-index entries older than ``cutoff``."""
        self._run("queries/ingest_prune", {"cutoff": cutoff})

    def add_matches(self, matched: Sequence[tuple[str, TopicMatch]], *, run_id: str, now: dt.datetime) -> None:
        """Store ``(article_id, match)`` pairs of the batch."""
        self._stage_matches(matched)
        self._run("queries/ingest_matches", {"now": now, "run_id": run_id})

    def create_alerts(self, routes: Mapping[str, AlertRoute], *, run_id: str, now: dt.datetime) -> list[str]:
        """Pending alerts for the batch's stored matches per ``routes`` (at most one per topic,
        story and channel; one more per new term when the route re-alerts); returns their ids."""
        self._input("batch_routes_input", route_columns(routes))
        return self._insert_alerts("queries/ingest_alerts", {"now": now, "run_id": run_id})

    def withdraw(self, article_ids: Sequence[str], article_keys: Sequence[int], *, run_id: str,
                 now: dt.datetime) -> list[str]:  # fmt: skip
        """Mark the articles as withdrawn (every version; nothing is deleted) and queue one
        "WITHDRAWN" notice per alert sent about them; returns the notices' ids."""
        self._input("batch_withdrawn_input", {
            "article_id": objects(article_ids),
            "article_key": np.array(article_keys, dtype=np.int64),
        })  # fmt: skip
        earliest, latest = self._run("queries/withdrawn_span").fetchone()
        params = {"now": now, "run_id": run_id, "earliest": earliest, "latest": latest}
        return [row[0] for row in self._run("queries/ingest_withdrawn", params).fetchall()]

    def save_source_states(self, polls: Sequence[SourceState], *, now: dt.datetime) -> None:
        """Save the sources' states (the last one given per source)."""
        self._input("batch_sources_input", _source_columns(polls))
        self._run("queries/ingest_sources", {"now": now})

    def open_health_failures(self) -> dict[str, tuple[int, dt.datetime]]:
        """Sources whose last health alert said failing: name -> (failures then, raised_at UTC)."""
        rows = self._run("queries/open_health_failures").fetchall()
        return {source: (failures, aware(raised_at)) for source, failures, raised_at in rows}

    def record_health_alerts(self, rows: Sequence[tuple], *, run_id: str, now: dt.datetime) -> None:
        """Keep the health alerts raised: ``(source, kind, failures, error, channels, failed_channels)``."""
        names = ("source", "kind", "failures", "error", "channels", "failed_channels")
        with self.transaction():
            self._input("batch_health_input", _row_columns(rows, names))
            self._run("queries/record_health_alerts", {"now": naive_utc(now), "run_id": run_id})

    def record_copied_guids(self, copies: Sequence[tuple[str, str, str]], *, now: dt.datetime) -> None:
        """Keep ``(source, guid, article_id)`` of items dropped as copies of another article."""
        self._input("batch_copies_input", _row_columns(copies, ("source", "guid", "article_id")))
        self._run("queries/ingest_copied_guids", {"now": now})

    def record_copy_decisions(
        self, copies: Sequence[tuple[str, str | None, str | None, str | None, str]], *, run_id: str,
        now: dt.datetime, cutoff: dt.datetime,
    ) -> None:  # fmt: skip
        """Keep the batch's exact copies of other items, ``(source, guid, url, url_norm,
        article_id)`` (``copy_decisions``), and prune those older than ``cutoff``."""
        params = {"now": now, "run_id": run_id, "cutoff": cutoff}
        if copies:
            self._input("batch_copy_decisions_input",
                        _row_columns(copies, ("source", "guid", "url", "url_norm", "article_id")))  # fmt: skip
            self._run("queries/ingest_copy_decisions", params)
        self._run("queries/prune_copy_decisions", params)

    def count_batch(self, *, run_id: str, now: dt.datetime, counts: Mapping[str, int]) -> None:
        """Add a batch's counts (new, duplicate, revised, rejected, fetched, flagged, alerts) to its run."""
        self._run("queries/ingest_counts", {"now": now, "run_id": run_id, **counts})

    def _stage_matches(self, matched: Sequence[tuple[str, TopicMatch]]) -> None:
        hits = [(n, h_no, h) for n, (_, m) in enumerate(matched) for h_no, h in enumerate(m.hits)]
        self._input("batch_matches_input", {
            "match_no": np.arange(len(matched), dtype=np.int64),
            "article_id": objects([a for a, _ in matched]),
            "topic": objects([m.topic for _, m in matched]),
            "score": np.array([m.score for _, m in matched], dtype=np.float64),
            "snippet": objects([m.snippet for _, m in matched]),
            "rule_version": objects([m.rule_version for _, m in matched]),
        })  # fmt: skip
        self._input("batch_hits_input", {
            "match_no": np.array([n for n, _, _ in hits], dtype=np.int64),
            "hit_no": np.array([h_no for _, h_no, _ in hits], dtype=np.int64),
            "term": objects([h.term for _, _, h in hits]),
            "field": objects([h.field for _, _, h in hits]),
            "start": np.array([h.start for _, _, h in hits], dtype=np.int64),
            "end": np.array([h.end for _, _, h in hits], dtype=np.int64),
        })  # fmt: skip
        self._run("queries/stage_matches")

    # -- topics ------------------------------------------------------------------------------------

    def topic_rule_versions(self) -> dict[str, str]:
        """The rule version each topic's stored matches were made with."""
        return dict(self._run("queries/topic_rule_versions").fetchall())

    def record_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime) -> None:
        """Record topics' rule versions (e.g. for topics new to an empty archive)."""
        self._writable()
        with self.transaction():
            self.write_topic_rules(versions, now=now)

    def write_topic_rules(self, versions: Mapping[str, str], *, now: dt.datetime | None) -> None:
        """Record topics' rule versions inside the caller's transaction."""
        self._input("topic_rules_input", {
            "topic": objects(list(versions)), "rule_version": objects(list(versions.values())),
        })  # fmt: skip
        self._run("queries/record_topic_rules", {"now": naive_utc(now)})

    def add_quotes(self, quoted: Sequence[tuple[str, Sequence[Quote]]], *, run_id: str, now: dt.datetime) -> None:
        """Store the quotes ``(article_id, quotes)`` of the batch's final versions (``quote_rows``)."""
        self._input("batch_quotes_input", _quote_columns(quoted))
        self._run("queries/ingest_quotes", {"now": now, "run_id": run_id})

    def requote_clear(self, *, since: dt.datetime) -> None:
        """Drop the quotes of the current versions of the window's articles (``since`` onwards)."""
        self._writable()
        self._run("queries/requote_clear", {"since": naive_utc(since)})

    def requote_rows(self, quoted: Sequence[tuple[str, Sequence[Quote]]], *, now: dt.datetime) -> None:
        """Store ``(article_id, quotes)`` extracted again for stored articles."""
        self._input("batch_quotes_input", _quote_columns(quoted))
        self._run("queries/requote_insert", {"now": naive_utc(now)})

    def retag_clear(self, topic_names: Sequence[str], *, since: dt.datetime) -> None:
        """Drop the named topics' matches of articles of the window (``since`` onwards)."""
        self._input("topic_rules_input", {"topic": objects(sorted(set(topic_names)))})
        self._run("queries/retag_clear", {"since": naive_utc(since)})

    def retag_matches(self, matched: Sequence[tuple[str, TopicMatch]], *, now: dt.datetime) -> None:
        """Store ``(article_id, match)`` pairs found again for stored articles (no alert)."""
        self._stage_matches(matched)
        self._run("queries/retag_matches", {"now": naive_utc(now)})


def _quote_columns(quoted: Sequence[tuple[str, Sequence[Quote]]]) -> dict[str, np.ndarray]:
    rows = [(article_id, n, q) for article_id, quotes in quoted for n, q in enumerate(quotes)]
    keys = [q.speaker_key for _, _, q in rows]
    columns = {"article_id": objects([a for a, _, _ in rows]),
               "quote_no": np.array([n for _, n, _ in rows], dtype=np.int64)}  # fmt: skip
    for name in ("kind", "paragraph", "cue", "speaker", "speaker_title", "speaker_org", "speaker_is_org", "said_at",
                 "said_at_source", "said_at_basis"):  # fmt: skip
        columns[name] = objects([getattr(q, name) for _, _, q in rows])
    columns["span_start"] = np.array([q.start for _, _, q in rows], dtype=np.int64)
    columns["span_end"] = np.array([q.end for _, _, q in rows], dtype=np.int64)
    columns["speaker_key"] = objects([k for k, _ in keys])
    columns["speaker_initial"] = objects([i for _, i in keys])
    return columns


def _row_columns(rows: Sequence[tuple], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Rows of scalars as one object column per name."""
    return {name: objects([row[i] for row in rows]) for i, name in enumerate(names)}


def _link_columns(links: Sequence[StoryLink | None]) -> dict[str, np.ndarray]:
    """How each version's article joined its story (None: it starts one)."""
    return {
        "story_relation": objects([link.relation if link else "first" for link in links]),
        "similarity": objects([link.similarity if link else None for link in links]),
        "similar_to": objects([link.similar_to if link else None for link in links]),
    }


def _dateline_columns(datelines: Sequence[Dateline | None]) -> dict[str, np.ndarray]:
    """The structured datelines of versions to write (all NULL where an item has none)."""

    def column(name: str) -> np.ndarray:
        return objects([getattr(d, name) if d else None for d in datelines])

    return {
        "dateline_raw": column("raw"),
        "dateline_place": column("place"),
        "dateline_region": column("region"),
        "dateline_date_text": column("date_text"),
        "dateline_date": column("date"),
        "dateline_date_source": column("date_source"),
        "agency": column("agency"),
        "agency_raw": column("agency_raw"),
        "dateline_separator": column("separator"),
    }


def _wire_columns(articles: Sequence[Article]) -> dict[str, np.ndarray]:
    """The wire-format metadata of versions to write (all NULL for articles from other inputs)."""
    wires = [a.wire for a in articles]

    def column(name: str) -> np.ndarray:
        return objects([getattr(w, name) if w else None for w in wires])

    return {
        **{name: column(name) for name in ("format", "version", "pub_status", "urgency", "priority", "slugline",
                                           "byline", "take_key", "ednote", "correction")},
        "signals": objects([json.dumps(list(w.signals)) if w else None for w in wires]),
        "subjects": objects([json.dumps(list(w.subjects)) if w else None for w in wires]),
    }  # fmt: skip


def _source_columns(polls: Sequence[SourceState]) -> dict[str, np.ndarray]:
    latest = list({s.name: s for s in polls}.values())  # one row per source: the last state given
    return {
        "name": objects([s.name for s in latest]),
        "kind": objects([s.kind for s in latest]),
        "url": objects([s.url for s in latest]),
        "etag": objects([s.etag for s in latest]),
        "last_modified": objects([s.last_modified for s in latest]),
        "last_poll": time_column([s.last_poll for s in latest]),
        "last_status": objects([s.last_status for s in latest]),
        "last_error": objects([s.last_error for s in latest]),
        "consecutive_failures": np.array([s.consecutive_failures for s in latest], dtype=np.int64),
        "items_seen": np.array([s.items_seen for s in latest], dtype=np.int64),
        "poll_interval": objects([s.poll_interval for s in latest]),
        "last_new_at": time_column([s.last_new_at for s in latest]),
    }

