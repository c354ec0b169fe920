"""``uv run python -m bench.poll_scale [--feeds 5000]``

Where the time of one ingest run over many feeds goes, without Prefect: the bench's feed server
(its own process) serves ``--feeds`` loopback feeds; a first poll stores what they list, then a
second poll, every feed a 304, is timed phase by phase as the ingest flow runs it (config load,
source states and known GUIDs read, the polls in at most POLL_TASKS tasks of at least
SOURCES_PER_TASK sources, all at once as Prefect's thread-pool task runner runs them, each
POLL_THREADS polls at once, then one store transaction with every source's state), with wall and CPU seconds
per phase and the number of summary lines a run logs. Set against the served run's seconds
(bench.time_to_alert --serve) the remainder is Prefect's and the flow-run process's own.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import feedserver
from bench.measure import machine
from wirewatch.sources import cadence
from wirewatch.sources import fetch
from wirewatch.run import pipeline
from wirewatch.sources import poll as sources
from wirewatch.config import load_config
from wirewatch.archive.store import open_store

SOURCES_PER_TASK = 100  # as flows/ingest.py
POLL_TASKS = 8  # as flows/ingest.py
POLL_THREADS = 8  # as flows/ingest.py
HOSTS = 10


@contextlib.contextmanager
def phase(figures: dict, name: str):
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    figures[name] = {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)}


def run(config_path: Path, figures: dict) -> pipeline.RunSummary:
    with phase(figures, "load config"):
        config = load_config(config_path)
    now = pipeline.utc_now()
    with phase(figures, "read states and known GUIDs"):
        with open_store(config.db) as store:
            states = store.source_states()
            known = store.known_guids(since=now - dt.timedelta(days=30))
    due, _ = cadence.due_sources(config.sources, states, now, every_source=True)
    size = max(SOURCES_PER_TASK, -(-len(due) // POLL_TASKS))
    batches = [due[i : i + size] for i in range(0, len(due), size)]
    with phase(figures, "poll"), fetch.Fetcher(config.http) as fetcher, ThreadPoolExecutor(len(batches)) as tasks:
        results = list(tasks.map(lambda batch: sources.poll_each(batch, states, fetcher=fetcher, now=now,
                                                                  known_guids=known, threads=POLL_THREADS), batches))  # fmt: skip
    polls = [cadence.paced(p, s, states.get(s.name), known.get(s.name, set()))
             for batch, found in zip(batches, results) for s, p in zip(batch, found)]  # fmt: skip
    compiled = pipeline.prepare_topics(config)
    with phase(figures, "store states and articles"), open_store(config.db) as store:
        with pipeline.run_lifecycle(store, config, compiled, kind="ingest", now=now) as summary:
            pipeline.store_polls(store, summary.run_id, polls, config, compiled, now=now, summary=summary)
    with phase(figures, "summary lines"):
        figures["summary lines logged"] = len(pipeline.summary_lines(summary))
    statuses: dict[str, int] = {}
    for state in summary.sources:
        statuses[state.last_status] = statuses.get(state.last_status, 0) + 1
    figures["statuses"] = statuses
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.poll_scale", description=__doc__.splitlines()[2])
    parser.add_argument("--feeds", type=int, default=5000)
    args = parser.parse_args(argv)
    if not 1 <= args.feeds <= 50_000:
        parser.error("--feeds 1-50,000")
    result = {"command": " ".join(["uv run python -m bench.poll_scale", *sys.argv[1:]]), "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="poll-scale-") as work, \
            feedserver.running(args.feeds, hosts=HOSTS, per_feed=5, ahead=0, unique=True) as site:  # fmt: skip
        config = Path(work, "wirewatch.toml")
        config.write_text(
            f'db = "{Path(work, "archive.duckdb")}"\n[http]\nper_host_delay = 0.0\n' + "".join(
                f'[[sources]]\nname = "feed-{n:05d}"\nkind = "feed"\nurl = "{url}"\nallow_private = true\n'
                'max_age_days = 36500\nfull_text = "never"\n' for n, url in enumerate(site.feed_urls)),
            encoding="utf-8",
        )  # fmt: skip
        for name in ("first poll", "all 304"):
            figures: dict = {}
            started = time.perf_counter()
            summary = run(config, figures)
            figures["total_wall_s"] = round(time.perf_counter() - started, 3)
            figures["new"] = summary.new
            result[name] = figures
            print(name, json.dumps(figures), flush=True)
    result["finished"] = dt.datetime.now(dt.UTC).isoformat()
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
