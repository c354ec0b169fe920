"""The scenarios: each takes a ``Scale`` and directories, returns measured rows.

Each runs in a process of its own (see ``__main__``), so that its peak memory is its own. What a
scenario needs but does not measure (generated corpora, the 1M-article archive) is built outside
the measured spans and cached under the cache folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib
import itertools
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import baselines, feedserver
from bench.generate import (
    GENERATOR_VERSION,
    SEED,
    WIRE_SIZED,
    Mix,
    GeneratedItem,
    bench_topics,
    corpus_entries,
    generate,
    near_duplicates,
    read_article,
    write_corpus,
)
from bench.measure import Row, Skip, Span, Target, compare, measured, throughput
from wirewatch.wire import codec
from wirewatch.wire import dateline
from wirewatch.ingest.batch import ingest_batch
from wirewatch.ingest.batches import BATCH_SIZE, PreparedBatch, batch_size, prepared_batches
from wirewatch.run.pipeline import import_workers
from wirewatch.config import Config, HttpConfig, SourceConfig, TopicConfig, load_config
from wirewatch.model import Article

REPO = Path(__file__).resolve().parents[1]
BATCH = BATCH_SIZE  # import batch size, as the pipeline uses
WORKERS = 2  # processes preparing import batches beside the writer, as `wirewatch import` starts on 2 cores
POLL_THREADS = 8  # sources polled at once through one Fetcher, as the figures in the README were measured
NEAR_DUP_BATCH = 100
NEAR_DUP_ROUNDS = 3
IMPORT_BENCH_TOPICS = 20
SEED_SIZED = 0.2  # the codec's parse rows take generated documents within 20% of the seed's size


@dataclass(frozen=True, slots=True)
class Scale:
    codec_docs: int
    import_items: int
    naive_items: int  # the naive loop runs on this first slice of the import, extrapolated per item
    archive_size: int
    corpus_start: int  # the import corpus is stream items [corpus_start, + import_items): after the archive
    feeds: int
    feed_hosts: int
    topic_articles: int
    topic_counts: tuple[int, ...]
    regex_budget: int  # the regex baseline matches about this many (article, topic) pairs
    lsh_baseline_max: int  # the datasketch index is filled up to this many signatures


FULL = Scale(20_000, 100_000, 10_000, 1_000_000, 1_000_000, 500, 10, 5_000, (1, 100, 1_000), 30_000, 400_000)
QUICK = Scale(500, 1_000, 100, 2_000, 2_000, 10, 3, 200, (1, 100), 3_000, 10_000)


@dataclass(frozen=True, slots=True)
class Dirs:
    cache: Path  # kept between runs: generated corpora, the archive store
    work: Path  # scratch for this run


# ---- what the scenarios call ------------------------------------------------------------------
def _require(module: str, *names: str):
    """The module, or Skip naming what is missing (the APIs land while this harness is written)."""
    try:
        found = importlib.import_module(module)
    except ImportError as error:
        raise Skip(f"{module} is not available yet ({error})") from None
    missing = [name for name in names if not hasattr(found, name)]
    if missing:
        raise Skip(f"{module} has no {', '.join(missing)} yet")
    return found


def _import_topics():
    """The topics an import runs with: the shipped defaults (topics.toml beside wirewatch.toml)
    plus 20 bench topics the generated items mention, compiled as the pipeline compiles them."""
    _require("wirewatch.topics.matcher", "compile_topics")
    pipeline = _require("wirewatch.run.pipeline", "prepare_topics")
    shipped = load_config(REPO / "wirewatch.toml", env={}).topics if (REPO / "wirewatch.toml").exists() else ()
    topics = (*shipped, *bench_topics(IMPORT_BENCH_TOPICS))
    return pipeline.prepare_topics(Config(path=None, topics=topics), env={}), len(shipped), topics


def _batched(values: Iterable, size: int) -> Iterator[list]:
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _generate_chunk(bounds: tuple[int, int], mix: Mix = Mix()) -> list[GeneratedItem]:
    return list(generate(*bounds, mix=mix))


def _generated(start: int, count: int, *, workers: int, mix: Mix = Mix()) -> Iterator[list[GeneratedItem]]:
    """Stream items ``[start, start + count)`` in chunks of ``BATCH``, made by worker processes."""
    bounds = [(first, min(BATCH, start + count - first)) for first in range(start, start + count, BATCH)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(partial(_generate_chunk, mix=mix), bounds)


def _corpus(dirs: Dirs, start: int, count: int, mix: Mix = Mix()) -> tuple[Path, list[dict], int]:
    """The import corpus (stream items ``[start, start + count)`` as files), cached."""
    sized = "" if mix.paragraphs == Mix().paragraphs else f"-p{mix.paragraphs[0]}-{mix.paragraphs[1]}"
    directory = dirs.cache / f"corpus-s{SEED}-g{GENERATOR_VERSION}{sized}-{start}-{count}"
    if not (directory / "complete").exists():
        shutil.rmtree(directory, ignore_errors=True)
        chunks = _generated(start, count, workers=2, mix=mix)
        write_corpus((generated for chunk in chunks for generated in chunk), directory)
        (directory / "complete").write_text("")
    entries = corpus_entries(directory)
    return directory, entries, sum(entry["bytes"] for entry in entries)


@dataclass(slots=True)
class Ingested:
    span: Span
    items: int
    statuses: Counter
    batch_seconds: list[float]
    near_seconds: list[float]  # the store's own timing of its near-duplicate step, per batch


def _ingest(store, batches: Iterable[list[Article] | PreparedBatch], topics, *, kind: str = "import",
            quoted: bool = True) -> Ingested:
    """Ingest the batches as one run, each batch stamped with its newest article's time."""
    statuses: Counter = Counter()
    batch_seconds, near_seconds = [], []
    items = 0
    with measured() as span:
        run_id = None
        for batch in batches:
            articles = batch.articles if isinstance(batch, PreparedBatch) else batch
            now = max(a.fetched_at or a.published_at for a in articles)
            if run_id is None:
                run_id = store.begin_run(kind, now=now)
            clock = time.perf_counter()  # not measured(): its collection and freeze would count in the span
            result = ingest_batch(store, run_id, batch, now=now, match=topics.match, routes=topics.routes, quoted=quoted)
            batch_seconds.append(time.perf_counter() - clock)
            near_seconds.append(result.timings.get("near_duplicates", 0.0))
            # new articles by how they joined their story: first | update | copy
            statuses.update(f"new/{o.relation}" if o.status == "new" and o.relation else o.status
                            for o in result.outcomes)
            items += len(articles)
        if run_id is not None:
            store.finish_run(run_id, now=now, errors=0)
    return Ingested(span, items, statuses, batch_seconds, near_seconds)


