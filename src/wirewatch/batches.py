"""Store batches made ready for the store: read, keyed, MinHashed and topic-matched, here or in
worker processes while the store writes the previous batch.

The store is one writer; everything before it is pure work on each batch, which a second core
can do. This module imports no network or alert code, so that workers start quickly.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from wirewatch import topics
from wirewatch.config import TopicConfig
from wirewatch.model import Article, TopicMatch
from wirewatch.store import PreparedBatch, prepare_batch

BATCH_SIZE = 1000  # articles per store transaction

Job = TypeVar("Job")
Read = TypeVar("Read")
# What a job reads: whatever the caller reports on (e.g. the polls of a folder's files) and the
# articles to store, in order. Runs in a worker process: a module-level function or a partial.
Reader = Callable[[Job], tuple[Read, list[Article]]]


def article_matcher(chosen: Sequence[TopicConfig]) -> Callable[[Article], Sequence[TopicMatch]]:
    """The topics compiled once, as the store's per-article match callback."""
    matcher = topics.compile_topics(chosen)
    return lambda article: matcher.match(article.item, lang=article.lang)


def batches_of(articles: Sequence[Article], batch_size: int = BATCH_SIZE) -> list[Sequence[Article]]:
    """The articles in store batches (at least one, maybe empty: it carries the source states)."""
    return [articles[start : start + batch_size] for start in range(0, max(len(articles), 1), batch_size)]


def default_workers(jobs: int) -> int:
    """One worker per core when there is more than one job (a worker takes about a second to
    start), else none."""
    return (os.cpu_count() or 1) if jobs > 1 else 0


def prepared_batches(
    jobs: Sequence[Job],
    read: Reader[Job, Read],
    chosen: Sequence[TopicConfig],
    *,
    workers: int | None = None,
) -> Iterator[tuple[Read, list[PreparedBatch] | None]]:
    """Each job's reading, in job order, with its articles' store batches (``batches_of``)
    prepared in ``workers`` processes (default: ``default_workers``) while the caller stores the
    previous ones: keys, every MinHash signature and the ``chosen`` topics' matches. With no
    workers, jobs are read here and their batches left for the store to prepare (None), which
    then computes only what new and revised articles need."""
    if workers is None:
        workers = default_workers(len(jobs))
    if workers <= 0:
        for job in jobs:
            yield read(job)[0], None
        return
    # spawn: the parent holds DuckDB's threads, which a fork would copy mid-flight
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(list(chosen),)) as pool:
        pending: deque[Future[tuple[Read, list[PreparedBatch]]]] = deque()
        queued = iter(jobs)
        # one job ahead per worker keeps them busy while the store writes; more only holds memory
        for job in itertools.islice(queued, workers + 1):
            pending.append(pool.submit(_read_and_prepare, read, job))
        while pending:
            done = pending.popleft().result()
            job = next(queued, None)
            if job is not None:
                pending.append(pool.submit(_read_and_prepare, read, job))
            yield done


_worker_match: Callable[[Article], Sequence[TopicMatch]] | None = None


def _start_worker(chosen: Sequence[TopicConfig]) -> None:
    """Compile the topics once per worker process."""
    global _worker_match
    _worker_match = article_matcher(chosen) if chosen else None


def _read_and_prepare(read: Reader[Job, Read], job: Job) -> tuple[Read, list[PreparedBatch]]:
    """In a worker: read the job and prepare its store batches."""
    result, articles = read(job)
    return result, [prepare_batch(chunk, match=_worker_match, signatures=True) for chunk in batches_of(articles)]
