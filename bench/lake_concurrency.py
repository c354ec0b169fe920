"""``uv run python -m bench.lake_concurrency [--catalog PATH|postgresql://...] [--batches N]``

How a DuckLake behaves with a reader that keeps it attached while a writer commits: the
reader's query latency (p50/p95) alone and during the commits, and the writer's commit rate.
The default is the embedded lake (SQLite catalog) in a temporary folder.

The writer and reader loops are plain functions run in processes of their own (spawned, so that
no DuckDB state is forked); tests/test_lake.py runs the same loops to check that neither side
sees an error, and that merges under ``merge_lock`` store every key once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from wirewatch.archive.lake import attach_lake, merge_lock

ROWS_TEXT = 400  # characters of body per row: about a wire paragraph or two
_CREATE = "CREATE TABLE IF NOT EXISTS lake.items (key BIGINT, writer INTEGER, batch INTEGER, body VARCHAR)"
_APPEND = "INSERT INTO lake.items SELECT k, $writer, $batch, repeat('x', $width) FROM range($low, $high) r(k)"
# The merge: rows whose key the lake does not hold yet (DuckLake has no unique constraints).
_MERGE = """INSERT INTO lake.items SELECT k, $writer, $batch, repeat('x', $width) FROM range($low, $high) r(k)
            WHERE NOT EXISTS (SELECT 1 FROM lake.items i WHERE i.key = r.k)"""
_COUNT = "SELECT count(*) FROM lake.items"


@dataclass
class WriterResult:
    commits: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


@dataclass
class ReaderResult:
    counts: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds per query
    errors: list[str] = field(default_factory=list)


def create_items(catalog: str, data_path: str) -> None:
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, data_path)
        conn.execute(_CREATE)


def write_batches(catalog: str, data_path: str, batches: int, rows: int, *, writer: int = 0,
                  first_key: int = 0, step: int | None = None, merge: bool = False,
                  pause: float = 0.0, start=None) -> WriterResult:
    """Commit ``batches`` batches of ``rows`` keys, batch b starting at ``first_key + b * step``
    (``step`` < ``rows`` overlaps them); ``merge`` inserts only unseen keys, one merge at a time.
    ``pause`` seconds between commits; ``start``, an event, is waited for before the first."""
    result = WriterResult()
    step = rows if step is None else step
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, data_path)
        if start is not None:
            start.wait(60)
        started = time.perf_counter()
        for batch in range(batches):
            if batch:
                time.sleep(pause)
            low = first_key + batch * step
            params = {"writer": writer, "batch": batch, "width": ROWS_TEXT, "low": low, "high": low + rows}
            try:
                if merge:
                    with merge_lock(conn):
                        conn.execute(_MERGE, params)
                else:
                    conn.execute(_APPEND, params)
                result.commits += 1
            except duckdb.Error as error:
                result.errors.append(f"batch {batch}: {error}")
    result.seconds = time.perf_counter() - started
    return result


def read_until(catalog: str, data_path: str, stop, interval: float = 0.3, *, at_least: int = 0,
               ready=None) -> ReaderResult:
    """Keep the lake attached read-only and count its rows every ``interval`` seconds until
    ``stop`` is set (and at least ``at_least`` queries were made); ``ready``, an event, is set
    after the first query."""
    result = ReaderResult()
    with duckdb.connect() as conn:
        attach_lake(conn, catalog, data_path, read_only=True)
        while not stop.is_set() or len(result.latencies) < at_least:
            started = time.perf_counter()
            try:
                result.counts.append(conn.execute(_COUNT).fetchone()[0])
                result.latencies.append(time.perf_counter() - started)
            except duckdb.Error as error:
                result.errors.append(str(error))
            if ready is not None:
                ready.set()
            time.sleep(interval)
    return result


def reader_during_writer(catalog: str, data_path: str, batches: int, rows: int, *, interval: float = 0.3,
                         pause: float = 0.0) -> tuple[WriterResult, ReaderResult]:
    """A reader process querying for as long as a writer process commits ``batches`` batches;
    the writer starts once the reader has answered a first query."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        stop, ready = manager.Event(), manager.Event()
        with context.Pool(2) as pool:
            reading = pool.apply_async(read_until, (catalog, data_path, stop, interval), {"ready": ready})
            writer = pool.apply(write_batches, (catalog, data_path, batches, rows), {"pause": pause, "start": ready})
            stop.set()
            return writer, reading.get(timeout=120)


def merging_writers(catalog: str, data_path: str, writers: int, batches: int, rows: int, step: int,
                    spacing: int) -> list[WriterResult]:
    """``writers`` processes merging overlapping batches at once: writer w's batches start at
    ``w * spacing``, ``step`` apart, each of ``rows`` keys."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(writers) as pool:
            runs = [pool.apply_async(write_batches, (catalog, data_path, batches, rows),
                                     {"writer": w, "first_key": w * spacing, "step": step, "merge": True, "start": start})
                    for w in range(writers)]  # fmt: skip
            start.set()
            return [run.get(timeout=300) for run in runs]


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", help="SQLite catalog path or postgresql:// URL (default: a temporary embedded lake)")
    parser.add_argument("--data-path", help="the lake's data folder (default: beside the catalog, or temporary)")
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=50, help="reader queries alone")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between the reader's queries")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="wirewatch-lake-bench-"))
    catalog = args.catalog or str(folder / "catalog.sqlite")
    data_path = args.data_path or str(folder / "files")
    create_items(catalog, data_path)
    write_batches(catalog, data_path, 1, args.rows, first_key=-args.rows)  # something to count

    no_writer = threading.Event()
    no_writer.set()
    alone = read_until(catalog, data_path, no_writer, args.interval, at_least=args.queries)
    writer, during = reader_during_writer(catalog, data_path, args.batches, args.rows, interval=args.interval)
    for name, reader in (("alone", alone), ("during commits", during)):
        print(f"reader {name}: {len(reader.latencies)} queries, p50 {_percentile(reader.latencies, 0.5) * 1000:.0f} ms,"
              f" p95 {_percentile(reader.latencies, 0.95) * 1000:.0f} ms, {len(reader.errors)} errors")
    print(f"writer: {writer.commits} commits of {args.rows} rows in {writer.seconds:.1f} s ="
          f" {writer.commits / writer.seconds:.1f} commits/s, {writer.commits * args.rows / writer.seconds:,.0f} rows/s,"
          f" {len(writer.errors)} errors")


if __name__ == "__main__":
    main()
