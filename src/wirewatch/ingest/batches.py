"""Batches made ready for the store: read, checked, keyed, MinHashed and topic-matched, here or
in worker processes while the store writes the previous batch.

The store is one writer; everything before it is pure work on each batch, which a second core
can do. This module imports no database, network or alert code, so that workers start quickly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TypeVar

from wirewatch import dedupe, limits, quotes
from wirewatch.topics import matcher as topics
from wirewatch.config import TopicConfig
from wirewatch.model import Article, Quote, TopicMatch, WireItem

BATCH_SIZE = 1000  # articles per store transaction
# ... when worker processes prepare the batches: the writer then bounds the import, and its cost
# per transaction (a fixed set of statements, however many articles) is on the critical path, so
# larger batches cut its CPU per item. In one process the smaller batches keep memory lower: an
# import into a large archive stays within 1 GB with 1,000 (bench: the import and size rows).
PREPARED_BATCH_SIZE = 2000
# ... into a lake: each of its statements reads the lake's catalog (data files, statistics) first,
# a cost per statement whatever the batch, which larger transactions spread over more articles
# (bench: lake_import).
LAKE_BATCH_SIZE = 5000
YOUNG_COLLECTION_EVERY = 10_000  # allocations between young-generation collections (see below)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch with everything computed that needs no database: what ``ingest_batch`` would
    compute first, so that worker processes can do it while the store writes."""

    articles: Sequence[Article]
    reasons: list[str | None]  # why each article cannot be stored, None when it can
    keys: dedupe.BatchKeys  # of the accepted articles, in order
    matches: list[Sequence[TopicMatch]] | None = None  # of each accepted article, when matched ahead
    quotes: list[Sequence[Quote]] | None = None  # of each accepted article, when extracted ahead


def article_quotes(article: Article) -> list[Quote]:
    """The quotes of an article (``quotes.extract_quotes``), dated against its publication."""
    return quotes.extract_quotes(article.item, published=article.published_at)


def prepare_batch(
    articles: Sequence[Article],
    *,
    match: Callable[[Article], Sequence[TopicMatch]] | None = None,
    signatures: bool = False,
    quoted: bool = False,
) -> PreparedBatch:
    """Check, key and (with ``match``) topic-match a batch. ``signatures``: compute every MinHash
    signature now, though the store needs only those of new and revised articles; ``quoted``:
    extract every article's quotes now, though the store keeps only those of new and revised ones."""
    reasons = [_rejection(a) for a in articles]
    articles = [limits.capped(a) if reason is None else a for a, reason in zip(articles, reasons)]
    accepted = [a for a, reason in zip(articles, reasons) if reason is None]
    keys = dedupe.batch_keys(accepted, signatures=signatures)
    matches = [match(a) for a in accepted] if match is not None else None
    return PreparedBatch(articles, reasons, keys, matches, [article_quotes(a) for a in accepted] if quoted else None)


def _rejection(article: Article) -> str | None:
    """Why an article cannot be stored (one line naming the field), or None."""
    if not isinstance(article.source, str) or not article.source.strip():
        return "no source name"
    item = article.item
    if not isinstance(item, WireItem):
        return "item: not a wire item"
    for name in ("section", "headline"):
        if not isinstance(getattr(item, name), str):
            return f"{name}: not text"
    if not set(map(type, item.paragraphs)) <= {str}:  # every paragraph a str, without a Python loop
        return "body: a paragraph is not text"
    if not item.headline.strip() and not any(p.strip() for p in item.paragraphs):
        return "empty item: no headline and no body"
    for name in ("published_at", "fetched_at"):
        if not isinstance(getattr(article, name), dt.datetime | None):
            return f"{name}: not a date and time"
    return None


Job = TypeVar("Job")
Read = TypeVar("Read")
# What a job reads: whatever the caller reports on (e.g. the polls of a folder's files) and the
# articles to store, in order. Runs in a worker process: a module-level function or a partial.
Reader = Callable[[Job], tuple[Read, list[Article]]]


