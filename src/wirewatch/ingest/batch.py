"""The ingest stage: one batch of articles into the archive, in one transaction.

Reads first, then a plan, then one write. The batch is checked and keyed
(``batches.prepare_batch``, unless a worker process did it); the store reads the stored articles
its keys point at (``Store.known_articles``); ``triage`` decides what each item is (new,
duplicate, revision: ``dedupe.plan_batch``) and computes the band keys of those to write; the
store reads the stored articles that share a band (``Store.story_candidates``); ``link_new``
joins new articles to stories; the topics match the final version of each article; and
``plan_batch``, a pure function, says every write: versions, the story index, matches, pending
alerts, withdrawals, source states, copies and run counts. ``Store.write_batch`` writes the plan
in the order of statements it owns, all inside one ``with store.transaction():``, or nothing at
all. Every decision is made here; the store only stores. ``retag`` is the same for stored
articles: the matcher runs here, the store replaces the matches.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wirewatch import dedupe
from wirewatch.ingest.batches import PreparedBatch, article_quotes, prepare_batch
from wirewatch.model import (
    AlertRoute,
    Article,
    BatchPlan,
    Quote,
    BatchResult,
    KnownArticle,
    Outcome,
    SourceState,
    StoryLink,
    TopicMatch,
    VersionsToWrite,
)
from wirewatch.archive.store import Store, naive_utc, time_column

OUTCOME_STATUSES = ("new", "duplicate", "revised", "rejected")
Matcher = Callable[[Article], Sequence[TopicMatch]]


def ingest_batch(
    store: Store,
    run_id: str,
    batch: Sequence[Article] | PreparedBatch,
    *,
    now: dt.datetime,
    polls: Sequence[SourceState] = (),
    match: Matcher | None = None,
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
    timings = {"keys": time.perf_counter() - started}
    with store.transaction():
        known, first_versions = store.known_articles(prepared.keys.join_keys)
        step = time.perf_counter()
        triaged = triage(prepared, known, now=now)
        candidates = store.story_candidates(triaged.indexed, triaged.bands, triaged.event_at[triaged.indexed],
                                            story_window_days) if triaged.new else []  # fmt: skip
        links = link_new(triaged, candidates, story_window_days)
        timings["near_duplicates"] = time.perf_counter() - step
        step = time.perf_counter()
        matched = final_matches(triaged, match)
        if matched is not None:
            timings["match"] = time.perf_counter() - step
        step = time.perf_counter()
        said = final_quotes(triaged) if quoted else None
        if said is not None:
            timings["quotes"] = time.perf_counter() - step
        plan = plan_batch(triaged, links, first_versions, matched, run_id=run_id, now=now, polls=polls,
                          routes=routes or {}, story_window_days=story_window_days, quotes=said)  # fmt: skip
        alert_ids = store.write_batch(plan)
    timings["total"] = time.perf_counter() - started
    return BatchResult(plan.outcomes, plan.matches or [], alert_ids, timings)


@dataclass(slots=True)
class Triage:
    """A batch after the exact-duplicate check, before story linking: what each accepted item
    is, and the MinHash signatures and LSH band keys of the versions to write."""

    prepared: PreparedBatch
    rows: list[int]  # accepted item -> batch position
    accepted: list[Article]
    event_at: np.ndarray  # datetime64[us], per accepted item
    decisions: list[dedupe.Decision]
    writes: list[int]  # accepted items to write: new articles and revisions
    new: list[int]  # of those, the new articles
    signatures: np.ndarray
    usable: np.ndarray  # texts long enough to link on
    indexed: list[int]  # writes with a usable signature
    bands: np.ndarray  # band keys of ``indexed``


def triage(prepared: PreparedBatch, known: Sequence[KnownArticle], *, now: dt.datetime) -> Triage:
    """What each accepted item of ``prepared`` is, given the stored articles its keys point at."""
    rows = [i for i, reason in enumerate(prepared.reasons) if reason is None]
    accepted = [prepared.articles[i] for i in rows]
    event_at = time_column([a.published_at or a.fetched_at or now for a in accepted])
    decisions = dedupe.plan_batch(prepared.keys.keys, known)
    writes = [i for i, d in enumerate(decisions) if d.status in ("new", "revised")]
    signatures, usable = prepared.keys.signatures(writes)
    indexed = [i for i in writes if usable[i]]
    bands = dedupe.band_keys(signatures[indexed]) if indexed else np.empty((0, dedupe.BANDS), np.int32)
    new = [i for i in writes if decisions[i].status == "new"]
    return Triage(prepared, rows, accepted, event_at, decisions, writes, new, signatures, usable, indexed, bands)


def link_new(
    triaged: Triage, candidates: Iterable[tuple[int, str, str, bytes]], window_days: int
) -> dict[int, StoryLink]:
    """Story links of the batch's new articles, by accepted row, from the stored ``candidates``
    (``Store.story_candidates``); each new article's decision gets its story id."""
    t, new = triaged, triaged.new
    if not new:
        return {}
    position = {row: n for n, row in enumerate(new)}
    found = [
        dedupe.Candidate(position[row], article_id, story_id, np.frombuffer(signature, dtype=np.uint32))
        for row, article_id, story_id, signature in candidates
        if row in position
    ]
    links = dict(zip(new, dedupe.link_stories(
        [t.decisions[i].article_id for i in new],
        t.signatures[new],
        t.usable[new],
        dedupe.band_keys(t.signatures[new]),
        t.event_at[new].astype(np.int64) / 1e6,  # seconds since the epoch
        found,
        window_seconds=window_days * 86400,
    )))  # fmt: skip
    for d in t.decisions:
        if d.story_id is None and d.first_row is not None:
            d.story_id = links[d.first_row].story_id
    return links


