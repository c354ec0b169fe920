"""``uv run python -m bench.web_pages [--archive-size N] [--requests R]``

The web view (``wirewatch web``) over a large lake, served by the command in a process of its own
on loopback. The lake holds N articles (default 1,000,000): the bench's generated archive of
``--base`` articles (built and cached as bench.lake_import --archive-size builds it) copied N/base
times into one lake, each copy with ids of its own and its times shifted past the previous copy's
(a generated import slows as the archive grows, so a million imported one by one takes hours on a
small box; copies keep the stories' sizes, topic matches and alerts per article of the real import):

- the app's idle memory (RSS of the process once it answers, before any page) and after the run;
- for each page (topics, stories, stories of one topic, a story, alerts, sources): the first
  request (cold) and p50 / p95 of R more, one at a time over HTTP.

The target for the topics and stories pages is a p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.lake_concurrency import _percentile
from bench.lake_import import RESULTS, archived_copies, lake_in
from bench.scenarios import Dirs
from wirewatch.archive.sqlfiles import parameters_of
from wirewatch.archive.store import open_store

TARGET_MS = 300.0
START_TIMEOUT_SECONDS = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_web(config: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", "from wirewatch.cli.commands import main; main()", "web", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"wirewatch web exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("wirewatch web did not listen in time")


def timed(client: httpx.Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return elapsed


# Times shifted by one copy's span, ids given a suffix per copy; everything else as imported.
_ARTICLE_COPY = """INSERT INTO article_rows BY NAME SELECT * REPLACE (
    article_id || $suffix AS article_id, story_id || $suffix AS story_id, similar_to || $suffix AS similar_to,
    xor(article_key, $copy * 1000003) AS article_key, published_at + $shift AS published_at, fetched_at + $shift AS fetched_at,
    event_at + $shift AS event_at, first_seen_at + $shift AS first_seen_at, stored_at + $shift AS stored_at,
    replaced_at + $shift AS replaced_at) FROM base.article_rows"""
_MATCH_COPY = """INSERT INTO topic_match_rows BY NAME SELECT * REPLACE (
    article_id || $suffix AS article_id, matched_at + $shift AS matched_at) FROM base.topic_match_rows"""
_ALERT_COPY = """INSERT INTO alert_rows BY NAME SELECT * REPLACE (
    alert_id || $suffix AS alert_id, story_id || $suffix AS story_id, article_id || $suffix AS article_id,
    created_at + $shift AS created_at, sent_at + $shift AS sent_at, next_attempt_at + $shift AS next_attempt_at)
    FROM base.alert_rows"""


def copied_lake(dirs: Dirs, base_size: int, size: int) -> Path:
    """The cached lake of ``size`` articles made of copies of the generated archive of ``base_size``."""
    archive, _ = archived_copies(dirs, base_size)
    target = dirs.cache / f"web-{base_size}-to-{size}-{archive.stem}.lake"
    if (target / "complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    with open_store(lake_in(target)) as store:
        connection = store.connection
        connection.execute(f"ATTACH '{archive}' AS base (READ_ONLY)")
        (span,) = connection.execute("SELECT max(event_at) - min(event_at) + INTERVAL 1 HOUR FROM base.article_rows").fetchone()
        (per_copy,) = connection.execute("SELECT count(*) FROM base.article_rows WHERE is_current").fetchone()
        for copy in range(max(1, round(size / per_copy))):
            params = {"suffix": f"c{copy}", "copy": copy, "shift": span * copy}
            with store.transaction():
                for statement in (_ARTICLE_COPY, _MATCH_COPY, _ALERT_COPY):
                    connection.execute(statement, {p: params[p] for p in parameters_of(statement)})
        connection.execute("DETACH base")
        (total,) = connection.execute("SELECT count(*) FROM article_rows WHERE is_current").fetchone()
    print(f"lake of {total:,} articles copied from {archive.name} in {time.perf_counter() - started:,.0f} s", flush=True)
    (target / "complete").write_text("")
    return target


# The baseline, measured in the same run: what an analyst runs over the views instead of the
# stories page (`wirewatch sql`), in this process through a reader, without HTTP or a page.
BASELINE_RUNS = 5  # it ranks every story of the archive: the slowest query here
BASELINE_QUERY = "SELECT story_id, headline, outlets, n_articles, first_seen, last_seen FROM stories ORDER BY last_seen DESC LIMIT 50"


def baseline(lake, requests: int) -> dict[str, int]:
    from wirewatch.archive.store import open_reader

    connection = open_reader(lake)
    try:
        connection.execute(BASELINE_QUERY).fetchall()
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            connection.execute(BASELINE_QUERY).fetchall()
            times.append(time.perf_counter() - started)
    finally:
        connection.close()
    row = {"p50_ms": round(_percentile(times, 0.5) * 1000), "p95_ms": round(_percentile(times, 0.95) * 1000)}
    print(f"{'baseline: stories view top 50':28} p50 {row['p50_ms']:5} ms  p95 {row['p95_ms']:5} ms (in-process reader, no HTTP)", flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive-size", type=int, default=1_000_000)
    parser.add_argument("--base", type=int, default=20_000, help="generated articles per copy (default 20,000)")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    dirs = Dirs(cache=RESULTS / "cache", work=Path(tempfile.mkdtemp(prefix="wirewatch-web-pages-")))
    dirs.cache.mkdir(parents=True, exist_ok=True)
    lake = lake_in(copied_lake(dirs, args.base, args.archive_size))
    config = dirs.work / "wirewatch.toml"
    config.write_text(f'catalog = "{lake.catalog}"\ndata_path = "{lake.data_path}"\n', encoding="utf-8")
    port = free_port()
    process = start_web(config, port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, object] = {"archive_size": args.archive_size, "base": args.base, "requests": args.requests,
                                  "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                  "load_before": round(os.getloadavg()[0], 1)}  # fmt: skip
    try:
        time.sleep(1.0)
        results["idle_rss_mb"] = round(rss_mb(process.pid), 1)
        with httpx.Client(timeout=120) as client:
            topics = client.get(f"{base}/topics?format=json").json()
            busiest = max(topics, key=lambda t: t["articles"])["topic"]
            story = client.get(f"{base}/stories?topic={busiest}&per_page=1&format=json").json()[0]["story_id"]
            pages = {
                "topics": "/topics",
                "topics (hourly, 2 days)": "/topics?bucket=hour",
                "stories": "/stories",
                f"stories of {busiest}": f"/stories?topic={busiest}",
                "stories, headline search": "/stories?q=minister",
                "story": f"/story/{story}",
                "alerts": "/alerts",
                "sources": "/sources",
            }
            for name, path in pages.items():
                cold = timed(client, base + path)
                times = [timed(client, base + path) for _ in range(args.requests)]
                row = {"cold_ms": round(cold * 1000), "p50_ms": round(_percentile(times, 0.5) * 1000),
                       "p95_ms": round(_percentile(times, 0.95) * 1000)}  # fmt: skip
                results[name] = row
                print(f"{name:28} cold {row['cold_ms']:6} ms  p50 {row['p50_ms']:5} ms  p95 {row['p95_ms']:5} ms", flush=True)
        results["after_rss_mb"] = round(rss_mb(process.pid), 1)
        results["baseline"] = baseline(lake, BASELINE_RUNS)
        results["load_after"] = round(os.getloadavg()[0], 1)
    finally:
        process.terminate()
        process.wait(30)
        shutil.rmtree(dirs.work, ignore_errors=True)
    print(f"load average (1 min, {os.cpu_count()} cores) {results['load_before']} before, {results['load_after']} after")
    print(f"idle RSS {results['idle_rss_mb']} MB, after the run {results['after_rss_mb']} MB;"
          f" archive {args.archive_size:,} articles; target p95 < {TARGET_MS:g} ms for topics and stories")
    with (RESULTS / "web_pages.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