def article_matcher(chosen: Sequence[TopicConfig]) -> Callable[[Article], Sequence[TopicMatch]]:
    """The topics compiled once, as the store's per-article match callback."""
    matcher = topics.compile_topics(chosen)
    return lambda article: matcher.match_article(article)


def batches_of(articles: Sequence[Article], batch_size: int = BATCH_SIZE) -> list[Sequence[Article]]:
    """The articles in store batches (at least one, maybe empty: it carries the source states)."""
    return [articles[start : start + batch_size] for start in range(0, max(len(articles), 1), batch_size)]


def batch_size(workers: int, *, lake: bool = False) -> int:
    """Articles per store transaction, with ``workers`` worker processes, into a lake or a file."""
    if lake:
        return LAKE_BATCH_SIZE
    return PREPARED_BATCH_SIZE if workers > 0 else BATCH_SIZE


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
    size: int = PREPARED_BATCH_SIZE,
    quoted: bool = True,
) -> Iterator[tuple[Read, list[PreparedBatch] | None]]:
    """Each job's reading, in job order, with its articles' store batches (``batches_of``, of
    ``size`` articles) prepared in ``workers`` processes (default: ``default_workers``)
    while the caller stores the previous ones: keys, every MinHash signature and the ``chosen``
    topics' matches and (``quoted``) the articles' quotes. With no workers, jobs are read here and their batches left for the store to
    prepare (None), which then computes only what new and revised articles need."""
    if workers is None:
        workers = default_workers(len(jobs))
    with _batch_sized_collections():
        if workers <= 0:
            for job in jobs:
                yield read(job)[0], None
            return
        yield from _prepared_in_workers(jobs, read, chosen, workers, size, quoted)


@contextlib.contextmanager
def _batch_sized_collections() -> Iterator[None]:
    """Young-generation garbage collections every ``YOUNG_COLLECTION_EVERY`` allocations instead
    of 700 while batches go through (they allocate some 100,000 objects each and free them
    together, with no cycles): a twentieth of the work, measured on both sides of the pipe."""
    thresholds = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _prepared_in_workers(
    jobs: Sequence[Job], read: Reader[Job, Read], chosen: Sequence[TopicConfig], workers: int, size: int, quoted: bool
) -> Iterator[tuple[Read, list[PreparedBatch]]]:
    context = _worker_context()
    queued = iter(jobs)
    pending: deque[tuple[Job, Future[tuple[Read, list[PreparedBatch]]]]] = deque()
    # Only this process holds the sending end: however it ends (kill -9 included), the workers
    # read end-of-file and exit rather than outlive it.
    lifeline, held = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(list(chosen), lifeline))
    try:
        with _stopped_by_signals(lambda: _abandon(pool, held)) as stop:
            yield from _results_in_order(pool, queued, pending, read, workers, size, quoted, stop)
    except BaseException:
        # Ctrl-C, SIGTERM, or the caller stopped early: the workers go now, not after their jobs
        _abandon(pool, held)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        held.close()
        lifeline.close()
    for job in itertools.chain((job for job, _ in pending), queued):
        yield read(job)[0], None