def _file_batches(directory: Path, entries: Sequence[dict], chosen: Sequence[TopicConfig],
                  workers: int = WORKERS, *, lake: bool = False, quoted: bool = True,
                  ) -> Iterator[list[Article] | PreparedBatch]:  # fmt: skip
    """The corpus files as store batches, read and prepared by ``workers`` processes the way
    `wirewatch import` prepares them (its files carry no manifest metadata: sources, GUIDs and
    times come from the manifest here); with none, read here and prepared by the store."""
    size = batch_size(workers, lake=lake)
    jobs = list(_batched(entries, size))
    for articles, prepared in prepared_batches(jobs, partial(_read_entries, directory), chosen, workers=workers,
                                               size=size, quoted=quoted):  # fmt: skip
        yield from prepared if prepared is not None else [articles]


def _read_entries(directory: Path, entries: Sequence[dict]) -> tuple[list[Article], list[Article]]:
    articles = [read_article(directory, entry) for entry in entries]
    return articles, articles


def _import(store, directory: Path, entries: Sequence[dict], chosen: Sequence[TopicConfig], topics,
            workers: int, *, quoted: bool = True) -> Ingested:
    """An import of the corpus as `wirewatch import --workers N` runs it (``quoted``: with quotes,
    as it does)."""
    with store.single_threaded() if workers else contextlib.nullcontext():
        batches = _file_batches(directory, entries, chosen, workers, lake=store.lake is not None, quoted=quoted)
        return _ingest(store, batches, topics, quoted=quoted)


def _workers_label(workers: int, entries: Sequence[dict]) -> str:
    """How the import ran, and whether that is what `wirewatch import` does by default here."""
    label = f"{workers} worker processes" if workers else "one process"
    default = import_workers(len(entries))
    return f"{label} (the default here)" if workers == default else f"{label} (--workers {workers})"


