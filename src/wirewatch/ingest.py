"""The ingest stage: one batch of articles into the archive, in one transaction.

The batch is checked and keyed (``batches.prepare_batch``, unless a worker process did it),
the stored articles its keys point at are read, ``dedupe.plan_batch`` decides what each item is
(new, duplicate, revision), ``dedupe.link_stories`` joins new articles to stories, the topics
match the final version of each article, and the store writes versions, the story index,
matches, pending alerts, withdrawals, source states, copies and run counts: all inside one
``with store.transaction():``, or nothing at all. Every decision is made here; the store only
stores.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from wirewatch import dedupe
from wirewatch.batches import PreparedBatch, article_quotes, prepare_batch
from wirewatch.model import AlertRoute, Article, BatchResult, Outcome, SourceState, StoryLink, TopicMatch, VersionsToWrite
from wirewatch.store import Store, naive_utc, time_column

OUTCOME_STATUSES = ("new", "duplicate", "revised", "rejected")


def ingest_batch(
    store: Store,
    run_id: str,
    batch: Sequence[Article] | PreparedBatch,
    *,
    now: dt.datetime,
    polls: Sequence[SourceState] = (),
    match: Callable[[Article], Sequence[TopicMatch]] | None = None,
    routes: Mapping[str, AlertRoute] | None = None,
    story_window_days: int = 14,
    quoted: bool = True,
) -> BatchResult:
    """Store a batch in one transaction and say what became of each article.

    Exact duplicates (same source and GUID or URL with a text seen before,
    or the same content hash) are counted, not stored; a known article with a new text
    becomes its next revision (the old text goes to ``article_revisions``); new articles
    join the story of the most similar article of the window (MinHash/LSH, estimated
    Jaccard >= 0.5) or start their own. ``match`` is called once for the final version of
    each new or revised article; its matches are stored, and pending alerts created per
    ``routes`` (at most one per topic, story and channel; one more per new term when the
    route re-alerts on updates). ``polls`` are saved as the sources' states. Ingesting the
    same inputs again changes nothing but the run's duplicate count. A ``PreparedBatch``
    (see ``prepare_batch``) brings its keys, signatures and matches computed elsewhere. With
    ``quoted``, the quotes of the final versions are stored too (extracted ahead, or here)."""
    started = time.perf_counter()
    now = naive_utc(now)
    prepared = batch if isinstance(batch, PreparedBatch) else prepare_batch(batch)
    articles, reasons, keys = prepared.articles, prepared.reasons, prepared.keys
    rows = [i for i, reason in enumerate(reasons) if reason is None]  # accepted -> batch position
    accepted = [articles[i] for i in rows]
    timings = {"keys": time.perf_counter() - started}
    event_at = time_column([a.published_at or a.fetched_at or now for a in accepted])
    with store.transaction():
        known, first_versions = store.known_articles(keys.join_keys)
        decisions = dedupe.plan_batch(keys.keys, known)
        writes = [i for i, d in enumerate(decisions) if d.status in ("new", "revised")]
        step = time.perf_counter()
        signatures, usable = keys.signatures(writes)
        indexed = [i for i in writes if usable[i]]
        bands = dedupe.band_keys(signatures[indexed]) if indexed else np.empty((0, dedupe.BANDS), np.int32)
        store.stage_bands(indexed, bands, event_at[indexed])
        links = _link_new(store, decisions, writes, signatures, usable, event_at, story_window_days)
        timings["near_duplicates"] = time.perf_counter() - step
        for d in decisions:
            if d.story_id is None and d.first_row is not None:
                d.story_id = links[d.first_row].story_id
        final = {decisions[i].article_id: i for i in writes}  # the last version of each article
        story_links = [first_versions.get(decisions[i].article_id) or (links.get(decisions[i].first_row), None)
                       for i in writes]  # fmt: skip
        store.stage_versions(_versions(accepted, keys, signatures, usable, decisions, writes, set(final.values()),
                                       story_links, event_at))  # fmt: skip
        store.write_versions(run_id=run_id, now=now, revising=any(decisions[i].status == "revised" for i in writes))
        earliest = event_at[writes].min().item() if writes else now
        cutoff = min(now, earliest) - dt.timedelta(days=story_window_days)
        store.prune_story_index(cutoff)
        matched: list[tuple[str, TopicMatch]] = []
        alert_ids: list[str] = []
        if match is not None or prepared.matches is not None:
            step = time.perf_counter()
            if prepared.matches is not None:  # matched ahead, in a worker process
                matched = [(a_id, m) for a_id, i in final.items() for m in prepared.matches[i]]
            else:
                matched = [(a_id, m) for a_id, i in final.items() for m in match(accepted[i])]
            timings["match"] = time.perf_counter() - step
            store.add_matches(matched, run_id=run_id, now=now)
            if routes:
                alert_ids = store.create_alerts(routes, run_id=run_id, now=now)
        if quoted:
            step = time.perf_counter()
            extracted = prepared.quotes
            store.add_quotes([(a_id, extracted[i] if extracted is not None else article_quotes(accepted[i]))
                              for a_id, i in final.items()], run_id=run_id, now=now)  # fmt: skip
            timings["quotes"] = time.perf_counter() - step
        killed = sorted({k.article_id for a, k in zip(accepted, keys.keys) if a.wire is not None and a.wire.kill})
        if killed:
            alert_ids += store.withdraw(killed, [dedupe.signed64(a) for a in killed], run_id=run_id, now=now)
        if polls:
            store.save_source_states(polls, now=now)
        copies = copies_of_others(accepted, keys.keys, decisions)
        copied_guids = [(a.source, a.guid, d.article_id) for a, _, d in copies if a.guid]
        if copied_guids:
            store.record_copied_guids(copied_guids, now=now)
        store.record_copy_decisions([(a.source, a.guid, a.url, k.url_norm, d.article_id) for a, k, d in copies],
                                    run_id=run_id, now=now, cutoff=cutoff)  # fmt: skip
        outcomes = outcomes_of(reasons, rows, decisions, links)
        counts = {s: sum(1 for o in outcomes if o.status == s) for s in OUTCOME_STATUSES}
        store.count_batch(run_id=run_id, now=now, counts={
            **counts, "fetched": len(articles), "flagged": len({a for a, _ in matched}), "alerts": len(alert_ids),
        })  # fmt: skip
    timings["total"] = time.perf_counter() - started
    return BatchResult(outcomes, matched, alert_ids, timings)


def _link_new(
    store: Store,
    decisions: list[dedupe.Decision],
    writes: list[int],
    signatures: np.ndarray,
    usable: np.ndarray,
    event_at: np.ndarray,
    window_days: int,
) -> dict[int, StoryLink]:
    """Story links of the batch's new articles, by batch row (the band keys staged)."""
    new = [i for i in writes if decisions[i].status == "new"]
    if not new:
        return {}
    position = {row: n for n, row in enumerate(new)}
    candidates = [
        dedupe.Candidate(position[row], article_id, story_id, np.frombuffer(signature, dtype=np.uint32))
        for row, article_id, story_id, signature in store.story_candidates(window_days)
        if row in position
    ]
    links = dedupe.link_stories(
        [decisions[i].article_id for i in new],
        signatures[new],
        usable[new],
        dedupe.band_keys(signatures[new]),
        event_at[new].astype(np.int64) / 1e6,  # seconds since the epoch
        candidates,
        window_seconds=window_days * 86400,
    )
    return dict(zip(new, links))