def final_matches(triaged: Triage, match: Matcher | None) -> list[tuple[str, TopicMatch]] | None:
    """``(article_id, match)`` for the final version of each article written; None when the
    batch is not matched (no matcher, and no matches computed ahead in a worker process)."""
    final = _final_rows(triaged)
    if triaged.prepared.matches is not None:
        return [(a_id, m) for a_id, i in final.items() for m in triaged.prepared.matches[i]]
    if match is None:
        return None
    return [(a_id, m) for a_id, i in final.items() for m in match(triaged.accepted[i])]


def final_quotes(triaged: Triage) -> list[tuple[str, Sequence[Quote]]]:
    """``(article_id, quotes)`` for the final version of each article written: extracted ahead
    in a worker process, or here."""
    extracted = triaged.prepared.quotes
    return [(a_id, extracted[i] if extracted is not None else article_quotes(triaged.accepted[i]))
            for a_id, i in _final_rows(triaged).items()]  # fmt: skip


def _final_rows(triaged: Triage) -> dict[str, int]:
    """The accepted row of each written article's last version in the batch, by article id."""
    return {triaged.decisions[i].article_id: i for i in triaged.writes}


def plan_batch(
    triaged: Triage,
    links: Mapping[int, StoryLink],
    first_versions: Mapping[str, tuple[StoryLink, dt.datetime]],
    matched: list[tuple[str, TopicMatch]] | None,
    *,
    run_id: str,
    now: dt.datetime,
    polls: Sequence[SourceState] = (),
    routes: Mapping[str, AlertRoute],
    story_window_days: int,
    quotes: list[tuple[str, Sequence[Quote]]] | None = None,
) -> BatchPlan:
    """Every write of the batch, from its triage, the story links of its new articles, the
    first versions of the stored articles it revises and its matches: no database."""
    t, writes = triaged, triaged.writes
    earliest = t.event_at[writes].min().item() if writes else now
    killed = sorted({k.article_id for a, k in zip(t.accepted, t.prepared.keys.keys) if a.wire is not None and a.wire.kill})
    copies = copies_of_others(t.accepted, t.prepared.keys.keys, t.decisions)
    outcomes = outcomes_of(t.prepared.reasons, t.rows, t.decisions, links)
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in OUTCOME_STATUSES}
    return BatchPlan(
        run_id=run_id,
        now=now,
        band_rows=t.indexed,
        band_keys=t.bands,
        band_event_at=t.event_at[t.indexed],
        versions=_versions(t, links, first_versions),
        revising=any(t.decisions[i].status == "revised" for i in writes),
        cutoff=min(now, earliest) - dt.timedelta(days=story_window_days),
        matches=matched,
        quotes=quotes,
        routes=routes if matched is not None else {},
        withdrawn=killed,
        withdrawn_keys=[dedupe.signed64(a) for a in killed],
        polls=polls,
        copied_guids=[(a.source, a.guid, d.article_id) for a, _, d in copies if a.guid],
        copy_decisions=[(a.source, a.guid, a.url, k.url_norm, d.article_id) for a, k, d in copies],
        counts={**counts, "fetched": len(t.prepared.articles),
                "flagged": len({a for a, _ in matched or ()})},  # fmt: skip
        outcomes=outcomes,
    )