def _statuses(statuses: Counter) -> str:
    return ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items()))


def _growth(done: Ingested) -> str:
    """How batch cost grows with the archive: mean seconds of the first and the last 10 batches."""
    seconds = done.batch_seconds
    if len(seconds) < 20:
        return f"{len(seconds)} batches"
    first, last = sum(seconds[:10]) / 10, sum(seconds[-10:]) / 10
    return f"{len(seconds)} batches, first 10 {first:.2f} s each, last 10 {last:.2f} s each"


def _near_duplicate_check(scenario: str, store, topics, archived: int, corpus: tuple[Path, Sequence[dict]],
                          start: int, scale: Scale, target: Target) -> list[Row]:
    """Time batches of 100 reprints of archived stories (5% of words edited) through the store
    (its near-duplicate step as ``BatchResult.timings`` reports it: MinHash, LSH candidates,
    story links; the whole ``ingest_batch`` call in the note), and the same batches through
    datasketch MinHashLSH holding as many signatures. Median of 3 batches."""
    batches = [list(near_duplicates(start - 200 * n, NEAR_DUP_BATCH)) for n in range(NEAR_DUP_ROUNDS)]
    done = _ingest(store, batches, topics, kind="bench-near-duplicates")
    label = f"near-dup check, 100-item batch, {archived:,} archived"
    row = Row(scenario, label, NEAR_DUP_BATCH, statistics.median(done.near_seconds) * 1000, "ms/batch", done.span,
              targets=[target], note=f"median of {NEAR_DUP_ROUNDS} batches (the store's near-duplicate step; "
                                     f"whole ingest_batch call {statistics.median(done.batch_seconds) * 1000:.0f} ms); "
                                     f"{_statuses(done.statuses)}")
    if archived > scale.lsh_baseline_max:
        row.note += (f"; datasketch baseline not run above {scale.lsh_baseline_max:,} signatures "
                     "(its index takes about 1 GB of memory per 100,000)")
        return [row]
    directory, entries = corpus
    by_index = {entry["index"]: entry for entry in entries}
    originals = [(f"original-{index}", read_article(directory, by_index[index]).item)
                 for batch in batches for index in (int(a.url.rsplit("/", 1)[1]) for a in batch) if index in by_index]
    lsh = baselines.LshBaseline()
    lsh.insert(originals)
    lsh.fill(max(archived - len(originals), 0))
    seconds, found = [], 0
    with measured() as span:
        for batch in batches:
            clock = time.perf_counter()
            found += lsh.check_batch([(a.guid, a.item) for a in batch])
            seconds.append(time.perf_counter() - clock)
    base = Row(scenario, f"datasketch MinHashLSH, {archived:,} signatures", NEAR_DUP_BATCH,
               statistics.median(seconds) * 1000, "ms/batch", span,
               note=f"median of {NEAR_DUP_ROUNDS} batches; {found}/{len(batches) * NEAR_DUP_BATCH} found a candidate; "
                    "index filled with random signatures to the archive's size")
    compare(row, base, lower_is_better=True)
    return [row, base]


# ---- 1. codec ---------------------------------------------------------------------------------
def scenario_codec(scale: Scale, dirs: Dirs) -> list[Row]:
    directory, entries, _ = _corpus(dirs, scale.corpus_start, scale.import_items)  # shared with import
    seed = next((REPO / "seeds").glob("*.txt")).read_bytes()
    documents = _seed_sized(directory, entries, len(seed), scale.codec_docs)
    size = sum(map(len, documents))
    target = Target(">= 20,000 docs/s", "rate", at_least=20_000)
    parse_row = _parse_rounds("parse, seed-sized documents", documents, target)
    parse_row.note = (f"{len(documents):,} generated documents within {SEED_SIZED:.0%} of the seed's size, "
                      f"{size / len(documents) / 1024:.1f} KB average; " + parse_row.note)
    cold_row = _parse_rounds("parse, seed-sized documents, every dateline new", documents, target,
                             before_each=dateline.clear_caches)
    cold_row.note = "the dateline caches cleared before each document (untimed); " + cold_row.note
    seed_row = _parse_rounds("parse, the seed itself", [seed] * len(documents), target)
    seed_row.note = f"{len(seed) / 1024:.1f} KB, year from the weekday (scans the text for years); " + seed_row.note
    texts = [document.decode("utf-8") for document in documents]
    items = [codec.parse(text) for text in texts]
    distinct = len({item.dateline.raw for item in items if item.dateline})
    parse_row.note += f"; {distinct:,} distinct datelines (cached as parsed)"
    with measured() as span:
        rendered = [codec.render(item) for item in items]
    render_row = throughput("codec", "render", len(items), span, "docs/s", size_bytes=size,
                            note="round trip exact" if rendered == [codec.normalize_text(t) for t in texts] else
                            "round trip NOT exact")
    return [parse_row, cold_row, seed_row, render_row]