def _versions(
    accepted: list[Article],
    keys: dedupe.BatchKeys,
    signatures: np.ndarray,
    usable: np.ndarray,
    decisions: list[dedupe.Decision],
    writes: list[int],
    final_rows: set[int],
    story_links: list[tuple[StoryLink | None, dt.datetime | None]],
    event_at: np.ndarray,
) -> VersionsToWrite:
    """The versions to write; ``story_links`` gives, per version, how its article joined its
    story and (for a stored article) when it was first seen."""
    return VersionsToWrite(
        rows=writes,
        status=[decisions[i].status for i in writes],
        is_final=[i in final_rows for i in writes],
        article_id=[decisions[i].article_id for i in writes],
        article_key=[dedupe.signed64(decisions[i].article_id) for i in writes],
        story_id=[decisions[i].story_id for i in writes],
        revision=[decisions[i].revision for i in writes],
        links=[link for link, _ in story_links],
        first_seen=[first_seen for _, first_seen in story_links],
        articles=[accepted[i] for i in writes],
        url_norm=[keys.keys[i].url_norm for i in writes],
        content_hash=[keys.keys[i].content_hash for i in writes],
        text_hash=[keys.keys[i].text_hash for i in writes],
        url_key=keys.join_keys["url_key"][writes],
        content_key=keys.join_keys["content_key"][writes],
        event_at=event_at[writes],
        signature=[signatures[i].tobytes() if usable[i] else None for i in writes],
    )


def copies_of_others(
    accepted: Sequence[Article], keys: Sequence[dedupe.ItemKeys], decisions: Sequence[dedupe.Decision]
) -> list[tuple[Article, dedupe.ItemKeys, dedupe.Decision]]:
    """Items dropped as exact copies of another article (not the same item again)."""
    return [(a, k, d) for a, k, d in zip(accepted, keys, decisions)
            if d.status == "duplicate" and d.article_id != k.article_id]  # fmt: skip


def outcomes_of(
    reasons: list[str | None],
    rows: list[int],
    decisions: list[dedupe.Decision],
    links: Mapping[int, StoryLink],
) -> list[Outcome]:
    """One outcome per article of the batch, in batch order."""
    outcomes = [Outcome("rejected", reason=reason) for reason in reasons]
    for i, (row, d) in enumerate(zip(rows, decisions)):
        link = links.get(i) if d.status == "new" else None
        outcomes[row] = Outcome(
            d.status, d.article_id, d.story_id, d.revision,
            relation=link.relation if link else None, similarity=link.similarity if link else None,
        )  # fmt: skip
    return outcomes