def _results_in_order(
    pool: ProcessPoolExecutor,
    queued: Iterator[Job],
    pending: deque[tuple[Job, Future[tuple[Read, list[PreparedBatch]]]]],
    read: Reader[Job, Read],
    workers: int,
    size: int,
    quoted: bool,
    stop: threading.Event,
) -> Iterator[tuple[Read, list[PreparedBatch]]]:
    """The workers' results in job order, ``workers + 1`` jobs in flight; what is left in
    ``pending`` and ``queued`` when the pool breaks is for the caller to read itself. Once
    ``stop`` is set, the next batch asked for raises KeyboardInterrupt instead."""
    try:
        # one job ahead per worker keeps them busy while the store writes; more only holds memory
        for job in itertools.islice(queued, workers + 1):
            pending.append((job, pool.submit(_read_and_prepare, read, job, size, quoted)))
        while pending:
            done = pending[0][1].result()
            pending.popleft()
            job = next(queued, None)
            if job is not None:
                pending.append((job, pool.submit(_read_and_prepare, read, job, size, quoted)))
            yield done
            if stop.is_set():  # the interrupt was swallowed where it landed (DuckDB, a finaliser)
                raise KeyboardInterrupt
    except BrokenProcessPool as error:
        if stop.is_set():  # the workers were stopped on purpose
            raise KeyboardInterrupt from None
        # Workers could not start (a script without an `if __name__ == "__main__":` guard
        # re-runs in each) or died (out of memory): nothing is lost, the rest is read here.
        logger.warning("worker processes failed (%s); reading the remaining batches in this process", error)


def _abandon(pool: ProcessPoolExecutor, held: multiprocessing.connection.Connection) -> None:
    """Tell the workers to exit now (their lifeline closes). A worker that exits while sending a
    result leaves half a message, which the pool's manager thread would wait on for good (and
    with it the interpreter's exit), since this process holds the result pipe's writing end too:
    closed here, the wait ends in end-of-file and the pool counts as broken."""
    held.close()
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


@contextlib.contextmanager
def _stopped_by_signals(stop_workers: Callable[[], None]) -> Iterator[threading.Event]:
    """SIGINT and SIGTERM (where nobody else handles them, in the main thread) stop the workers
    at once (``stop_workers``) and end the work as Ctrl-C does: the batch being written
    rolls back, the stored ones stay. The event they set is there for when the KeyboardInterrupt
    is lost where it landed."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def stop_now(signum: int, frame: object) -> None:
        stop.set()
        stop_workers()
        raise KeyboardInterrupt

    previous = {
        number: signal.signal(number, stop_now)
        for number in (signal.SIGINT, signal.SIGTERM)
        if signal.getsignal(number) in (signal.default_int_handler, signal.SIG_DFL)
    }
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a server process that imported the reading and preparing code once:
    spawning imports it in every worker (a second of CPU apiece), and forking the caller would
    copy DuckDB's threads mid-flight. Spawn where there is no forkserver (Windows)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # "__main__" too: each worker would otherwise import the program's main module itself (the
    # bench's imported ~4 s of modules per worker; the CLI's ~0.35 s), while the writer waits
    context.set_forkserver_preload(["__main__", "wirewatch.ingest.batches", "wirewatch.sources.inputs"])
    return context


_worker_match: Callable[[Article], Sequence[TopicMatch]] | None = None


def _start_worker(chosen: Sequence[TopicConfig], lifeline: multiprocessing.connection.Connection) -> None:
    """Compile the topics once per worker process, with batch-sized collections (see
    ``_batch_sized_collections``); what exists now lives until the end: frozen out of them.
    The worker exits as soon as ``lifeline`` reads end-of-file: its parent is gone or done."""
    global _worker_match
    # Ctrl-C reaches the whole process group: the main process handles it (batches are
    # transactions) and shuts the pool down; a worker would only print a traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(lifeline,), name="lifeline", daemon=True).start()
    _worker_match = article_matcher(chosen) if chosen else None
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])


def _exit_with_parent(lifeline: multiprocessing.connection.Connection) -> None:
    try:
        lifeline.recv()  # nothing is ever sent: this returns when the sending end closes
    except (EOFError, OSError):
        pass
    os._exit(0)  # at once: the pool's queues and threads belong to a parent that has gone


def _read_and_prepare(read: Reader[Job, Read], job: Job, size: int, quoted: bool) -> tuple[Read, list[PreparedBatch]]:
    """In a worker: read the job and prepare its store batches."""
    result, articles = read(job)
    chunks = batches_of(articles, size)
    return result, [prepare_batch(chunk, match=_worker_match, signatures=True, quoted=quoted) for chunk in chunks]