def _seed_sized(directory: Path, entries: list[dict], seed_bytes: int, count: int) -> list[bytes]:
    """Up to ``count`` generated documents (their file bytes) whose size is within ``SEED_SIZED``
    of the seed's (the target is stated for seed-sized documents), in corpus order."""
    documents = []
    for entry in entries:
        data = (directory / entry["file"]).read_bytes()
        if abs(len(data) - seed_bytes) <= SEED_SIZED * seed_bytes:
            documents.append(data)
            if len(documents) == count:
                break
    return documents


def _parse_rounds(name: str, documents: list[bytes], target: Target,
                  before_each: Callable[[], object] | None = None) -> Row:
    """Parse ``documents`` in rounds of one import batch, each decoded just before its parse (as
    an import reads a file and parses it at once; parsing text decoded long before, out of the
    processor's caches, measured a fifth slower) and only the parse timed. The figure is the
    median round's rate (this machine is shared: single rounds stall when a neighbour runs).
    Items are dropped as an import drops a written batch: holding all of them made later rounds
    pay for garbage collections over the earlier ones."""
    rates = []
    parse, clock = codec.parse, time.perf_counter
    with measured() as span:
        for start in range(0, len(documents), BATCH):
            chunk = documents[start : start + BATCH]
            spent = 0.0
            for data in chunk:
                text = data.decode("utf-8")
                if before_each is not None:
                    before_each()
                began = clock()
                parse(text)
                spent += clock() - began
            rates.append(len(chunk) / spent)
    return Row("codec", name, len(documents), statistics.median(rates), "docs/s", span, targets=[target],
               note=f"median of {len(rates)} rounds of {BATCH:,} (slowest {min(rates):,.0f}, fastest {max(rates):,.0f})")


# ---- 2 and 6. import into an empty store, store size ------------------------------------------
def scenario_import(scale: Scale, dirs: Dirs) -> list[Row]:
    store_module = _require("wirewatch.archive.store", "open_store")
    topics, shipped, chosen = _import_topics()
    directory, entries, raw_bytes = _corpus(dirs, scale.corpus_start, scale.import_items)
    single = dirs.work / "import-one-process.duckdb"
    store = store_module.open_store(single)
    try:
        alone = _import(store, directory, entries, chosen, topics, workers=0)
    finally:
        store.close()
        single.unlink(missing_ok=True)
    path = dirs.work / "import.duckdb"
    store = store_module.open_store(path)
    try:
        done = _import(store, directory, entries, chosen, topics, workers=WORKERS)
        rows = [_import_row("wirewatch import, seed-sized items (parse + dedupe + stories + topics)", done, entries,
                            raw_bytes)]  # fmt: skip
        rows[0].note += f"; {shipped} shipped + {IMPORT_BENCH_TOPICS} bench topics"
        rows.append(throughput(
            "import", "the same import in one process (--workers 0)", alone.items, alone.span, "items/s",
            size_bytes=raw_bytes, note=f"{_statuses(alone.statuses)}; {_growth(alone)} of {BATCH}",
        ))
        rows += _near_duplicate_check("import", store, topics, len(entries), (directory, entries),
                                      scale.corpus_start + scale.import_items, scale,
                                      Target("<= 50 ms at 100k", "rate", at_most=50))
    finally:
        store.close()
    stored = sum(1 for _ in entries)
    size = path.stat().st_size + (path.with_suffix(".duckdb.wal").stat().st_size
                                  if path.with_suffix(".duckdb.wal").exists() else 0)
    rows.append(Row("size", "database size / raw text size", stored, size / raw_bytes, "x raw text",
                    Span(peak_rss_mb=0.0), targets=[Target("<= 1.5x raw text", "rate", at_most=1.5)],
                    note=f"{size / 1e6:,.0f} MB for {raw_bytes / 1e6:,.0f} MB of wire text "
                         f"= {size / stored * 100_000 / 1e9:,.2f} GB per 100,000 articles"))
    naive = _naive_loop(directory, entries[: scale.naive_items], dirs,
                        "naive loop: parse, SELECT, INSERT per item (baseline)")
    compare(rows[0], naive)
    rows.insert(1, naive)
    return rows + _wire_sized_import(scale, dirs, store_module, topics, chosen)


