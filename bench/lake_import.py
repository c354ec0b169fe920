"""``uv run python -m bench.lake_import [--items N] [--rounds R] [--catalogs PG_URL_1 PG_URL_4] [--archive-size N]``

The archive as a lake against the archive as a DuckDB file, in the same run on the same corpus
(generated items sized like real wire copy, cached under bench/results/cache):

- import throughput into an empty lake and into an empty file, alternating, R rounds each
  (medians and the lake/file ratio);
- a reader process holding ``wirewatch.connect()`` open during a lake import: its query
  latency (p50/p95 of a count and a stories query, every 0.1 s);
- storage: the lake's Parquet files plus catalog, and the file, against the raw text;
- with ``--archive-size N``: the same import into a file and into a lake that already hold N
  generated articles (the file is the bench's cached archive, the lake is moved from it by
  ``Store.migrate_from``, as ``wirewatch migrate`` does, and cached beside it), alternating;
- with ``--catalogs`` (two empty PostgreSQL databases): 1 writer into the first, then 4 writer
  processes importing a quarter of the corpus each into the second, aggregate items/s.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import multiprocessing
import shutil
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate import WIRE_SIZED
from bench.lake_concurrency import _percentile
from bench.scenarios import FULL, Dirs, _archive, _corpus, _import, _import_topics
from wirewatch.model import LakeLocation
from wirewatch.archive.store import open_store

RESULTS = Path(__file__).resolve().parent / "results"
WORKERS = 0  # by default one process: the writer's own cost is what differs between a lake and a file


def lake_in(folder: Path) -> LakeLocation:
    return LakeLocation(str(folder / "lake" / "catalog.sqlite"), str(folder / "lake" / "files"))


def import_into(where, directory: Path, entries: list[dict], workers: int = WORKERS) -> float:
    """Items per second of one import of ``entries`` into ``where`` (created when absent)."""
    return import_span(where, directory, entries, workers)[0]


def import_span(where, directory: Path, entries: list[dict], workers: int = WORKERS) -> tuple[float, float]:
    """Items per second and peak MB (with any worker processes) of one import of ``entries``
    into ``where`` by ``workers`` worker processes and this one."""
    topics, _, chosen = _import_topics()
    store = open_store(where)
    try:
        done = _import(store, directory, entries, chosen, topics, workers=workers)
    finally:
        store.close()
    return done.items / done.span.wall_s, done.span.peak_rss_mb


def _reader(where: LakeLocation, stop, ready, out) -> None:
    import wirewatch.archive.store

    latencies = []
    with wirewatch.archive.store.open_reader(where) as conn:
        while not stop.is_set():
            for query in ("SELECT count(*) FROM articles", "SELECT count(*), max(n_articles) FROM stories"):
                started = time.perf_counter()
                conn.execute(query).fetchall()
                latencies.append(time.perf_counter() - started)
            ready.set()
            time.sleep(0.1)
    out.put(latencies)


def reader_during_import(where: LakeLocation, directory: Path, entries: list[dict]) -> tuple[list[float], float]:
    open_store(where).close()  # an empty archive for the reader to attach
    context = multiprocessing.get_context("spawn")
    stop, ready, out = context.Event(), context.Event(), context.Queue()
    reader = context.Process(target=_reader, args=(where, stop, ready, out))
    reader.start()
    ready.wait(120)
    rate = import_into(where, directory, entries)
    stop.set()
    latencies = out.get(timeout=120)
    reader.join(60)
    return latencies, rate


def _writer(where: LakeLocation, directory: Path, entries: list[dict], start, out) -> None:
    start.wait(120)
    began = time.perf_counter()
    import_into(where, directory, entries)
    out.put((began, time.perf_counter()))


def writers(where: LakeLocation, directory: Path, entries: list[dict], count: int) -> float:
    """Aggregate items/s of ``count`` writer processes, each importing its share of ``entries``."""
    open_store(where).close()  # the schema, once
    context = multiprocessing.get_context("spawn")
    start, out = context.Event(), context.Queue()
    shares = [entries[w::count] for w in range(count)]
    processes = [context.Process(target=_writer, args=(where, directory, share, start, out)) for share in shares]
    for process in processes:
        process.start()
    start.set()
    spans = [out.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join(60)
    return len(entries) / (max(end for _, end in spans) - min(began for began, _ in spans))


def archived_copies(dirs: Dirs, size: int) -> tuple[Path, Path]:
    """The bench's cached file archive of ``size`` generated articles (built when absent) and a lake
    moved from it (cached beside it as ``<archive>.lake/``)."""
    import wirewatch.archive.store

    archive, _ = _archive(dataclasses.replace(FULL, archive_size=size), dirs, wirewatch.archive.store, _import_topics()[0])
    cached = archive.with_suffix(".lake")
    if not (cached / "complete").exists():
        shutil.rmtree(cached, ignore_errors=True)
        started = time.perf_counter()
        with open_store(lake_in(cached)) as store:
            counts, _ = store.migrate_from(archive, now=dt.datetime.now(dt.timezone.utc))
        print(f"lake of {counts['article_rows']:,} article rows moved from {archive.name} in {time.perf_counter() - started:,.0f} s")
        (cached / "complete").write_text("")
    return archive, cached


def copy_lake(source: Path, target: Path) -> None:
    """A copy of an embedded lake: its catalog records the data folder's absolute path, so the
    copy's catalog is pointed at the copied folder."""
    shutil.copytree(source, target)
    with contextlib.closing(sqlite3.connect(target / "catalog.sqlite")) as catalog, catalog:
        catalog.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path'", (str(target / "files") + "/",))