def _versions(
    triaged: Triage, links: Mapping[int, StoryLink], first_versions: Mapping[str, tuple[StoryLink, dt.datetime]]
) -> VersionsToWrite:
    """The versions to write, with how each article joined its story and (for a stored
    article) when it was first seen: from its first version, else from this batch's link."""
    t, writes, keys = triaged, triaged.writes, triaged.prepared.keys
    final_rows = set(_final_rows(t).values())
    decided = [t.decisions[i] for i in writes]
    story_links = [first_versions.get(d.article_id) or (links.get(d.first_row), None) for d in decided]
    return VersionsToWrite(
        rows=writes,
        status=[d.status for d in decided],
        is_final=[i in final_rows for i in writes],
        article_id=[d.article_id for d in decided],
        article_key=[dedupe.signed64(d.article_id) for d in decided],
        story_id=[d.story_id for d in decided],
        revision=[d.revision for d in decided],
        links=[link for link, _ in story_links],
        first_seen=[first_seen for _, first_seen in story_links],
        articles=[t.accepted[i] for i in writes],
        url_norm=[keys.keys[i].url_norm for i in writes],
        content_hash=[keys.keys[i].content_hash for i in writes],
        text_hash=[keys.keys[i].text_hash for i in writes],
        url_key=keys.join_keys["url_key"][writes],
        content_key=keys.join_keys["content_key"][writes],
        event_at=t.event_at[writes],
        signature=[t.signatures[i].tobytes() if t.usable[i] else None for i in writes],
    )


def retag(
    store: Store,
    topic_names: Sequence[str],
    match: Matcher,
    *,
    since: dt.datetime,
    now: dt.datetime,
    rule_versions: Mapping[str, str] | None = None,
) -> int:
    """Re-evaluate the stored articles of the window (``since`` onwards) for the named topics,
    in one transaction: their matches are replaced, no alert is created, and the topics' rule
    versions are recorded (``rule_versions``, else the versions the new matches carry). Returns
    the number of matches stored."""
    names = set(topic_names)
    versions = dict(rule_versions or {})
    stored = 0
    with store.transaction():
        store.retag_clear(sorted(names), since=since)
        for page in store.article_pages(since):
            matched = [(s.article_id, m) for s in page for m in match(s.article) if m.topic in names]
            for _, m in matched:
                versions.setdefault(m.topic, m.rule_version)
            store.retag_matches(matched, now=now)
            stored += len(matched)
        store.write_topic_rules({t: v for t, v in versions.items() if t in names}, now=now)
    return stored


def requote(store: Store, extract: Callable[[Article], Sequence[Quote]], *, since: dt.datetime, now: dt.datetime) -> int:
    """Extract the quotes of the stored articles of the window (``since`` onwards) again,
    replacing theirs, in one transaction; returns the number of quotes stored."""
    stored = 0
    with store.transaction():
        store.requote_clear(since=since)
        for page in store.article_pages(since):
            quoted = [(s.article_id, extract(s.article)) for s in page]
            store.requote_rows(quoted, now=now)
            stored += sum(len(q) for _, q in quoted)
    return stored


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