def _import_row(label: str, done: Ingested, entries: Sequence[dict], raw_bytes: int, about_size: str = "") -> Row:
    """An import with ``WORKERS`` worker processes, held to the import targets."""
    return throughput(
        "import", label, done.items, done.span, "items/s", size_bytes=raw_bytes,
        targets=[Target(">= 3,000 items/s", "rate", at_least=3_000), Target(">= 10x naive", "ratio", at_least=10)],
        note=f"{raw_bytes / len(entries) / 1024:.1f} KB average{about_size}; {_workers_label(WORKERS, entries)}; "
             f"{_statuses(done.statuses)}; {_growth(done)} of {batch_size(WORKERS)}",
    )


def _naive_loop(directory: Path, entries: Sequence[dict], dirs: Dirs, label: str) -> Row:
    path = dirs.work / "naive.duckdb"
    with measured() as span:
        inserted = baselines.naive_import(directory, entries, path)
    path.unlink(missing_ok=True)
    return throughput("import", label, len(entries), span, "items/s", size_bytes=sum(e["bytes"] for e in entries),
                      note=f"first {len(entries):,} items, rate per item; {inserted:,} inserted")


def _wire_sized_import(scale: Scale, dirs: Dirs, store_module, topics, chosen: Sequence[TopicConfig]) -> list[Row]:
    """The same import of items sized like real wire copy (``WIRE_SIZED``: the seed is a long
    feature, three times the size of the median real item), against a naive loop over them."""
    directory, entries, raw_bytes = _corpus(dirs, scale.corpus_start, scale.import_items, WIRE_SIZED)
    path = dirs.work / "import-wire-sized.duckdb"
    store = store_module.open_store(path)
    try:
        done = _import(store, directory, entries, chosen, topics, workers=WORKERS)
    finally:
        store.close()
    row = _import_row("wirewatch import, items sized like real wire copy", done, entries, raw_bytes,
                      " (the real items in ../shared/corpus: median 1.6 KB, mean 2.2 KB)")
    naive = _naive_loop(directory, entries[: scale.naive_items], dirs, "naive loop over the same items (baseline)")
    compare(row, naive)
    return [row, naive]