def into_archived(dirs: Dirs, size: int, directory: Path, entries: list[dict], rounds: int, workers: int) -> None:
    """The import into a file and into a lake holding ``size`` articles, alternating, ``rounds`` each,
    with ``workers`` worker processes."""
    archive, cached = archived_copies(dirs, size)
    lake_rates, file_rates, peaks = [], [], []
    for round_no in range(rounds):
        work = dirs.work / f"archived{round_no}"
        work.mkdir(parents=True)
        shutil.copyfile(archive, work / "archive.duckdb")
        file_rate, file_peak = import_span(work / "archive.duckdb", directory, entries, workers)
        copy_lake(cached / "lake", work / "lake")
        lake_rate, lake_peak = import_span(lake_in(work), directory, entries, workers)
        file_rates.append(file_rate), lake_rates.append(lake_rate), peaks.append((file_peak, lake_peak))
        print(f"round {round_no}, {size:,} archived: file {file_rate:,.0f} items/s (peak {file_peak:,.0f} MB),"
              f" lake {lake_rate:,.0f} items/s (peak {lake_peak:,.0f} MB)")
        shutil.rmtree(work)
    lake_rate, file_rate = statistics.median(lake_rates), statistics.median(file_rates)
    print(f"import into {size:,} archived with {workers} worker processes, median of {rounds}: file {file_rate:,.0f} items/s,"
          f" lake {lake_rate:,.0f} items/s, lake/file {lake_rate / file_rate:.2f};"
          f" peak file {max(f for f, _ in peaks):,.0f} MB, lake {max(l for _, l in peaks):,.0f} MB")


def folder_bytes(*paths: Path) -> int:
    return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=WORKERS,
                        help="worker processes preparing the batches of the alternating imports (default 0)")
    parser.add_argument("--archive-size", type=int, metavar="N",
                        help="only the import into a file and a lake already holding N articles")
    parser.add_argument("--catalogs", nargs=2, metavar="URL", help="two empty postgresql:// databases: 1 writer, 4 writers")
    args = parser.parse_args()
    dirs = Dirs(cache=RESULTS / "cache", work=Path(tempfile.mkdtemp(prefix="wirewatch-lake-import-")))
    dirs.cache.mkdir(parents=True, exist_ok=True)
    directory, entries, raw_bytes = _corpus(dirs, FULL.corpus_start, args.items, WIRE_SIZED)
    print(f"corpus: {len(entries):,} items, {raw_bytes / 1e6:.1f} MB of wire text")
    if args.archive_size:
        into_archived(dirs, args.archive_size, directory, entries, args.rounds, args.workers)
        shutil.rmtree(dirs.work, ignore_errors=True)
        return
    lake_rates, file_rates = [], []
    for round_no in range(args.rounds):
        work = dirs.work / f"round{round_no}"
        file_rate, file_peak = import_span(work / "archive.duckdb", directory, entries, args.workers)
        lake_rate, lake_peak = import_span(lake_in(work), directory, entries, args.workers)
        file_rates.append(file_rate), lake_rates.append(lake_rate)
        lake_size = folder_bytes(work / "lake")
        file_size = folder_bytes(work / "archive.duckdb")
        print(f"round {round_no}: file {file_rate:,.0f} items/s (peak {file_peak:,.0f} MB),"
              f" lake {lake_rate:,.0f} items/s (peak {lake_peak:,.0f} MB);"
              f" size file {file_size / raw_bytes:.2f}x, lake {lake_size / raw_bytes:.2f}x raw text")
        shutil.rmtree(work)
    lake_rate, file_rate = statistics.median(lake_rates), statistics.median(file_rates)
    print(f"import with {args.workers} worker processes, median of {args.rounds}:"
          f" file {file_rate:,.0f} items/s, lake {lake_rate:,.0f} items/s,"
          f" lake/file {lake_rate / file_rate:.2f}")
    latencies, rate = reader_during_import(lake_in(dirs.work / "reader"), directory, entries)
    print(f"reader during a lake import ({rate:,.0f} items/s): {len(latencies)} queries,"
          f" p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, p95 {_percentile(latencies, 0.95) * 1000:.0f} ms,"
          f" max {max(latencies) * 1000:.0f} ms")
    print(f"storage: lake {folder_bytes(dirs.work / 'reader' / 'lake') / raw_bytes:.2f}x raw text (one import, uncompacted)")
    if args.catalogs:
        single = writers(LakeLocation(args.catalogs[0], str(dirs.work / "pg1")), directory, entries, 1)
        four = writers(LakeLocation(args.catalogs[1], str(dirs.work / "pg4")), directory, entries, 4)
        print(f"postgres catalog: 1 writer {single:,.0f} items/s, 4 writers {four:,.0f} items/s aggregate,"
              f" ratio {four / single:.2f}")
    shutil.rmtree(dirs.work, ignore_errors=True)


if __name__ == "__main__":
    main()