# ---- 3. the same import into a store holding 1M articles --------------------------------------
def _schema_fingerprint() -> str:
    """The archive cache is rebuilt when the store's schema (its migrations) changes."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(REPO.joinpath("sql", "migrations").glob("*.sql")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _archive(scale: Scale, dirs: Dirs, store_module, topics) -> tuple[Path, Row | None]:
    """The cached store holding stream items ``[0, archive_size)``: built when absent (generation
    runs in a worker process beside the ingest)."""
    path = dirs.cache / f"archive-s{SEED}-g{GENERATOR_VERSION}-{scale.archive_size}-{_schema_fingerprint()}.duckdb"
    if path.exists():
        return path, None
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    store = store_module.open_store(building)
    try:
        chunks = _generated(0, scale.archive_size, workers=1)  # the other core ingests
        batches = _logged(([g.article for g in chunk] for chunk in chunks), path.with_suffix(".progress"))
        done = _ingest(store, batches, topics, kind="bench-archive")
    finally:
        store.close()
    building.rename(path)
    path.with_suffix(".progress").unlink(missing_ok=True)
    row = throughput("archive", f"archive build: {scale.archive_size:,} generated articles (cached)", done.items,
                     done.span, "items/s",
                     note=f"{_statuses(done.statuses)}; {_growth(done)}; generation in a worker process")
    return path, row


def _logged(batches: Iterable[list[Article]], log: Path) -> Iterator[list[Article]]:
    """Pass the batches through, noting progress in ``log`` (a long build can be watched)."""
    started, count = time.perf_counter(), 0
    for batch in batches:
        yield batch
        count += len(batch)
        elapsed = time.perf_counter() - started
        log.write_text(f"{count:,} articles in {elapsed:,.0f} s ({count / elapsed:,.0f}/s)\n")


def scenario_archive(scale: Scale, dirs: Dirs) -> list[Row]:
    store_module = _require("wirewatch.archive.store", "open_store")
    topics, shipped, chosen = _import_topics()
    archive, build_row = _archive(scale, dirs, store_module, topics)
    directory, entries, raw_bytes = _corpus(dirs, scale.corpus_start, scale.import_items)
    path = dirs.work / "archive.duckdb"
    rows = [build_row] if build_row else []
    for workers in (0, WORKERS):  # the workers' memory is their own: both ways, measured
        shutil.copyfile(archive, path)
        store = store_module.open_store(path)
        try:
            done = _import(store, directory, entries, chosen, topics, workers=workers)
            rows.append(throughput(
                "archive",
                f"wirewatch import into {scale.archive_size:,} archived, {_workers_label(workers, entries)}",
                done.items, done.span, "items/s", size_bytes=raw_bytes,
                targets=[Target(">= 3,000 items/s", "rate", at_least=3_000),
                         Target("peak <= 1 GB", "peak_rss_mb", at_most=1024)],
                note=f"{_statuses(done.statuses)}; {_growth(done)}",
            ))
            if workers:
                rows += _near_duplicate_check("archive", store, topics, scale.archive_size + len(entries),
                                              (directory, entries), scale.corpus_start + scale.import_items, scale,
                                              Target("<= 300 ms at 1M", "rate", at_most=300))
        finally:
            store.close()
            path.unlink(missing_ok=True)
    return rows


# ---- 4. polling feeds on the loopback server ---------------------------------------------------
@dataclass(slots=True)
class _Poller:
    """Polls every source as a scheduled run does: concurrently, through one Fetcher, with the
    states and the GUIDs the store holds from the polls before."""

    poll_source: Callable
    fetcher: object
    sources: list[SourceConfig]
    server: feedserver.RunningServer
    hosts: int
    states: dict = dataclasses.field(default_factory=dict)
    known: dict = dataclasses.field(default_factory=dict)

    def poll(self, name: str, unit: str, **extra) -> Row:
        self.server.stats(reset=True)
        now = dt.datetime.now(dt.UTC)
        with measured() as span, ThreadPoolExecutor(max_workers=POLL_THREADS, thread_name_prefix="poll") as pool:
            results = list(pool.map(partial(self._poll_one, now=now), self.sources))
        served = self.server.stats()
        articles = sum(len(r.articles) for r in results)
        errors = [r.state.last_error for r in results if r.state.last_status == "error"]
        for result in results:
            self.states[result.state.name] = result.state
            self.known.setdefault(result.state.name, set()).update(a.guid for a in result.articles)
        note = (f"{len(results)} feeds on {self.hosts} loopback hosts, {articles:,} articles returned; server: "
                f"{served.get('feed 304', 0)} feeds 304, {served.get('feed 200', 0)} feeds 200, "
                f"{served.get('page', 0)} pages"
                + (f"; {len(errors)} errors, e.g. {errors[0]}" if errors else ""))
        return throughput("poll", name, articles if unit == "items/s" else len(results), span, unit, note=note, **extra)

    def _poll_one(self, source: SourceConfig, *, now: dt.datetime):
        previous = self.states.get(source.name)
        return self.poll_source(source, previous, fetcher=self.fetcher, now=now, known_guids=self.known.get(source.name, ()))


def scenario_poll(scale: Scale, dirs: Dirs) -> list[Row]:
    fetch = _require("wirewatch.sources.fetch", "Fetcher")
    sources_module = _require("wirewatch.sources.poll", "poll")
    http = HttpConfig(per_host_delay=0.0)  # loopback hosts: no politeness delay to wait out
    with feedserver.running(scale.feeds, hosts=scale.feed_hosts) as server, fetch.Fetcher(http) as fetcher:
        sources = [SourceConfig(name=f"feed-{i:03d}", kind="feed", url=url, max_age_days=None, allow_private=True)
                   for i, url in enumerate(server.feed_urls)]
        poller = _Poller(sources_module.poll, fetcher, sources, server, scale.feed_hosts)
        rows = [poller.poll(f"first poll of {scale.feeds} feeds, 10 items each", "items/s")]
        rows.append(poller.poll(f"poll of {scale.feeds} feeds, nothing changed (all 304)", "feeds/s",
                                targets=[Target("<= 5 s for 500 feeds", "wall_s", at_most=5.0 * scale.feeds / 500)]))
        server.advance(5)
        rows.append(poller.poll(f"poll of {scale.feeds} feeds, 5 new items each", "items/s"))
    return rows


# ---- 5. topic matching --------------------------------------------------------------------------
def scenario_topics(scale: Scale, dirs: Dirs) -> list[Row]:
    topics_module = _require("wirewatch.topics.matcher", "compile_topics")
    articles = [generated.article for generated in generate(0, scale.topic_articles)]
    rows = []
    for count in scale.topic_counts:
        configs = bench_topics(count)
        topics = f"{count:,} topic{'s' if count > 1 else ''}"
        with measured() as compile_span:
            matcher = topics_module.compile_topics(configs)
        with measured() as span:
            matched = sum(bool(matcher.match(a.item, lang=a.lang)) for a in articles)
        targets = [Target(">= 5,000 articles/s", "rate", at_least=5_000)] if count == 1_000 else []
        row = throughput("topics", f"{topics}: compile_topics + Matcher.match", len(articles), span,
                         "articles/s", targets=targets,
                         note=f"{matched:,} articles matched; compile {compile_span.wall_s * 1000:,.0f} ms")
        subset = articles[: max(20, min(len(articles), scale.regex_budget // count))]
        regex = baselines.RegexTopics(configs)
        with measured() as span:
            regex_matched = sum(bool(regex.match(a.item)) for a in subset)
        base = throughput("topics", f"{topics}: one regex per topic (baseline)", len(subset), span,
                          "articles/s", note=f"{len(subset):,} articles, rate per article; {regex_matched:,} matched "
                                             "(terms only: AND/NOT/NEAR ignored)")
        compare(row, base)
        rows += [row, base]
    return rows


# ---- quotes: what extracting and storing them costs an import -----------------------------------
def scenario_quotes(scale: Scale, dirs: Dirs) -> list[Row]:
    """The import of wire-sized items with quotes (as `wirewatch import` runs it) against the same
    import without them, in this run: with worker processes and in one process, each pair twice
    in turn (the box is shared and noisy), the faster of each kept."""
    store_module = _require("wirewatch.archive.store", "open_store")
    topics, _, chosen = _import_topics()
    count = max(scale.import_items // 5, 200)
    directory, entries, raw_bytes = _corpus(dirs, scale.corpus_start, count, WIRE_SIZED)
    rows = []
    for workers in (WORKERS, 0):
        best: dict[bool, Ingested] = {}
        for quoted in (False, True, False, True):
            path = dirs.work / "quotes.duckdb"
            store = store_module.open_store(path)
            try:
                done = _import(store, directory, entries, chosen, topics, workers, quoted=quoted)
                quotes_stored = store.query("SELECT count(*) FROM quote_rows")[1][0][0]
            finally:
                store.close()
                path.unlink(missing_ok=True)
            if quoted not in best or done.span.wall_s < best[quoted].span.wall_s:
                best[quoted] = done
        mode = _workers_label(workers, entries)
        with_quotes = throughput("quotes", f"import with quotes, {mode}", best[True].items, best[True].span,
                                 "items/s", size_bytes=raw_bytes,
                                 targets=[Target(">= 0.8x without quotes", "ratio", at_least=0.8)],
                                 note=f"{quotes_stored:,} quotes stored; best of 2")  # fmt: skip
        without = throughput("quotes", f"the same import without quotes, {mode}", best[False].items, best[False].span,
                             "items/s", size_bytes=raw_bytes, note="best of 2")  # fmt: skip
        compare(with_quotes, without)
        rows += [with_quotes, without]
    return rows


SCENARIOS: dict[str, Callable[[Scale, Dirs], list[Row]]] = {
    "codec": scenario_codec,
    "import": scenario_import,  # also reports "size"
    "archive": scenario_archive,
    "poll": scenario_poll,
    "topics": scenario_topics,
    "quotes": scenario_quotes,
}
# Row scenario names: the six of the issue.
REPORTED = ("codec", "import", "archive", "poll", "topics", "size", "quotes")
RUNNER_OF = {"size": "import"}

